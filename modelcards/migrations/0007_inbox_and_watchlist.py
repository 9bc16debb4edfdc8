"""Inbox notifications and watchlist expiry (issue 14 item 6). Operations written by hand."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("modelcards", "0006_outbox_mail"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="watch",
            name="expires_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="When the watch ends by itself; empty for a permanent watch.",
            ),
        ),
        migrations.AddIndex(
            model_name="watch",
            index=models.Index(
                condition=models.Q(("expires_at__isnull", False)), fields=["expires_at"], name="watch_expiry"
            ),
        ),
        migrations.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("decision", "Decision on your suggestion"),
                            ("reply", "Reply in a discussion you are in"),
                            ("mention", "Mention"),
                            ("version", "New version of a card you watch"),
                            ("revision", "Revision of a suggestion you asked to change"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "event",
                    models.CharField(
                        help_text="What happened, e.g. comment:12 or version:41.", max_length=100
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        blank=True, help_text="The decision taken, for decisions.", max_length=20
                    ),
                ),
                (
                    "subject",
                    models.CharField(help_text="The card (or proposed card) it is about.", max_length=300),
                ),
                (
                    "place",
                    models.CharField(
                        blank=True, help_text="The talk thread's title, for replies there.", max_length=200
                    ),
                ),
                ("excerpt", models.CharField(blank=True, max_length=300)),
                ("actor_name", models.CharField(blank=True, max_length=150)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("read_at", models.DateTimeField(blank=True, null=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "card",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="modelcards.modelcard",
                    ),
                ),
                (
                    "comment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="modelcards.comment",
                    ),
                ),
                (
                    "suggestion",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="modelcards.suggestion",
                    ),
                ),
                (
                    "thread",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="modelcards.talkthread",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="modelcards.cardversion",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
                    models.Index(
                        condition=models.Q(("read_at", None)), fields=["user"], name="notification_unread"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "event"), name="notification_once_per_event"),
                ],
            },
        ),
        migrations.CreateModel(
            name="WatchlistFeedKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="watchlist_feed_key",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
