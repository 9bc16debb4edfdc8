"""The on-site inbox: entries telling a signed-in person what concerns them, beside the mail.

Entries are written in the transaction of the change they report, one per person and event, so a
change that rolls back leaves none and reporting an event twice leaves one. Comments are picked up
by a post_save receiver here, so the views that post them (review, talk) need not know the inbox
exists. Nobody gets an entry for their own action, and nobody is told about a discussion they may
not read (a held suggestion, a hidden thread).

The header shows the unread count on every signed-in page, so it is cached per person under the
generation of ``inbox:<user pk>`` (config/generations.py), renewed when their entries change.
"""

import re
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from config import generations

from .. import permissions
from ..models import CardVersion, Comment, Notification, Suggestion, SuggestionRevision, Watch

ENTRY_SECONDS = 24 * 3600
# The header says "99+" past this: counting further costs time and tells nobody anything.
COUNT_SHOWN = 99
MAX_MENTIONS = 20
EXCERPT_CHARS = 200
# `@name` not preceded by a word character, so an email address mentions nobody.
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]{1,150})")


def _scope(user_pk) -> str:
    return f"inbox:{user_pk}"


def record(recipients: Iterable, *, kind: str, event: str, actor_id=None, **fields) -> None:
    """One entry about `event` for each user pk in `recipients` but the actor's, in this transaction."""
    users = sorted({pk for pk in recipients if pk and pk != actor_id})
    if not users:
        return
    Notification.objects.bulk_create(
        [Notification(user_id=pk, kind=kind, event=event, actor_id=actor_id, **fields) for pk in users],
        ignore_conflicts=True,
    )
    generations.invalidate_on_commit([_scope(pk) for pk in users])


def _subject(suggestion: Suggestion) -> str:
    if suggestion.card_id:
        return suggestion.card.title or suggestion.card.slug
    return suggestion.new_slug


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def new_version(version: CardVersion) -> None:
    """Everyone whose watch on the card is still running hears of the new version."""
    card = version.card
    watchers = Watch.objects.active().filter(card_id=card.pk, user__is_active=True)
    record(
        watchers.exclude(user_id=version.moderator_id).values_list("user_id", flat=True),
        kind=Notification.Kind.VERSION,
        event=f"version:{version.pk}",
        actor_id=version.author_id,
        actor_name=version.author_name,
        card=card,
        version=version,
        subject=(card.title or card.slug)[:300],
        excerpt=_excerpt(version.summary),
    )


def suggestion_decided(suggestion: Suggestion, outcome: str, moderator_id) -> None:
    """The author hears of any decision on their suggestion, whatever its status is called."""
    if suggestion.author_id == moderator_id:
        return
    record(
        [suggestion.author_id],
        kind=Notification.Kind.DECISION,
        # Per revision: a second request for changes, after the author revised, is news again.
        event=f"decision:{suggestion.pk}:{outcome}:{suggestion.revision_number}",
        actor_id=moderator_id,
        status=outcome,
        card_id=suggestion.card_id,
        suggestion=suggestion,
        subject=_subject(suggestion)[:300],
        excerpt=_excerpt(suggestion.note or suggestion.summary),
    )


def suggestion_revised(suggestion: Suggestion, revision: SuggestionRevision) -> None:
    """Each moderator who asked for changes to the suggestion hears of the author's revision."""
    askers = suggestion.change_requests.exclude(moderator=None).values_list("moderator_id", flat=True)
    record(
        askers,
        kind=Notification.Kind.REVISION,
        event=f"revision:{suggestion.pk}:{revision.number}",
        actor_id=suggestion.author_id,
        actor_name=suggestion.author_name,
        card_id=suggestion.card_id,
        suggestion=suggestion,
        subject=_subject(suggestion)[:300],
        excerpt=_excerpt(revision.summary),
    )


def review_due(reminders: Iterable[tuple]) -> None:
    """Each (card, event, user pks): those people hear the card is due for review; many cards, one write."""
    rows = [
        Notification(
            user_id=pk,
            kind=Notification.Kind.REVIEW_DUE,
            event=event,
            card=card,
            subject=(card.title or card.slug)[:300],
        )
        for card, event, users in reminders
        for pk in sorted(users)
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        generations.invalidate_on_commit(sorted({_scope(row.user_id) for row in rows}))


def mentioned_usernames(text: str) -> list[str]:
    """The names written as `@name`, first mention first, each once (a sentence's final dot dropped)."""
    found: dict[str, str] = {}
    for match in _MENTION.finditer(text):
        for name in (match.group(1), match.group(1).rstrip(".-+")):
            if name:
                found.setdefault(name.lower(), name)
    return list(found.values())[: MAX_MENTIONS * 2]


def _users_named(names: list[str]) -> list:
    if not names:
        return []
    query = reduce(or_, (Q(username__iexact=name) for name in names))
    return list(get_user_model().objects.filter(query, is_active=True)[:MAX_MENTIONS])


def comment_posted(comment: Comment) -> None:
    """Tell the people in the discussion, and anyone named with @, about a new comment."""
    if comment.suggestion_id:
        suggestion = comment.suggestion
        starter, public = suggestion.author_id, not suggestion.held
        earlier = Comment.objects.filter(suggestion_id=suggestion.pk)
        where = {"card_id": suggestion.card_id, "suggestion": suggestion, "subject": _subject(suggestion)}
    else:
        thread = comment.thread
        starter, public = thread.author_id, not thread.hidden
        earlier = Comment.objects.filter(thread_id=thread.pk)
        card = thread.card
        where = {"card": card, "thread": thread, "subject": card.title or card.slug, "place": thread.title}
    author_id = comment.author_id
    participants = {starter, *earlier.exclude(author=None).values_list("author_id", flat=True).distinct()}
    mentioned = _users_named(mentioned_usernames(comment.body))
    if not public:
        # A held suggestion's or hidden thread's discussion is for moderators (and a suggestion's author).
        def may_read(user) -> bool:
            return permissions.can_review(user) or (comment.suggestion_id and user.pk == starter)

        mentioned = [user for user in mentioned if may_read(user)]
        readers = get_user_model().objects.filter(pk__in=[pk for pk in participants if pk], is_active=True)
        participants = {user.pk for user in readers if may_read(user)}
    common = {
        "event": f"comment:{comment.pk}",
        "actor_id": author_id,
        "actor_name": (getattr(comment, "author_name", "") if author_id is None else "")[:150],
        "comment": comment,
        "excerpt": _excerpt(comment.body),
        **{key: value[:300] if isinstance(value, str) else value for key, value in where.items()},
    }
    mentioned_ids = {user.pk for user in mentioned}
    record(mentioned_ids, kind=Notification.Kind.MENTION, **common)
    record(participants - mentioned_ids, kind=Notification.Kind.REPLY, **common)


@receiver(post_save, sender=Comment)
def _comment_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        comment_posted(instance)


# --------------------------------------------------------------------------------------
# Reading


def _count(user_pk) -> int:
    return Notification.objects.shown().filter(user_id=user_pk, read_at=None)[: COUNT_SHOWN + 1].count()


def unread_count(user) -> int:
    """How many entries wait unread (COUNT_SHOWN + 1 standing for "more"), from the cache when shared."""
    if not settings.MODELCARDS_PAGE_CACHE:
        return _count(user.pk)
    key = f"modelcards:inbox-unread:{user.pk}"
    return generations.get_or_make(key, [_scope(user.pk)], lambda: _count(user.pk), ENTRY_SECONDS)


def unread_label(user) -> str:
    count = unread_count(user)
    return f"{COUNT_SHOWN}+" if count > COUNT_SHOWN else str(count)


def mark_read(entry: Notification) -> None:
    if entry.read_at is None:
        entry.read_at = timezone.now()
        Notification.objects.filter(pk=entry.pk, read_at=None).update(read_at=entry.read_at)
        generations.invalidate_on_commit([_scope(entry.user_id)])


def mark_all_read(user) -> int:
    count = Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
    if count:
        generations.invalidate_on_commit([_scope(user.pk)])
    return count
