"""Requested changes, kept revisions, partial acceptance and inline comments (issue 14 items 4-5).

Also: a comment by an anonymous suggestion's author, through their private link, has no account.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SUGGESTION_STATUSES = [
    ("pending", "Pending"),
    ("changes_requested", "Changes requested"),
    ("accepted", "Accepted"),
    ("partly_accepted", "Partly accepted"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
]

ACTIVITY_KINDS = [
    ("version", "New version"),
    ("suggestion", "New suggestion"),
    ("accepted", "Suggestion accepted"),
    ("partial", "Suggestion partly accepted"),
    ("rejected", "Suggestion rejected"),
    ("withdrawn", "Suggestion withdrawn"),
    ("requested", "Changes requested"),
    ("revised", "Suggestion revised"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("modelcards", "0007_inbox_and_watchlist"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Suggestions: two new statuses (one longer than the old column), and a revision counter.
        migrations.AlterField(
            model_name="suggestion",
            name="status",
            field=models.CharField(choices=SUGGESTION_STATUSES, default="pending", max_length=20),
        ),
        migrations.AlterField(
            model_name="suggestion",
            name="note",
            field=models.TextField(
                blank=True, help_text="The moderator's note; required when rejecting or asking for changes."
            ),
        ),
        migrations.AddField(
            model_name="suggestion",
            name="revision_number",
            field=models.PositiveIntegerField(
                default=1,
                help_text="Number of the current revision; SuggestionRevision keeps each one once revised.",
            ),
        ),
        migrations.RemoveConstraint(model_name="suggestion", name="decided_suggestion_has_decision_time"),
        migrations.AddConstraint(
            model_name="suggestion",
            constraint=models.CheckConstraint(
                condition=~models.Q(status__in=["accepted", "partly_accepted", "rejected"])
                | models.Q(decided_at__isnull=False),
                name="decided_suggestion_has_decision_time",
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="kind",
            field=models.CharField(choices=ACTIVITY_KINDS, max_length=12),
        ),
        # Comments: without an account (an anonymous author's reply), and on one line of a diff.
        migrations.AlterField(
            model_name="comment",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="author_name",
            field=models.CharField(
                blank=True,
                help_text="An anonymous suggestion's author's name, replying without an account.",
                max_length=80,
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="revision_number",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                help_text="The suggestion's revision whose diff the commented line belongs to.",
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="line_side",
            field=models.CharField(
                blank=True, choices=[("old", "Before"), ("new", "Suggested")], max_length=3
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="line_number",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(author__isnull=False) | models.Q(suggestion__isnull=False),
                name="comment_without_account_is_on_a_suggestion",
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(revision_number__isnull=True, line_number__isnull=True, line_side="")
                | models.Q(
                    suggestion__isnull=False,
                    revision_number__gte=1,
                    line_number__gte=1,
                    line_side__in=["old", "new"],
                ),
                name="comment_line_is_whole_and_on_a_suggestion",
            ),
        ),
        migrations.CreateModel(
            name="SuggestionRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("filed", "Filed"),
                            ("revised", "Revised by its author"),
                            ("remainder", "What was left after part was accepted"),
                        ],
                        max_length=10,
                    ),
                ),
                ("text", models.TextField()),
                ("summary", models.CharField(max_length=300)),
                (
                    "base_version",
                    models.PositiveIntegerField(
                        help_text="Version of the card this text was written against."
                    ),
                ),
                (
                    "author_name",
                    models.CharField(blank=True, help_text="Name an anonymous author gave.", max_length=80),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "suggestion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="modelcards.suggestion",
                    ),
                ),
            ],
            options={
                "ordering": ["number"],
                "constraints": [
                    models.UniqueConstraint(fields=("suggestion", "number"), name="unique_revision_number"),
                    models.CheckConstraint(
                        condition=models.Q(number__gte=1), name="revision_number_positive"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ChangeRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", models.TextField()),
                (
                    "revision_number",
                    models.PositiveIntegerField(help_text="The revision the moderator asked to change."),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "moderator",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "suggestion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="change_requests",
                        to="modelcards.suggestion",
                    ),
                ),
            ],
            options={"ordering": ["created_at", "pk"]},
        ),
        migrations.CreateModel(
            name="PartialAcceptance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("revision_number", models.PositiveIntegerField()),
                ("base_version", models.PositiveIntegerField()),
                ("accepted_hunks", models.JSONField(default=list)),
                ("left_hunks", models.JSONField(default=list)),
                ("left_text", models.TextField()),
                (
                    "remainder",
                    models.CharField(
                        choices=[("pending", "Left pending"), ("declined", "Declined")], max_length=8
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "moderator",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "suggestion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partial_acceptances",
                        to="modelcards.suggestion",
                    ),
                ),
                (
                    "version",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partial_acceptance",
                        to="modelcards.cardversion",
                    ),
                ),
            ],
            options={"ordering": ["created_at", "pk"]},
        ),
    ]
