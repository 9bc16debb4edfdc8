"""Renamed cards: the old slug answers 301 to the new one (issue 15 item 6). Operations written by hand."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ACTIVITY_KINDS = [
    ("version", "New version"),
    ("suggestion", "New suggestion"),
    ("accepted", "Suggestion accepted"),
    ("partial", "Suggestion partly accepted"),
    ("rejected", "Suggestion rejected"),
    ("withdrawn", "Suggestion withdrawn"),
    ("requested", "Changes requested"),
    ("revised", "Suggestion revised"),
    ("renamed", "Card renamed"),
]
NOTIFICATION_KINDS = [
    ("decision", "Decision on your suggestion"),
    ("reply", "Reply in a discussion you are in"),
    ("mention", "Mention"),
    ("version", "New version of a card you watch"),
    ("revision", "Revision of a suggestion you asked to change"),
    ("renamed", "A card you watch was renamed"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("modelcards", "0009_card_protection"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SlugRedirect",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("old_slug", models.CharField(max_length=100, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "card",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slug_redirects",
                        to="modelcards.modelcard",
                    ),
                ),
            ],
            options={"ordering": ["-created_at", "-pk"]},
        ),
        migrations.AlterField(
            model_name="activity",
            name="kind",
            field=models.CharField(choices=ACTIVITY_KINDS, max_length=12),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(choices=NOTIFICATION_KINDS, max_length=10),
        ),
    ]
