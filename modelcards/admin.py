"""Cards in Django's admin, with django-reversion's history and recovery screens; outgoing mail."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from . import outbox
from .models import CardVersion, ModelCard, OutboxMail


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


@admin.register(OutboxMail)
class OutboxMailAdmin(admin.ModelAdmin):
    """Every mail the site queued, with its attempts and last error; never edited or deleted here."""

    list_display = ("created_at", "event", "to", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status",)
    search_fields = ("to", "event")
    readonly_fields = [field.name for field in OutboxMail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a mail is kept, sent or given up on, so what happened to it can be seen

    @admin.action(description="Send the selected failed mail again", permissions=["change"])
    def send_again(self, request, queryset):
        count = outbox.send_again(queryset)
        self.message_user(request, f"{count} failed mail queued again; sent or waiting mail is left as is.")
