"""Card protection: semi and full, with reason and expiry (issue 15 item 5). Operations written by hand."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("modelcards", "0008_suggestion_revisions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CardProtection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        choices=[("semi", "Semi-protected"), ("full", "Fully protected")], max_length=4
                    ),
                ),
                ("reason", models.CharField(max_length=300)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("lifted_at", models.DateTimeField(blank=True, null=True)),
                (
                    "card",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="protections",
                        to="modelcards.modelcard",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lifted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-created_at", "-pk"]},
        ),
        migrations.AddConstraint(
            model_name="cardprotection",
            constraint=models.UniqueConstraint(
                condition=models.Q(lifted_at__isnull=True),
                fields=("card",),
                name="one_unlifted_protection_per_card",
            ),
        ),
        migrations.AddConstraint(
            model_name="cardprotection",
            constraint=models.CheckConstraint(
                condition=models.Q(("reason", ""), _negated=True), name="protection_has_reason"
            ),
        ),
    ]
