"""Model cards and their numbered versions.

A card's README.md text is the source of truth; every other field on `ModelCard` is derived from it
when it is saved, so pages never parse YAML or Markdown per request. Each saved change is a
django-reversion revision plus one `CardVersion` row (the revision's meta) that carries the per-card
version number and the facts the history pages show.
"""

import re

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from .cardfile import CardFile, as_list
from .openness import claims, completeness, lineage
from .openness.assessment import assess, licence_type_of
from .openness.flags import FLAGS
from .openness.mof import CLASS_NAMES, CLASS_NUMERALS
from .search import search_cards

CARD_SLUG_PATTERN = r"[a-z0-9][a-z0-9._-]*"
_CARD_SLUG = re.compile(rf"\A{CARD_SLUG_PATTERN}\Z")


def validate_card_slug(slug: str) -> None:
    """Hub-like repository names (`pythia-6.9b`), lower case, and never a path such as `..`."""
    if not _CARD_SLUG.match(slug) or ".." in slug or slug.endswith(".") or len(slug) > 100:
        raise ValidationError(
            f"'{slug}' is not a valid card slug: use lower-case letters, digits, '-', '_' and '.', "
            "starting with a letter or digit."
        )


MAX_TAG_FILTER_CHARS = 10_000  # SQLite refuses LIKE patterns over 50,000 bytes


class ModelCardQuerySet(models.QuerySet):
    def search(self, query: str):
        """Cards whose title, tags or text mention every word of `query`, best match first."""
        return search_cards(self, query)

    def with_tag(self, tag: str):
        if len(tag) > MAX_TAG_FILTER_CHARS:  # treated as the tag of no card
            return self.none()
        return self.filter(tags_index__contains=f"|{tag.lower()}|")

    def for_listing(self):
        """Only what a list row shows: never load the README text of a page of cards."""
        return self.only(
            "slug",
            "title",
            "license",
            "pipeline_tag",
            "updated_at",
            "version_number",
            "mof_class",
            "mof_conditional",
            "openness_flags",
        )

    def with_openness(self, *, mof_class: str = "", licence_type: str = "", flagged: bool = False):
        """Filter on the stored openness summary: plain indexed columns, nothing parsed per request."""
        if mof_class in ("0", "1", "2", "3"):
            self = self.filter(mof_class=int(mof_class))
        if licence_type:
            self = self.filter(licence_type=licence_type)
        if flagged:
            self = self.filter(has_openness_flags=True)
        return self


@reversion.register(exclude=["line_versions"])
class ModelCard(models.Model):
    slug = models.CharField(max_length=100, unique=True, validators=[validate_card_slug])
    text = models.TextField(help_text="The README.md, byte for byte as imported or accepted.")

    # Derived from `text` by `apply_card_file`; never edited directly.
    title = models.CharField(max_length=300)
    metadata = models.JSONField(default=dict, blank=True)
    license = models.CharField(max_length=100, blank=True, db_index=True)
    pipeline_tag = models.CharField(max_length=100, blank=True, db_index=True)
    tags_index = models.TextField(blank=True, help_text="Lower-case tags as |a|b|, for filtering.")
    size = models.PositiveIntegerField(default=0, help_text="Size of the README.md in bytes.")
    body_start = models.PositiveIntegerField(default=0, help_text="Offset of the Markdown body in text.")
    # The openness summary, also derived from `text` except for the licence lineage (lineage.py).
    mof_class = models.PositiveSmallIntegerField(
        default=0, db_index=True, help_text="Model Openness Framework class reached: 1, 2 or 3; 0 for none."
    )
    mof_conditional = models.BooleanField(
        default=False, help_text="The class relies on an open licence of another kind than the component's."
    )
    licence_type = models.CharField(max_length=30, blank=True, db_index=True)
    openness_flags = models.JSONField(default=list, blank=True, help_text="Open-washing flag codes.")
    flag_details = models.JSONField(
        default=list,
        blank=True,
        help_text="Each flag this card earns alone, with the sentence and components.",
    )
    claim_provenance = models.JSONField(
        default=dict, blank=True, help_text="Who asserted each openness claim, and in which version."
    )
    has_openness_flags = models.BooleanField(default=False, db_index=True)
    licence_lineage = models.JSONField(
        default=list, blank=True, help_text="Base models on this site, nearest first, with their licences."
    )
    base_models_index = models.TextField(
        blank=True, help_text="Possible slugs of the base models as |a|b|, to find a card's family."
    )
    completeness = models.PositiveSmallIntegerField(default=0, db_index=True, help_text="Percent filled.")
    missing_sections = models.JSONField(default=list, blank=True)

    version_number = models.PositiveIntegerField(
        default=0, help_text="Number of the current version; only the workflow increments it."
    )
    line_versions = models.JSONField(
        default=list, blank=True, help_text="For each line of the text, the version that last changed it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ModelCardQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        permissions = [("review_suggestion", "Can review suggestions and edit cards directly")]

    def __str__(self) -> str:
        return self.title or self.slug

    def get_absolute_url(self) -> str:
        return reverse("modelcards:card_detail", args=[self.slug])

    def apply_card_file(self, card_file: CardFile) -> None:
        """Set the text and everything derived from it, so reads never re-parse."""
        meta = card_file.metadata
        self.text = card_file.text
        self.metadata = meta
        self.title = (card_file.title or self.slug)[:300]
        self.license = str(meta.get("license") or "")[:100]
        self.pipeline_tag = str(meta.get("pipeline_tag") or "")[:100]
        self.tags_index = "".join(f"|{tag.lower()}" for tag in as_list(meta.get("tags"))) + (
            "|" if meta.get("tags") else ""
        )
        self.size = len(card_file.text.encode("utf-8"))
        self.body_start = len(card_file.text) - len(card_file.body)
        for name, value in openness_fields(meta, card_file.text, self.body_start).items():
            setattr(self, name, value)

    def sync_base_model_links(self, previous_index: str) -> None:
        """Bring BaseModelLink in step with `base_models_index`, which was `previous_index` before this
        write (empty for a new card). Most writes leave the base models alone and cost nothing here."""
        if self.base_models_index == previous_index:
            return
        BaseModelLink.objects.filter(card=self).delete()
        longest = type(self)._meta.get_field("slug").max_length
        BaseModelLink.objects.bulk_create(
            BaseModelLink(card=self, name=name)
            for name in lineage.link_names(self.base_models_index, longest=longest)
        )

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    @property
    def tags(self) -> list[str]:
        return as_list(self.metadata.get("tags"))

    @property
    def mof_class_name(self) -> str:
        return CLASS_NAMES.get(self.mof_class, "No MOF class")

    @property
    def mof_numeral(self) -> str:
        return CLASS_NUMERALS.get(self.mof_class, "")

    @property
    def flag_labels(self) -> list[tuple[str, str]]:
        """(code, short label) of each stored open-washing flag, for badges."""
        return [(code, FLAGS[code][0]) for code in self.openness_flags if code in FLAGS]

    def record_claims(self, *, by: str, source: str, at: str) -> None:
        """Credit the claims this version adds or changes to `by`; unchanged claims keep their author."""
        self.claim_provenance = claims.carry_provenance(
            self.claim_provenance, self.metadata, by=by, source=source, version=self.version_number, at=at
        )


def openness_fields(metadata: dict, text: str, body_start: int) -> dict:
    """Every openness and completeness field a text implies, except the licence lineage, which needs
    other cards and is filled in by `family.refresh_family` after the card is saved."""
    assessment = assess(metadata, text[body_start:])
    return {
        "mof_class": assessment.mof_class,
        "mof_conditional": assessment.conditional,
        "licence_type": licence_type_of(metadata.get("license")),
        "openness_flags": [flag.code for flag in assessment.flags],
        "flag_details": [flag.as_dict() for flag in assessment.flags],
        "has_openness_flags": bool(assessment.flags),
        "licence_lineage": [],
        "base_models_index": lineage.base_models_index(metadata),
        **completeness.card_fields(text),
    }


class BaseModelLink(models.Model):
    """A name a card gives as its base model that could be another card's slug: the index by which a
    write finds the cards derived from the one it changed (openness.family.refresh_family)."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="base_model_links")
    name = models.CharField(max_length=100, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "name"], name="unique_base_model_link")]

    def __str__(self) -> str:
        return f"{self.card_id} -> {self.name}"


class CardVersionQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("author", "moderator")


class CardVersion(models.Model):
    """One numbered version of one card: django-reversion's revision meta for our history pages."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        IMPORTED = "imported", "Imported"
        EDITED = "edited", "Direct edit"
        SUGGESTION = "suggestion", "Accepted suggestion"
        REVERTED = "reverted", "Revert"
        MARKED = "marked", "Claim marked"
        RESOLVED = "resolved", "Marker resolved"
        MOT_IMPORT = "mot-import", "Openness record imported"

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="card_version")
    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_versions",
    )
    author_name = models.CharField(
        max_length=150, blank=True, help_text="Display name of an anonymous author."
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_versions",
    )
    summary = models.CharField(max_length=300, blank=True)
    merge_note = models.CharField(
        max_length=200, blank=True, help_text="How the text was merged with changes made meanwhile."
    )
    size = models.PositiveIntegerField()
    size_delta = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = CardVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        indexes = [  # a person's profile lists their newest versions, written or approved
            models.Index(fields=["author", "-created_at"], name="version_by_author"),
            models.Index(fields=["moderator", "-created_at"], name="version_by_moderator"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["card", "number"], name="unique_version_number_per_card"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} v{self.number}"

    @property
    def author_display(self) -> str:
        if self.author_id:
            return self.author.get_username()
        return self.author_name or "anonymous"

    def stored_fields(self) -> dict:
        """The card's fields as they were at this version, read from django-reversion's data."""
        version = Version.objects.get(
            revision_id=self.revision_id,
            content_type=ContentType.objects.get_for_model(ModelCard),
            object_id=str(self.card_id),
        )
        return version.field_dict


class InvalidTransition(Exception):
    """A suggestion asked to move to a status its current status does not allow."""


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)

    def visible_to(self, user, *, reviewer: bool):
        """Held suggestions (waiting for a moderator's look) are shown only to moderators and authors."""
        if reviewer:
            return self
        if user is not None and user.is_authenticated:
            return self.filter(Q(held=False) | Q(author=user))
        return self.filter(held=False)


class Suggestion(models.Model):
    """A proposed full text for a card (or for a new card), waiting for a moderator's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    card = models.ForeignKey(
        ModelCard, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    new_slug = models.CharField(
        max_length=100, blank=True, validators=[validate_card_slug], help_text="Slug of a proposed new card."
    )
    base_version = models.PositiveIntegerField(
        default=0, help_text="Version of the card the text was written against (0 for a new card)."
    )
    section = models.PositiveIntegerField(null=True, blank=True, help_text="Section edited, if only one.")
    text = models.TextField()
    summary = models.CharField(max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    author_name = models.CharField(max_length=80, blank=True, help_text="Name an anonymous author gave.")
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    access_token = models.CharField(max_length=64, blank=True)
    held = models.BooleanField(default=False, help_text="Held for a moderator's look (e.g. many links).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_suggestions",
    )
    note = models.TextField(blank=True, help_text="The moderator's note; required when rejecting.")
    version = models.OneToOneField(
        CardVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestion"
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="suggestion_queue"),
            models.Index(fields=["card", "status", "created_at"], name="suggestion_card_queue"),
            models.Index(fields=["author", "-created_at"], name="suggestion_by_author"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(card__isnull=False) | ~Q(new_slug=""), name="suggestion_has_card_or_new_slug"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "rejected"]) | Q(decided_at__isnull=False),
                name="decided_suggestion_has_decision_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Suggestion #{self.pk} on {self.target_slug}"

    def get_absolute_url(self) -> str:
        return reverse("modelcards:suggestion_detail", args=[self.pk])

    @property
    def target_slug(self) -> str:
        return self.card.slug if self.card_id else self.new_slug

    @property
    def is_new_card(self) -> bool:
        return self.card_id is None

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def author_display(self) -> str:
        if self.author_id:
            return self.author.get_username()
        return f"{self.author_name or 'anonymous'} (not logged in)"

    # What a decision changes: saving only these leaves the 20 KB text alone (no second copy in the WAL).
    DECISION_FIELDS = ("status", "moderator", "note", "decided_at", "card", "version", "updated_at")

    def mark_decided(self, status: str, *, moderator, note: str = "") -> None:
        if not self.is_pending:
            raise InvalidTransition(f"This suggestion was already {self.get_status_display().lower()}.")
        self.status = status
        self.moderator = moderator
        self.note = note
        self.decided_at = timezone.now()

    def mark_withdrawn(self) -> None:
        if not self.is_pending:
            status = self.get_status_display().lower()
            raise InvalidTransition(f"Only a pending suggestion can be withdrawn; this one was {status}.")
        self.status = self.Status.WITHDRAWN


class Comment(models.Model):
    """A message in a suggestion's discussion or in a card's talk thread (exactly one of the two)."""

    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    thread = models.ForeignKey(
        "TalkThread", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(suggestion__isnull=False, thread__isnull=True)
                | Q(suggestion__isnull=True, thread__isnull=False),
                name="comment_belongs_to_one_place",
            )
        ]

    def __str__(self) -> str:
        return f"Comment #{self.pk}"


class TalkThread(models.Model):
    """A question or piece of evidence about a card that is not yet a concrete edit."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="threads")
    closed = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("modelcards:talk_thread", args=[self.card.slug, self.pk])


class Watch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="watches")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "card"], name="unique_watch")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.card_id}"


class Block(models.Model):
    """Stops an account or an anonymous IP hash from suggesting and commenting."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="blocks"
    )
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="blocks_made"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(ip_hash=""), name="block_names_user_or_ip_hash"
            )
        ]

    def __str__(self) -> str:
        return f"Block #{self.pk}"


class ActivityQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("card", "version", "suggestion", "actor").only(
            "kind",
            "created_at",
            "summary",
            "actor_name",
            "card__slug",
            "card__title",
            "version__number",
            "suggestion__status",
            "suggestion__new_slug",
            "actor__username",
        )


class Activity(models.Model):
    """One line of the site's recent changes: a new version, a new suggestion, or a decision.

    Written by the workflow as things happen, so the recent-changes page and feeds read one indexed
    table instead of merging several.
    """

    class Kind(models.TextChoices):
        VERSION = "version", "New version"
        SUGGESTION = "suggestion", "New suggestion"
        ACCEPTED = "accepted", "Suggestion accepted"
        REJECTED = "rejected", "Suggestion rejected"
        WITHDRAWN = "withdrawn", "Suggestion withdrawn"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    card = models.ForeignKey(
        ModelCard, null=True, blank=True, on_delete=models.CASCADE, related_name="activity"
    )
    version = models.ForeignKey(
        CardVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="activity"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="activity_recent"),
            models.Index(fields=["card", "-created_at", "-id"], name="activity_card_recent"),
            models.Index(fields=["kind", "-created_at", "-id"], name="activity_kind_recent"),
        ]
        verbose_name_plural = "activity"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def actor_display(self) -> str:
        if self.actor_id:
            return self.actor.get_username()
        return self.actor_name or "anonymous"


class OutboxMail(models.Model):
    """One email about one event to one address: waiting, sent, or given up on.

    Written in the transaction of the change it reports, so it exists exactly when the change does.
    The pair (event, address) is unique, so queueing the same news twice sends it once. Delivery
    (`modelcards/outbox.py`) writes the text when it first tries, then marks the mail sent or keeps
    the error and when to try next; `next_attempt_at` also holds a mail back while an attempt is under
    way. A mail whose attempts ran out stays here, failed, for staff to see and send again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    event = models.CharField(max_length=100, help_text="What happened, e.g. new_version:41.")
    to = models.EmailField(max_length=254)
    message_id = models.CharField(
        max_length=255, help_text="The same on every attempt, so a receiver can drop a repeat."
    )
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=400, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_mail_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "to"], name="outbox_mail_once_per_event_and_address"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | Q(~Q(status="sent"), sent_at=None),
                name="outbox_mail_sent_has_time",
            ),
        ]
        verbose_name = "outgoing mail"
        verbose_name_plural = "outgoing mail"

    def __str__(self) -> str:
        return f"{self.event} to {self.to} ({self.get_status_display().lower()})"
