"""The bench's ceiling: the cheapest page the project can serve through its full middleware stack.

Mounted only when BENCH_VIEWS is set (config/urls.py), so normal deployments never have it.
"""

from django.http import HttpResponse


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")
