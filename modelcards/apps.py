"""App configuration for model cards."""

from django.apps import AppConfig


class ModelcardsConfig(AppConfig):
    name = "modelcards"
    verbose_name = "Model cards"

    def ready(self):
        from django.core import serializers

        from . import pagecache, watch_state  # noqa: F401 - connect their invalidation signals
        from .notifications import inbox  # noqa: F401 - comments reach the inbox by a signal

        # django-reversion serialises each new version; Django imports its serializers on first use,
        # which would add several milliseconds to the first write every app server process makes.
        serializers.get_serializer("json")
