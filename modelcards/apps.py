"""App configuration for model cards."""

from django.apps import AppConfig


class ModelcardsConfig(AppConfig):
    name = "modelcards"
    verbose_name = "Model cards"

    def ready(self):
        from . import pagecache  # noqa: F401 - connects the page cache's invalidation signals
