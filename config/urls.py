"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from modelcards.api import paths as api_paths
from modelcards.api.v1 import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path(api_paths.ROOT.lstrip("/"), api.urls),
    path("", include("accounts.urls")),
    path("", include("modelcards.urls")),
]

if settings.MODELCARDS_BENCH_VIEWS:
    from bench.views import ceiling

    urlpatterns.append(path("_bench/ceiling/", ceiling))
