"""Model cards and their numbered versions.

A card's README.md text is the source of truth; every other field on `ModelCard` is derived from it
when it is saved, so pages never parse YAML or Markdown per request. Each saved change is a
django-reversion revision plus one `CardVersion` row (the revision's meta) that carries the per-card
version number and the facts the history pages show.
"""

import hmac
import re
from datetime import UTC, timedelta

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from reversion.errors import RevertError
from reversion.models import Revision, Version

from .cardfile import CardFile, as_list
from .openness import claims, completeness, lineage
from .openness.assessment import assess, licence_type_of
from .openness.flags import FLAGS
from .openness.mof import CLASS_NAMES, CLASS_NUMERALS
from .reserved_slugs import reserved_slug_problem
from .search import search_cards
from .unreadable import UnreadableVersion

CARD_SLUG_PATTERN = r"[a-z0-9][a-z0-9._-]*"
_CARD_SLUG = re.compile(rf"\A{CARD_SLUG_PATTERN}\Z")


def validate_card_slug(slug: str) -> None:
    """Hub-like repository names (`pythia-6.9b`), lower case, never a path such as `..`, and none of
    the names reserved_slugs keeps back (device names, export endings, the site's own pages)."""
    if not _CARD_SLUG.match(slug) or ".." in slug or slug.endswith(".") or len(slug) > 100:
        raise ValidationError(
            f"'{slug}' is not a valid card slug: use lower-case letters, digits, '-', '_' and '.', "
            "starting with a letter or digit."
        )
    if problem := reserved_slug_problem(slug):
        raise ValidationError(problem)


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
    # Issue 16 item 5: when a moderator last accepted a change or recorded "reviewed, still accurate";
    # cards older than REVIEW_DUE_DAYS are due for review. Null: never (counts from created_at).
    reviewed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)

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

    def record_claims(self, *, by: str, source: str, at: str, maintainer: bool = False) -> None:
        """Credit the claims this version adds or changes to `by` (a verified maintainer of the card if
        `maintainer`); unchanged claims keep their author."""
        self.claim_provenance = claims.carry_provenance(
            self.claim_provenance,
            self.metadata,
            by=by,
            source=source,
            version=self.version_number,
            at=at,
            maintainer=maintainer,
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


class Visibility(models.IntegerChoices):
    """How far a version's text, summary or author name is shown (issue 15 item 4)."""

    VISIBLE = 0, "Visible"
    HIDDEN = 1, "Hidden from the public"
    SUPPRESSED = 2, "Suppressed (oversight only)"


class CardVersionQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("author", "moderator", "looked_over_by")


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

    # Issue 15 item 1: a trusted contributor's suggestion published without waiting for a moderator;
    # moderators look it over afterwards (mark reviewed, or undo).
    autoreviewed = models.BooleanField(default=False)
    looked_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    looked_over_at = models.DateTimeField(null=True, blank=True)
    # Issue 15 item 2: written by a verified maintainer of the card, frozen when the version is made.
    by_maintainer = models.BooleanField(default=False)
    # Issue 16: a version imported from the Hugging Face Hub records where and at which commit.
    upstream_repo = models.CharField(max_length=200, blank=True)
    upstream_commit = models.CharField(max_length=64, blank=True)
    # Issue 15 item 4: each part hidden from the public, or suppressed from moderators too.
    text_visibility = models.PositiveSmallIntegerField(choices=Visibility.choices, default=Visibility.VISIBLE)
    summary_visibility = models.PositiveSmallIntegerField(
        choices=Visibility.choices, default=Visibility.VISIBLE
    )
    author_visibility = models.PositiveSmallIntegerField(
        choices=Visibility.choices, default=Visibility.VISIBLE
    )

    objects = CardVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        indexes = [  # a person's profile lists their newest versions, written or approved
            models.Index(fields=["author", "-created_at"], name="version_by_author"),
            models.Index(fields=["moderator", "-created_at"], name="version_by_moderator"),
            models.Index(
                fields=["-created_at"],
                condition=Q(autoreviewed=True, looked_over_at__isnull=True),
                name="version_to_look_over",
            ),
        ]
        permissions = [("suppress_version", "Can suppress version parts from moderators (oversight)")]
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
        return f"{self.author_name or 'anonymous'} (unregistered)"

    def stored_fields(self) -> dict:
        """The card's fields as they were at this version, read from django-reversion's data."""
        version = Version.objects.get(
            revision_id=self.revision_id,
            content_type=ContentType.objects.get_for_model(ModelCard),
            object_id=str(self.card_id),
        )
        try:
            return version.field_dict
        except RevertError as exc:  # damaged stored data: a clear page, not a 500 (modelcards/unreadable.py)
            raise UnreadableVersion(self.card_id, self.number) from exc


class InvalidTransition(Exception):
    """A suggestion asked to move to a status its current status does not allow."""


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)

    def changes_requested(self):
        return self.filter(status=Suggestion.Status.CHANGES_REQUESTED)

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
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        ACCEPTED = "accepted", "Accepted"
        PARTLY_ACCEPTED = "partly_accepted", "Partly accepted"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Open: the author may still revise it. Only a pending suggestion can be accepted: one waiting
    # for its author's changes can be rejected, but accepting it would skip the revision asked for.
    OPEN_STATUSES = (Status.PENDING, Status.CHANGES_REQUESTED)

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
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    revision_number = models.PositiveIntegerField(
        default=1, help_text="Number of the current revision; SuggestionRevision keeps each one once revised."
    )
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
    note = models.TextField(
        blank=True, help_text="The moderator's note; required when rejecting or asking for changes."
    )
    version = models.OneToOneField(
        CardVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestion"
    )
    # Issue 16 item 2: a suggestion the upstream sync filed, with the Hub commit it brings.
    upstream_repo = models.CharField(max_length=200, blank=True)
    upstream_commit = models.CharField(max_length=64, blank=True)

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
                condition=~Q(status__in=["accepted", "partly_accepted", "rejected"])
                | Q(decided_at__isnull=False),
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
    def is_open(self) -> bool:
        """Still with its author or the moderators: neither decided nor withdrawn."""
        return self.status in self.OPEN_STATUSES

    @property
    def changes_requested(self) -> bool:
        return self.status == self.Status.CHANGES_REQUESTED

    def token_matches(self, token: str) -> bool:
        """Whether `token` is this anonymous suggestion's private link; an account's suggestion has none."""
        # Compared as bytes: compare_digest refuses str with non-ASCII characters, which anyone can send.
        return bool(self.access_token) and hmac.compare_digest(
            (token or "").encode("utf-8"), self.access_token.encode("utf-8")
        )

    @property
    def author_display(self) -> str:
        if self.author_id:
            return self.author.get_username()
        return f"{self.author_name or 'anonymous'} (not logged in)"

    # What a decision changes: saving only these leaves the 20 KB text alone (no second copy in the WAL).
    DECISION_FIELDS = ("status", "moderator", "note", "decided_at", "card", "version", "updated_at")

    def mark_decided(self, status: str, *, moderator, note: str = "") -> None:
        # Waiting for its author's changes, a suggestion can be turned down but not accepted.
        if not (self.is_pending or (self.is_open and status == self.Status.REJECTED)):
            raise InvalidTransition(f"This suggestion was already {self.get_status_display().lower()}.")
        self.status = status
        self.moderator = moderator
        self.note = note
        self.decided_at = timezone.now()

    def mark_withdrawn(self) -> None:
        if not self.is_open:
            status = self.get_status_display().lower()
            raise InvalidTransition(f"Only an open suggestion can be withdrawn; this one was {status}.")
        self.status = self.Status.WITHDRAWN

    def mark_changes_requested(self, *, moderator, note: str) -> None:
        """Hand the suggestion back to its author; it is not decided, so it has no decision time."""
        if not self.is_pending:
            raise InvalidTransition(f"This suggestion was already {self.get_status_display().lower()}.")
        self.status = self.Status.CHANGES_REQUESTED
        self.moderator = moderator
        self.note = note

    def mark_revised(self, *, text: str, base_version: int) -> int:
        """Take a new revision's text; it waits for review again. Returns the revision's number."""
        if not self.is_open:
            status = self.get_status_display().lower()
            raise InvalidTransition(f"This suggestion was {status}; it can no longer be revised.")
        self.text = text
        self.base_version = base_version
        self.status = self.Status.PENDING
        self.revision_number += 1
        return self.revision_number

    REVISION_FIELDS = ("text", "base_version", "status", "revision_number", "held", "updated_at")


class Comment(models.Model):
    """A message in a suggestion's discussion or in a card's talk thread (exactly one of the two).

    In a suggestion's discussion a comment may sit on one line of the suggestion's diff: the
    revision it was written on, the side ("old" for the base version's text, "new" for the
    suggested text) and the line number on that side. An anonymous suggestion's author replies
    through their private link without an account: then `author` is empty and `author_name` set.
    """

    class Side(models.TextChoices):
        OLD = "old", "Before"
        NEW = "new", "Suggested"

    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    thread = models.ForeignKey(
        "TalkThread", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    author_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="An anonymous suggestion's author's name, replying without an account.",
    )
    body = models.TextField()
    hidden = models.BooleanField(default=False)
    revision_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The suggestion's revision whose diff the commented line belongs to."
    )
    line_side = models.CharField(max_length=3, choices=Side.choices, blank=True)
    line_number = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(suggestion__isnull=False, thread__isnull=True)
                | Q(suggestion__isnull=True, thread__isnull=False),
                name="comment_belongs_to_one_place",
            ),
            # Only an anonymous suggestion's author, through their link, comments without an account.
            models.CheckConstraint(
                condition=Q(author__isnull=False) | Q(suggestion__isnull=False),
                name="comment_without_account_is_on_a_suggestion",
            ),
            models.CheckConstraint(
                condition=Q(revision_number__isnull=True, line_number__isnull=True, line_side="")
                | Q(
                    suggestion__isnull=False,
                    revision_number__gte=1,
                    line_number__gte=1,
                    line_side__in=["old", "new"],
                ),
                name="comment_line_is_whole_and_on_a_suggestion",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment #{self.pk}"

    @property
    def author_display(self) -> str:
        if self.author_id:
            return self.author.get_username()
        return f"{self.author_name or 'anonymous'} (unregistered)"

    @property
    def on_line(self) -> bool:
        return self.line_number is not None

    @property
    def line_anchor(self) -> str:
        """The id of the commented line's row in a review diff."""
        return f"line-{self.line_side}-{self.line_number}"


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


class WatchQuerySet(models.QuerySet):
    def active(self, now=None):
        """Watches that still count: an expired watch tells nobody anything, even before it is pruned."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))

    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class Watch(models.Model):
    class Duration(models.TextChoices):
        FOREVER = "forever", "Until I unwatch it"
        WEEK = "week", "For 1 week"
        MONTH = "month", "For 1 month"
        QUARTER = "quarter", "For 3 months"

    DAYS = {Duration.WEEK: 7, Duration.MONTH: 30, Duration.QUARTER: 91}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="watches")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the watch ends by itself; empty for a permanent watch."
    )

    objects = WatchQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "card"], name="unique_watch")]
        indexes = [  # what the cleanup deletes
            models.Index(fields=["expires_at"], condition=Q(expires_at__isnull=False), name="watch_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.card_id}"

    @classmethod
    def expiry_after(cls, duration: str, now=None):
        """When a watch chosen for `duration` ends (None: never)."""
        days = cls.DAYS.get(duration)
        return (now or timezone.now()) + timedelta(days=days) if days else None

    def is_active(self, now=None) -> bool:
        return self.expires_at is None or self.expires_at > (now or timezone.now())


class BlockQuerySet(models.QuerySet):
    def in_force(self):
        """Neither lifted nor past its expiry; compared with now, so no job has to end a block."""
        return self.filter(lifted_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class Block(models.Model):
    """Stops an account or an anonymous IP hash from suggesting and commenting.

    A block ends at `expires_at` (null: indefinitely) or when lifted; the row stays as the block log.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="blocks"
    )
    ip_hash = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="blocks_made"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blocks_lifted",
    )

    objects = BlockQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(ip_hash=""), name="block_names_user_or_ip_hash"
            )
        ]

    def __str__(self) -> str:
        return f"Block #{self.pk}"

    @property
    def hash_prefix(self) -> str:
        """Enough of an address hash to tell two blocks apart, never enough to be worth guessing from."""
        return self.ip_hash[:8]

    def refusal(self) -> str:
        """What the blocked person reads: until when, and why."""
        until = (
            f"until {self.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
            if self.expires_at
            else "indefinitely"
        )
        return f"You are blocked {until}: {self.reason}"


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
        PARTLY_ACCEPTED = "partial", "Suggestion partly accepted"
        REJECTED = "rejected", "Suggestion rejected"
        WITHDRAWN = "withdrawn", "Suggestion withdrawn"
        CHANGES_REQUESTED = "requested", "Changes requested"
        REVISED = "revised", "Suggestion revised"
        RENAMED = "renamed", "Card renamed"

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
        return f"{self.actor_name} (unregistered)" if self.actor_name else "anonymous"


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


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at=None)

    def shown(self):
        """Entries but those about a comment a moderator has since hidden (spam keeps no excerpt)."""
        return self.filter(Q(comment=None) | Q(comment__hidden=False))

    def for_listing(self):
        """What an inbox row shows and links to, in one query whatever the page holds."""
        kept = self.shown().select_related("card", "suggestion", "thread", "version", "actor")
        return kept.only(
            "user",
            "kind",
            "status",
            "subject",
            "place",
            "excerpt",
            "actor_name",
            "created_at",
            "read_at",
            "card__slug",
            "suggestion__id",
            "thread__id",
            "version__number",
            "actor__username",
        )


class Notification(models.Model):
    """One entry in a signed-in person's inbox: something happened that concerns them.

    Written in the transaction of the change it reports (modelcards/notifications/inbox.py). The pair
    (user, event) is unique, so reporting the same event twice leaves one entry. What the entry says
    (`subject`, `place`, `excerpt`) is kept as it was when it happened; where it links is read live.
    """

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision on your suggestion"
        REPLY = "reply", "Reply in a discussion you are in"
        MENTION = "mention", "Mention"
        VERSION = "version", "New version of a card you watch"
        REVISION = "revision", "Revision of a suggestion you asked to change"
        RENAMED = "renamed", "A card you watch was renamed"
        FIELD = "field", "Change to a field you watch"
        REVIEW_DUE = "review_due", "Card due for review"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    event = models.CharField(max_length=100, help_text="What happened, e.g. comment:12 or version:41.")
    status = models.CharField(max_length=20, blank=True, help_text="The decision taken, for decisions.")
    card = models.ForeignKey(ModelCard, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(TalkThread, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        CardVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    subject = models.CharField(max_length=300, help_text="The card (or proposed card) it is about.")
    place = models.CharField(
        max_length=200, blank=True, help_text="The talk thread's title, for replies there."
    )
    excerpt = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["user"], condition=Q(read_at=None), name="notification_unread"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.user_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def actor_display(self) -> str:
        if self.actor_id:
            return self.actor.get_username()
        return f"{self.actor_name} (unregistered)" if self.actor_name else "Someone"

    @property
    def headline(self) -> str:
        """One line of plain text saying what happened (the template escapes it)."""
        who, on = self.actor_display, self.subject
        if self.kind == self.Kind.DECISION:
            done = DECISION_WORDS.get(self.status, f"marked as {self.status.replace('_', ' ')}")
            return f"{who} {done} your suggestion on {on}"
        if self.kind == self.Kind.REVISION:
            return f"{who} revised the suggestion on {on} that you asked to change"
        if self.kind == self.Kind.VERSION:
            return f"{on}: version {self.version.number if self.version_id else '?'} by {who}"
        if self.kind == self.Kind.RENAMED:
            return f"{who} renamed {on}"
        if self.kind == self.Kind.FIELD:  # `place` holds the watched field (notifications/field_watches.py)
            what = "its MOF class dropped" if self.place == "mof_class_drop" else f"{self.place} changed"
            return f"{on}: {what} in version {self.version.number if self.version_id else '?'} by {who}"
        if self.kind == self.Kind.REVIEW_DUE:
            return f"{on} is due for review: is it still accurate?"
        where = f"the talk thread “{self.place}” on {on}" if self.thread_id else f"a suggestion on {on}"
        if self.kind == self.Kind.MENTION:
            return f"{who} mentioned you in {where}"
        return f"{who} replied in {where}"

    def target_url(self) -> str:
        """Where the entry leads: the diff of a version, the suggestion, the discussion or a renamed card."""
        if self.kind in (self.Kind.RENAMED, self.Kind.REVIEW_DUE):
            return self.card.get_absolute_url()
        if self.version_id:
            slug, number = self.card.slug, self.version.number
            if number > 1:
                return reverse("modelcards:diff", args=[slug, number - 1, number])
            return reverse("modelcards:version_detail", args=[slug, number])
        if self.thread_id:
            return reverse("modelcards:talk_thread", args=[self.card.slug, self.thread_id]) + "#comments"
        url = reverse("modelcards:suggestion_detail", args=[self.suggestion_id])
        return url + "#comments" if self.kind not in (self.Kind.DECISION, self.Kind.REVISION) else url


# How an inbox entry names a decision; a status not listed here reads "marked as <status>".
DECISION_WORDS = {
    "accepted": "accepted",
    "rejected": "rejected",
    "changes_requested": "asked for changes to",
    "partly_accepted": "accepted part of",
    "withdrawn": "withdrew",
}


class WatchlistFeedKey(models.Model):
    """The secret in a person's private watchlist feed address: feed readers cannot log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlist_feed_key"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Watchlist feed of {self.user_id}"


class SuggestionRevision(models.Model):
    """One kept text of a suggestion: the text as filed, each revision by its author, and what was left
    after a moderator accepted part of it.

    Written only once a suggestion gets a second text (the first revision is then recorded from the
    suggestion as it stood), so a suggestion that is never revised stores its text once. The
    suggestion always holds its latest revision's text; `Suggestion.revision_number` numbers them.
    """

    class Kind(models.TextChoices):
        FILED = "filed", "Filed"
        REVISED = "revised", "Revised by its author"
        REMAINDER = "remainder", "What was left after part was accepted"

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    summary = models.CharField(max_length=300)
    base_version = models.PositiveIntegerField(help_text="Version of the card this text was written against.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=80, blank=True, help_text="Name an anonymous author gave.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "number"], name="unique_revision_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Suggestion #{self.suggestion_id}, revision {self.number}"

    @property
    def author_display(self) -> str:
        if self.author_id:
            return self.author.get_username()
        return f"{self.author_name or 'anonymous'} (not logged in)"


class ChangeRequest(models.Model):
    """A moderator's request that the author revise a suggestion, kept after it is answered."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="change_requests")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField()
    revision_number = models.PositiveIntegerField(help_text="The revision the moderator asked to change.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Changes requested on suggestion #{self.suggestion_id}"


class PartialAcceptance(models.Model):
    """Part of a suggestion published as a version, and what became of the rest.

    The hunks are numbered from 1 in the diff of revision `revision_number` against `base_version`,
    as the moderator ticked them. `left_text` is that base with only the hunks not accepted applied:
    the part not taken, which either stays pending (as the suggestion's next revision) or is declined.
    """

    class Remainder(models.TextChoices):
        PENDING = "pending", "Left pending"
        DECLINED = "declined", "Declined"

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="partial_acceptances")
    version = models.OneToOneField(CardVersion, on_delete=models.CASCADE, related_name="partial_acceptance")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision_number = models.PositiveIntegerField()
    base_version = models.PositiveIntegerField()
    accepted_hunks = models.JSONField(default=list)
    left_hunks = models.JSONField(default=list)
    left_text = models.TextField()
    remainder = models.CharField(max_length=8, choices=Remainder.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Part of suggestion #{self.suggestion_id} as {self.version_id}"

    @property
    def accepted_label(self) -> str:
        """ "change 1", "changes 1 and 3" """
        return _changes_named(self.accepted_hunks)

    @property
    def left_label(self) -> str:
        return _changes_named(self.left_hunks)


def _changes_named(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    if len(words) == 1:
        return f"change {words[0]}"
    return f"changes {', '.join(words[:-1])} and {words[-1]}"


class CardProtectionQuerySet(models.QuerySet):
    def in_force(self, now=None):
        """Not lifted and not yet expired: expiry needs no job, it is a comparison with now."""
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class CardProtection(models.Model):
    """A moderator's limit on who may suggest edits to a card (issue 15 item 5); rows are its log.

    Protecting again lifts the one in force, so at most one row per card is unlifted.
    """

    class Level(models.TextChoices):
        SEMI = "semi", "Semi-protected"
        FULL = "full", "Fully protected"

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="protections")
    level = models.CharField(max_length=4, choices=Level.choices)
    reason = models.CharField(max_length=300)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CardProtectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["card"], condition=Q(lifted_at__isnull=True), name="one_unlifted_protection_per_card"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="protection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} #{self.pk}"

    @property
    def until_label(self) -> str:
        return f"until {self.expires_at:%Y-%m-%d %H:%M} UTC" if self.expires_at else "indefinitely"


class SlugRedirect(models.Model):
    """A slug a card was known by: every URL under it answers 301 to the card's current slug.

    Points at the card, not at a slug, so a card renamed twice resolves in one hop. The rename itself
    (who, when, why) is an Activity of kind "renamed"; this row only keeps the old address working.
    """

    old_slug = models.CharField(max_length=100, unique=True)
    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.old_slug} -> card #{self.card_id}"


class VisibilityChange(models.Model):
    """The hide/unhide log: one row per part of a version whose visibility a moderator or oversight
    member changed. Rows touching the suppressed level are shown to oversight only."""

    class Part(models.TextChoices):
        TEXT = "text", "Text"
        SUMMARY = "summary", "Summary"
        AUTHOR = "author", "Author name"

    version = models.ForeignKey(CardVersion, on_delete=models.CASCADE, related_name="visibility_changes")
    part = models.CharField(max_length=10, choices=Part.choices)
    before = models.PositiveSmallIntegerField(choices=Visibility.choices)
    after = models.PositiveSmallIntegerField(choices=Visibility.choices)
    reason = models.CharField(max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="visibility_change_has_reason")]

    def __str__(self) -> str:
        return f"{self.part} of {self.version_id}: {self.before} -> {self.after}"

    @property
    def oversight_only(self) -> bool:
        return Visibility.SUPPRESSED in (self.before, self.after)


class CardMaintainer(models.Model):
    """An account a moderator verified as a maintainer of a card: the model's developer (item 2).

    Revoking keeps the row (revoked_at) as the log; at most one unrevoked row per card and account.
    """

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="maintainers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="maintained")
    note = models.CharField(max_length=300, help_text="How the moderator verified it.")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-verified_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_maintainer_row_per_card_and_user",
            )
        ]

    def __str__(self) -> str:
        return f"maintainer {self.user_id} of card {self.card_id}"


class ContributorTrust(models.Model):
    """A moderator's hand decision on whether an account is trusted (item 1), overriding the
    automatic thresholds either way. No row: the thresholds decide."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust")
    trusted = models.BooleanField(help_text="Granted (true) or revoked (false) by hand.")
    reason = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{'trusted' if self.trusted else 'not trusted'}: {self.user_id}"


class HubLink(models.Model):
    """A card's repository on the Hugging Face Hub (issue 16): where it is imported from, what the
    upstream sync last saw there, and the pull request proposing this site's changes back."""

    card = models.OneToOneField(ModelCard, on_delete=models.CASCADE, related_name="hub_link")
    repo_id = models.CharField(max_length=200, help_text="owner/name on the Hub.")
    revision = models.CharField(max_length=200, default="main", help_text="The branch followed.")
    # The base of the next three-way merge: the upstream README as last imported or filed.
    upstream_commit = models.CharField(max_length=64, blank=True)
    upstream_text = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.CharField(max_length=300, blank=True)
    failures = models.PositiveSmallIntegerField(default=0, help_text="Failed checks in a row (backoff).")
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Proposing back (item 3): the card version last proposed, and its pull request on the Hub.
    proposed_version = models.PositiveIntegerField(default=0)
    pr_number = models.PositiveIntegerField(null=True, blank=True)
    pr_url = models.URLField(max_length=300, blank=True)
    pr_state = models.CharField(max_length=10, blank=True, help_text="open, merged, closed or draft.")
    pr_checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["repo_id"], name="hub_link_repo")]

    def __str__(self) -> str:
        return f"{self.card_id} <- {self.repo_id}@{self.revision}"


class FieldWatch(models.Model):
    """One person watching one field across every card (issue 16 item 4), e.g. any licence change;
    each has its own private Atom feed address (`feed_token`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_watches")
    field = models.CharField(max_length=100, help_text="A front-matter key, or mof_class_drop.")
    feed_token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["field", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "field"], name="one_field_watch_per_field")]
        indexes = [models.Index(fields=["field"], name="field_watch_by_field")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.field}"


class CardReview(models.Model):
    """A moderator's "reviewed, still accurate" (issue 16 item 5): a review without a text change,
    shown in the card's history beside the version it was made at."""

    card = models.ForeignKey(ModelCard, on_delete=models.CASCADE, related_name="reviews")
    version_number = models.PositiveIntegerField(help_text="The card's version when it was reviewed.")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="card_reviews"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["card", "version_number"], name="card_review_by_version")]

    def __str__(self) -> str:
        return f"review of {self.card_id} at v{self.version_number}"
