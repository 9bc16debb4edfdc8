"""Test settings: the project's settings with a fast hasher and an in-memory mail outbox."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from config.settings import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
# One process serves every test page, so the local-memory cache is shared and the page cache is safe.
MODELCARDS_PAGE_CACHE = True
ACCOUNTS_CACHE_SIGNED_IN_USERS = True
# A replica that mirrors the default database, for the read-replica routing tests (tests/test_replicas.py).
DATABASES["replica1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
# Background tasks run in the test process once the change commits (django_capture_on_commit_callbacks
# in a test); tests/test_mail_outbox.py switches to the database backend and runs the real worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The real Hub is never contacted from the tests: a closed port unless the `hub` fixture
# (tests/hub_standin.py) points the site at its stand-in, and no token from the environment.
HUB_ENDPOINT = "http://127.0.0.1:9"
HUB_TOKEN = ""
HUB_SYNC_ENABLED = False
