"""App configuration for model cards."""

from django.apps import AppConfig


class ModelcardsConfig(AppConfig):
    name = "modelcards"
    verbose_name = "Model cards"

    def ready(self):
        from . import pagecache, watch_state  # noqa: F401 - connect their invalidation signals
