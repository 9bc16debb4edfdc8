"""Endpoints for suggestions: the list and one suggestion as the site shows them to the caller, its
discussion, and filing one under the same rules as the suggestion form."""

from typing import Literal

from django.db.models import Max
from ninja import Query, Router

from accounts.models import ApiToken

from .. import limits, suggestion_rules
from ..cardfile import UnknownSection, parse_or_problems, replace_section
from ..forms import NewCardSuggestionForm, SuggestionForm
from ..governance import visibility
from ..governance.protection import describe as describe_protection
from ..governance.protection import refusal as protection_refusal
from ..models import Activity, CardVersion, ModelCard, Suggestion
from ..workflow import CardExists, CardProtected, NoChange, WorkflowError, submit_suggestion, text_at_version
from . import paths
from .auth import caller_of
from .conditional import as_json, respond
from .errors import ApiError
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, Ordering, envelope, page_of
from .params import PAGING, only_params
from .people import person
from .responses import reading
from .schemas.common import ErrorBody
from .schemas.suggestions import (
    CommentList,
    SuggestionCreate,
    SuggestionCreated,
    SuggestionDetail,
    SuggestionList,
)

router = Router(tags=["suggestions"])

NEWEST_FIRST = Ordering("newest", (("pk", True, "int"),))
OLDEST_FIRST = Ordering("oldest", (("pk", False, "int"),))
LIST_PARAMS = ("card", "status", "held", *PAGING)
STATUSES = Literal[
    "pending", "changes_requested", "accepted", "partly_accepted", "rejected", "withdrawn", "all"
]
TOKEN = Query(
    None, description="An unregistered author's private key (`access_token`): sees their held suggestion."
)
STATUS = Query("pending", description="As the review queue's tabs; `all` for every status.")
CREATE_ERRORS = (400, 401, 403, 409, 413, 415, 429)


def _held_hidden(request, suggestion: Suggestion, token: str | None) -> bool:
    """Held suggestions show to moderators, their author's token, or the private key of an anonymous one."""
    caller = caller_of(request)
    if not suggestion.held or caller.reviewer:
        return False
    if suggestion.author_id:
        return caller.user.pk != suggestion.author_id
    return not suggestion.token_matches(token or "")


def _suggestion_or_404(request, pk: int, token: str | None) -> Suggestion:
    suggestion = (
        Suggestion.objects.select_related("card", "author", "moderator", "version").filter(pk=pk).first()
        if 0 < pk < 2**63
        else None
    )
    if suggestion is None or _held_hidden(request, suggestion, token):
        raise ApiError(404, "not_found", f"There is no suggestion #{pk} (or none you may see).")
    return suggestion


@router.get("/suggestions/", response=reading(SuggestionList, 400, 401, 403), url_name="suggestion_list")
def list_suggestions(
    request,
    card: str = Query("", description="Slug of a card: only its suggestions."),
    status: STATUSES = STATUS,
    held: bool | None = Query(
        None, description="true: only those held for a moderator's look (a moderator's moderate token)."
    ),
    cursor: str | None = Query(None, description="From `next_cursor` of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    """Suggestions, newest first. Held ones are listed only for moderators (a moderate-scope token) and,
    for their own, for their authors' tokens, as on the site."""
    only_params(request, LIST_PARAMS)
    caller = caller_of(request)
    if held:
        caller.require(ApiToken.Scope.MODERATE, "Listing held suggestions")
        if not caller.reviewer:
            raise ApiError(403, "forbidden", "Only moderators see the suggestions held for a look.")
    rows = Suggestion.objects.visible_to(caller.user, reviewer=caller.reviewer)
    if card:
        rows = rows.filter(card__slug=card)
    if status != "all":
        rows = rows.filter(status=status)
    if held is not None:
        rows = rows.filter(held=held)
    rows = rows.select_related("card", "author", "version").defer(
        "text", "card__text", "card__metadata", "card__line_versions"
    )
    page = page_of(rows, NEWEST_FIRST, cursor=cursor, limit=limit)
    # Every change to a suggestion (filed, revised, decided, withdrawn) writes an activity row.
    newest = Activity.objects.aggregate(newest=Max("created_at"))["newest"]
    return respond(
        request, as_json(envelope(request, page, [row(s) for s in page.rows]), last_modified=newest)
    )


def row(suggestion: Suggestion) -> dict:
    # Issue 15 item 4: at the public level, whoever asks; its version's hidden parts are null here.
    hidden = visibility.suggestion_withheld(suggestion)
    return {
        "id": suggestion.pk,
        "card": suggestion.card.slug if suggestion.card_id else None,
        "new_card_slug": suggestion.new_slug or None,
        "status": suggestion.status,
        "held": suggestion.held,
        "summary": None if "summary" in hidden else suggestion.summary,
        "author": None if "author" in hidden else person(suggestion.author, suggestion.author_name),
        "hidden": hidden,
        "base_version": suggestion.base_version,
        "section": suggestion.section,
        "revision": suggestion.revision_number,
        "created_at": suggestion.created_at.isoformat(),
        "updated_at": suggestion.updated_at.isoformat(),
        "decided_at": suggestion.decided_at.isoformat() if suggestion.decided_at else None,
        "url": paths.suggestion(suggestion.pk),
        "html_url": suggestion.get_absolute_url(),
    }


def detail(suggestion: Suggestion) -> dict:
    return {
        **(shown := row(suggestion)),
        "text": None if "text" in shown["hidden"] else suggestion.text,
        "moderator": person(suggestion.moderator) if suggestion.moderator_id else None,
        "note": suggestion.note,
        "version": suggestion.version.number if suggestion.version_id else None,
        "comments": paths.suggestion_comments(suggestion.pk),
    }


@router.get("/suggestions/{int:pk}/", response=reading(SuggestionDetail), url_name="suggestion_detail")
def get_suggestion(request, pk: int, token: str | None = TOKEN):
    """One suggestion with its whole suggested text."""
    only_params(request, ("token",))
    suggestion = _suggestion_or_404(request, pk, token)
    return respond(request, as_json(detail(suggestion), last_modified=suggestion.updated_at))


@router.get("/suggestions/{int:pk}/comments/", response=reading(CommentList), url_name="suggestion_comments")
def list_suggestion_comments(
    request,
    pk: int,
    token: str | None = TOKEN,
    cursor: str | None = Query(None, description="From `next_cursor` of the previous page."),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    """The suggestion's discussion, oldest first; comments hidden by a moderator only for moderators."""
    only_params(request, ("token", *PAGING))
    suggestion = _suggestion_or_404(request, pk, token)
    comments = suggestion.comments.select_related("author")
    if not caller_of(request).reviewer:
        comments = comments.filter(hidden=False)
    page = page_of(comments, OLDEST_FIRST, cursor=cursor, limit=limit)
    newest = max((c.created_at for c in page.rows), default=suggestion.created_at)
    body = envelope(request, page, [comment(c) for c in page.rows])
    return respond(request, as_json(body, last_modified=newest))


def comment(item) -> dict:
    return {
        "id": item.pk,
        "author": person(item.author, item.author_name),
        "body": item.body,
        "created_at": item.created_at.isoformat(),
        "hidden": item.hidden,
        "line": (
            {"revision": item.revision_number, "side": item.line_side, "line": item.line_number}
            if item.line_number is not None
            else None
        ),
    }


@router.post(
    "/suggestions/",
    response={201: SuggestionCreated, **dict.fromkeys(CREATE_ERRORS, ErrorBody)},
    url_name="suggestion_create",
)
def create_suggestion(request, payload: SuggestionCreate):
    """File a suggestion, under the suggestion form's rules: the site's account rule, blocks, the rate
    limit, the link hold and every check of the text. Without a token it is filed as anonymous (where
    the site allows that) and the answer carries its private `access_token`, once."""
    only_params(request, ())
    caller = caller_of(request)
    anonymous = caller.token is None
    if not anonymous:
        caller.require(ApiToken.Scope.SUGGEST, "Filing a suggestion")
    elif suggestion_rules.must_sign_in(request.user):
        raise ApiError(
            401,
            "authentication_required",
            "This site takes suggestions only from accounts: send an API token with the “suggest” scope.",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    if suggestion_rules.must_verify(request.user):
        raise ApiError(403, "forbidden", suggestion_rules.VERIFY_FIRST)
    if block := limits.block_in_force(request):
        raise ApiError(403, "blocked", block.refusal())
    _refuse_fields_of_the_other_kind(payload, anonymous=anonymous)
    card = None
    if payload.card is not None:
        card = ModelCard.objects.filter(slug=payload.card[:200]).first()
        if card is None:
            raise _invalid({"card": ["There is no card with this slug."]})
        if (protection := protection_refusal(card, request.user)) is not None:
            raise ApiError(403, "protected", describe_protection(protection))
    cleaned = _checked_form(payload, card=card, anonymous=anonymous)
    text, base_version = _proposed_text(card, cleaned["text"], payload)
    problems = parse_or_problems(text)[1]
    if problems:
        raise _invalid({"text": problems})
    if wait := limits.seconds_until_allowed(request, "suggest"):
        raise ApiError(
            429,
            "rate_limited",
            f"You have made many suggestions in a short time; try again in {limits.describe_wait(wait)}.",
            headers={"Retry-After": str(wait)},
        )
    held = suggestion_rules.holds_for_links(text, card=card, base_version=base_version, author=request.user)
    try:
        suggestion = submit_suggestion(
            card=card,
            text=text,
            summary=cleaned["summary"],
            base_version=base_version,
            author=request.user,
            author_name=cleaned.get("author_name", ""),
            ip_hash=limits.ip_hash(request) if anonymous else "",
            section=payload.section,
            new_slug=cleaned.get("slug", ""),
            held=held,
            watch=cleaned.get("watch", False),
        )
    except CardExists as exc:
        raise ApiError(409, "conflict", str(exc), fields={"new_card_slug": [str(exc)]}) from exc
    except NoChange as exc:
        raise ApiError(409, "no_change", str(exc), fields={"text": [str(exc)]}) from exc
    except CardProtected as exc:  # protected between the early check and the filing
        raise ApiError(403, "protected", str(exc)) from exc
    except WorkflowError as exc:
        raise _invalid({"text": [str(exc)]}) from exc
    created = {**detail(suggestion), "access_token": suggestion.access_token or None}
    representation = as_json(created, last_modified=suggestion.updated_at, status=201)
    return respond(request, representation, headers={"Location": paths.suggestion(suggestion.pk)})


def _invalid(fields: dict) -> ApiError:
    return ApiError(400, "invalid_request", "The suggestion was not filed; see `fields`.", fields=fields)


def _refuse_fields_of_the_other_kind(payload: SuggestionCreate, *, anonymous: bool) -> None:
    if anonymous and payload.watch is not None:
        raise _invalid({"watch": ["Only a suggestion filed with a token can watch the card."]})
    if not anonymous and payload.author_name is not None:
        raise _invalid(
            {"author_name": ["A suggestion filed with a token is shown under its account's name."]}
        )
    if payload.new_card_slug is not None and payload.watch is not None:
        raise _invalid({"watch": ["A new card does not exist yet, so it cannot be watched."]})


# The suggestion form's fields, named as the API names them.
_FORM_FIELDS = {"slug": "new_card_slug", "__all__": "body"}


def _checked_form(payload: SuggestionCreate, *, card, anonymous: bool) -> dict:
    """The suggestion form's own checks (sizes, one-line summary and name, slug rules), on the payload."""
    form_class = SuggestionForm if card is not None else NewCardSuggestionForm
    data = {
        "text": payload.text,
        "summary": payload.summary,
        "base_version": str(payload.base_version or 0),
        "author_name": payload.author_name or "",
        "slug": payload.new_card_slug or "",
        "watch": "on" if payload.watch is not False else "",
    }
    form = form_class(data, anonymous=anonymous)
    if not form.is_valid():
        raise _invalid(
            {
                _FORM_FIELDS.get(name, name): [str(message) for message in errors]
                for name, errors in form.errors.items()
            }
        )
    return form.cleaned_data


def _proposed_text(card, text: str, payload: SuggestionCreate) -> tuple[str, int]:
    """The whole README.md suggested, and the version it was written against (0 for a new card)."""
    if card is None:
        return text, 0
    base_version = payload.base_version
    if not 1 <= base_version <= card.version_number:
        raise _invalid({"base_version": [f"The card has versions 1 to {card.version_number}."]})
    if payload.section is None:
        return text, base_version
    try:
        return replace_section(text_at_version(card, base_version), payload.section, text), base_version
    except (UnknownSection, CardVersion.DoesNotExist) as exc:
        raise _invalid({"section": ["The card has no such section at that version."]}) from exc
