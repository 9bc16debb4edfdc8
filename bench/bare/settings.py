"""Settings of the bare reference project: the least Django needs to answer one URL.

No installed apps, no middleware, no database, no templates: what is left is Django's request
handling itself (WSGI handler, URL resolver, HttpResponse), served by gunicorn like the real site.
"""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "bench-bare-project-not-secret")  # noqa: S105 - signs nothing
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True
LOGGING_CONFIG = None
