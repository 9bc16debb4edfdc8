"""Field watches (issue 16 item 4): one person following one front-matter field across every card.

A field watch names a top-level key of the Hub's model card metadata (`license`, `base_model`, ...)
or the derived `mof_class_drop` (the card's Model Openness Framework class gets worse). Each new
version of any card is compared with the one before it in `write_version`'s transaction; for every
watched field it changes, each watcher but the version's author and moderator gets one inbox entry
(kind FIELD, event `field:<field>:<version pk>`, so it is written once) naming the card, the field and
the values before and after, and leading to the version's diff. A new card (version 1) changes no
field, so it reports nothing.

The inbox entries are also what each watch's private Atom feed lists: the owner's entries for that
field since the watch began. No version is diffed when a feed is read, and an entry that a
visibility change makes untrue is rewritten then (`follow_visibility`), as the inbox's own are.
"""

import json
import secrets

from config import generations

from ..governance import visibility
from ..models import CardVersion, FieldWatch, Notification
from ..openness.mof import CLASS_NAMES
from .inbox import _scope

FEED_TOKEN_BYTES = 32  # 43 URL-safe characters
MOF_CLASS_DROP = "mof_class_drop"
# The top-level keys of the Hub's model card metadata (hub-docs modelcard.md) the site checks or shows.
FRONT_MATTER_FIELDS = (
    "license",
    "license_name",
    "license_link",
    "base_model",
    "base_model_relation",
    "datasets",
    "language",
    "pipeline_tag",
    "library_name",
    "tags",
    "metrics",
    "model-index",
    "new_version",
    "co2_eq_emissions",
)
FIELDS = {**{name: name for name in FRONT_MATTER_FIELDS}, MOF_CLASS_DROP: "MOF class drops"}
VALUE_CHARS = 140  # each side of "old → new"; the excerpt holds 300
NONE = "(none)"


class FieldWatchError(ValueError):
    """A field watch the rules refuse; the message says why, for the person who asked."""


def label(field: str) -> str:
    return FIELDS.get(field, field)


def choices() -> list[tuple[str, str]]:
    return list(FIELDS.items())


# --------------------------------------------------------------------------------------
# Watching


def check_field(field: str) -> str:
    field = (field or "").strip()
    if field not in FIELDS:
        shown = field[:40] or "(nothing)"
        raise FieldWatchError(f"“{shown}” is not a field you can watch. Choose one of: {', '.join(FIELDS)}.")
    return field


def watch_field(user, field: str) -> tuple[FieldWatch, bool]:
    """Watch `field` on every card; (the watch, whether it is new). Watching it again changes nothing."""
    field = check_field(field)
    return FieldWatch.objects.get_or_create(user=user, field=field, defaults={"feed_token": _new_token()})


def unwatch_field(user, field: str) -> bool:
    """Stop watching `field`; False if it was not watched. Its feed address stops working."""
    deleted, _by_model = FieldWatch.objects.filter(user=user, field=field).delete()
    return bool(deleted)


def watches_of(user):
    """The person's field watches, by field: the only way views reach one, so strangers find none."""
    return FieldWatch.objects.filter(user=user).order_by("field")


def new_feed_token(watch: FieldWatch) -> FieldWatch:
    """A new secret for the watch's feed address; the old address stops working at once."""
    watch.feed_token = _new_token()
    watch.save(update_fields=["feed_token"])
    return watch


def _new_token() -> str:
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


def watch_for_token(token: str) -> FieldWatch | None:
    """The field watch of an active account whose feed `token` opens, or None."""
    if not token or len(token) > 64:
        return None
    return FieldWatch.objects.filter(feed_token=token, user__is_active=True).first()


# --------------------------------------------------------------------------------------
# What changed


def _is_empty(value) -> bool:
    return value is None or value == ""


def _shown(value) -> str:
    """A short plain-text form of a front-matter value (templates and feeds escape it)."""
    if _is_empty(value):
        text = NONE
    elif isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        text = ", ".join(str(item) for item in value) or "(empty list)"
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "), default=str)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _class_name(mof_class) -> str:
    return CLASS_NAMES.get(mof_class, "No MOF class")


def _openness_rank(mof_class) -> int:
    """Higher is more open: Class I (1) is the most open class, no class (0) the least."""
    return 0 if not mof_class else 4 - mof_class


def changes(old_metadata: dict, new_metadata: dict, old_mof_class: int, new_mof_class: int) -> dict:
    """{watchable field: "old → new"} for each watchable field that changed between the two states."""
    old_metadata = old_metadata if isinstance(old_metadata, dict) else {}
    new_metadata = new_metadata if isinstance(new_metadata, dict) else {}
    found = {}
    for field in FRONT_MATTER_FIELDS:
        old, new = old_metadata.get(field), new_metadata.get(field)
        if old != new and not (_is_empty(old) and _is_empty(new)):
            found[field] = f"{_shown(old)} → {_shown(new)}"
    if _openness_rank(new_mof_class) < _openness_rank(old_mof_class):
        found[MOF_CLASS_DROP] = f"{_class_name(old_mof_class)} → {_class_name(new_mof_class)}"
    return found


def notify_field_changes(
    version: CardVersion, old_metadata: dict, new_metadata: dict, old_mof_class: int, new_mof_class: int
) -> int:
    """Tell each watcher of a field `version` changed, in the caller's transaction; how many entries.

    The version's author and moderator are not told of their own change. Two queries whatever the
    number of watchers: one for the watches of the changed fields, one to write every entry.
    """
    if version.number <= 1:
        return 0
    changed = changes(old_metadata, new_metadata, old_mof_class, new_mof_class)
    if not changed:
        return 0
    actors = [pk for pk in (version.author_id, version.moderator_id) if pk]
    watches = (
        FieldWatch.objects.filter(field__in=list(changed), user__is_active=True)
        .exclude(user_id__in=actors)
        .values_list("user_id", "field")
    )
    card = version.card
    subject = (card.title or card.slug)[:300]
    entries = [
        Notification(
            user_id=user_id,
            kind=Notification.Kind.FIELD,
            event=f"field:{field}:{version.pk}",
            actor_id=version.author_id,
            actor_name=version.author_name[:150],
            card=card,
            version=version,
            subject=subject,
            place=field,  # the watched field: what the entry's headline names and its feed filters on
            excerpt=changed[field][:300],
        )
        for user_id, field in watches
    ]
    if not entries:
        return 0
    Notification.objects.bulk_create(entries, ignore_conflicts=True)
    generations.invalidate_on_commit(sorted({_scope(entry.user_id) for entry in entries}))
    return len(entries)


# --------------------------------------------------------------------------------------
# Reading and keeping entries true


def feed_entries(watch: FieldWatch, limit: int):
    """The latest changes to the watch's field, newest first: its owner's entries since it began."""
    return (
        Notification.objects.filter(
            user_id=watch.user_id,
            kind=Notification.Kind.FIELD,
            place=watch.field,
            created_at__gte=watch.created_at,
        )
        .select_related("card", "version", "version__author")
        .only(
            "kind",
            "place",
            "excerpt",
            "subject",
            "created_at",
            "card__slug",
            "card__title",
            "version__number",
            "version__summary",
            "version__author_name",
            "version__summary_visibility",
            "version__author_visibility",
            "version__text_visibility",
            "version__author__username",
        )
        .order_by("-created_at", "-pk")[:limit]
    )


def follow_visibility(version: CardVersion, changing: list[str]) -> None:
    """Field entries copy a version's author and values read from its text and the text before it:
    when a moderator hides or shows either again, the entries follow (visibility.change_visibility)."""
    entries = Notification.objects.filter(kind=Notification.Kind.FIELD)
    touched = set()
    if "author" in changing:
        shown = visibility.shows(version, "author")
        about_it = entries.filter(version=version)
        about_it.update(
            actor_id=version.author_id if shown else None, actor_name=version.author_name if shown else ""
        )
        touched.update(about_it.values_list("user_id", flat=True))
    if "text" in changing:
        # An entry's values come from its version's text and the one before: this version's entries,
        # and the next version's.
        around = {
            row.number: row
            for row in CardVersion.objects.filter(
                card_id=version.card_id, number__in=(version.number - 1, version.number, version.number + 1)
            )
        }
        around[version.number] = version
        for number in (version.number, version.number + 1):
            later, earlier = around.get(number), around.get(number - 1)
            if later is None or earlier is None:
                continue
            about = entries.filter(version=later)
            if not about.exists():
                continue
            if visibility.shows(later, "text") and visibility.shows(earlier, "text"):
                before, after = earlier.stored_fields(), later.stored_fields()
                found = changes(
                    before.get("metadata"),
                    after.get("metadata"),
                    before.get("mof_class", 0),
                    after.get("mof_class", 0),
                )
                for field, excerpt in found.items():
                    about.filter(place=field).update(excerpt=excerpt[:300])
            else:
                about.update(excerpt="")
            touched.update(about.values_list("user_id", flat=True))
    if touched:
        generations.invalidate_on_commit([_scope(pk) for pk in touched])
