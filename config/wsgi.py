"""WSGI entry point: the site, with stored pages for visitors without cookies answered at its door."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from modelcards.wsgi_door import StoredPageDoor  # noqa: E402 - needs the settings configured above

application = StoredPageDoor(django_application)
