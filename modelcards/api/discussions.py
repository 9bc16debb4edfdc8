"""Endpoints for a card's talk page: its threads and their comments, read-only. Threads and comments
a moderator hid are shown only to moderators (a moderate-scope token), as on the site."""

from django.db.models import Count, Max, Q
from ninja import Query, Router

from ..models import ModelCard, TalkThread
from . import paths
from .auth import caller_of
from .cards import card_or_404
from .conditional import as_json, respond
from .errors import ApiError
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, Ordering, envelope, page_of
from .params import PAGING, only_params
from .people import person
from .responses import reading
from .schemas.discussions import ThreadDetail, ThreadList
from .suggestions import comment

router = Router(tags=["discussions"])

NEWEST_FIRST = Ordering("newest", (("pk", True, "int"),))
OLDEST_FIRST = Ordering("oldest", (("pk", False, "int"),))
CURSOR = Query(None, description="From `next_cursor` of the previous page.")
LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _threads(request, card: ModelCard):
    reviewer = caller_of(request).reviewer
    shown = Q() if reviewer else Q(comments__hidden=False)
    threads = card.threads.select_related("author").annotate(
        comment_count=Count("comments", filter=shown),
        last_comment_at=Max("comments__created_at", filter=shown),
    )
    return threads if reviewer else threads.filter(hidden=False)


def thread_row(card: ModelCard, thread: TalkThread) -> dict:
    return {
        "id": thread.pk,
        "title": thread.title,
        "author": person(thread.author),
        "closed": thread.closed,
        "hidden": thread.hidden,
        "created_at": thread.created_at.isoformat(),
        "comment_count": thread.comment_count,
        "last_comment_at": thread.last_comment_at.isoformat() if thread.last_comment_at else None,
        "url": paths.thread(card.slug, thread.pk),
        "html_url": f"{card.get_absolute_url()}talk/{thread.pk}/",
    }


def _changed_at(threads) -> object:
    return max((max(t.created_at, t.last_comment_at or t.created_at) for t in threads), default=None)


@router.get("/cards/{slug}/discussions/", response=reading(ThreadList), url_name="thread_list")
def list_threads(request, slug: str, cursor: str | None = CURSOR, limit: int = LIMIT):
    """The card's talk threads, newest first, with how many comments each has."""
    only_params(request, PAGING)
    card = card_or_404(ModelCard.objects.only("pk", "slug"), slug)
    page = page_of(_threads(request, card), NEWEST_FIRST, cursor=cursor, limit=limit)
    body = envelope(request, page, [thread_row(card, thread) for thread in page.rows])
    return respond(request, as_json(body, last_modified=_changed_at(page.rows)))


@router.get("/cards/{slug}/discussions/{int:pk}/", response=reading(ThreadDetail), url_name="thread_detail")
def get_thread(request, slug: str, pk: int, cursor: str | None = CURSOR, limit: int = LIMIT):
    """One thread and a page of its comments, oldest first."""
    only_params(request, PAGING)
    card = card_or_404(ModelCard.objects.only("pk", "slug"), slug)
    thread = _threads(request, card).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if thread is None:
        raise ApiError(404, "not_found", f"{card.slug} has no talk thread #{pk} (or none you may see).")
    comments = thread.comments.select_related("author")
    if not caller_of(request).reviewer:
        comments = comments.filter(hidden=False)
    page = page_of(comments, OLDEST_FIRST, cursor=cursor, limit=limit)
    body = {"thread": thread_row(card, thread), **envelope(request, page, [comment(c) for c in page.rows])}
    body["comments"] = body.pop("results")
    return respond(request, as_json(body, last_modified=_changed_at([thread])))
