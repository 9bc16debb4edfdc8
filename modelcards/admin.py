"""Cards in Django's admin, with django-reversion's history and recovery screens."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from .models import CardVersion, ModelCard


@admin.register(ModelCard)
class ModelCardAdmin(VersionAdmin):
    list_display = ("slug", "title", "license", "pipeline_tag", "version_number", "updated_at")
    list_filter = ("license", "pipeline_tag")
    search_fields = ("slug", "title")
    readonly_fields = (
        "title",
        "metadata",
        "license",
        "pipeline_tag",
        "tags_index",
        "size",
        "body_start",
        "version_number",
    )

    # Changes must go through the workflow so each one is numbered and attributed; admin only reads.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CardVersion)
class CardVersionAdmin(admin.ModelAdmin):
    list_display = ("card", "number", "kind", "author", "author_name", "moderator", "summary", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("card", "revision", "author", "moderator")
    search_fields = ("card__slug", "summary")
