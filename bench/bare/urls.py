"""The bare project's only URL: a small plain-text response, as the in-stack ceiling view returns."""

from django.http import HttpResponse
from django.urls import path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("_bench/bare/", bare)]
