"""The review queue and a suggestion's page: its diff, revisions, discussion and decision forms."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse

from .. import permissions
from ..diffing import cached_diff_texts
from ..editor import body_of
from ..forms import BlockForm, CommentForm, DecisionForm, PartAcceptForm
from ..governance import visibility
from ..governance.maintainers import with_maintainer_flag
from ..models import ChangeRequest, PartialAcceptance, Suggestion
from ..workflow import (
    change_since_previous,
    hunk_numbers,
    hunks_fingerprint,
    prepare_acceptance,
    revision_list,
    text_at_version,
    text_fingerprint,
)
from .cards import markdown_response, render_body
from .review_diff import parse_line, review_hunks
from .suggestion_access import get_suggestion, is_author, shown_token, with_token
from .visibility import suggestion_refusal

QUEUE_PAGE_SIZE = 50
# A merge with more conflicts than this is not laid out one conflict at a time (each is a form with
# three texts and a text box): the moderator edits the marked text, or rejects the suggestion.
MAX_CONFLICTS_SHOWN = 100
# The queue's tabs, in order; those counted are the ones waiting for someone.
QUEUE_TABS = (
    Suggestion.Status.PENDING,
    Suggestion.Status.CHANGES_REQUESTED,
    Suggestion.Status.ACCEPTED,
    Suggestion.Status.PARTLY_ACCEPTED,
    Suggestion.Status.REJECTED,
    Suggestion.Status.WITHDRAWN,
)
COUNTED = (Suggestion.Status.PENDING, Suggestion.Status.CHANGES_REQUESTED)


def suggestion_list(request):
    reviewer = permissions.can_review(request.user)
    visible = Suggestion.objects.visible_to(request.user, reviewer=reviewer)
    card_slug = request.GET.get("card", "").strip()
    if card_slug:
        visible = visible.filter(card__slug=card_slug)
    status = request.GET.get("status", Suggestion.Status.PENDING)
    if status not in Suggestion.Status.values and status != "all":
        status = Suggestion.Status.PENDING
    suggestions = visible if status == "all" else visible.filter(status=status)
    counts = visible.aggregate(**{value: Count("pk", filter=Q(status=value)) for value in COUNTED})
    page = Paginator(
        with_maintainer_flag(
            suggestions.select_related("card", "author", "version").order_by("created_at", "pk").defer("text")
        ),
        QUEUE_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    level = visibility.viewer_level(request.user)
    for shown in page.object_list:  # issue 15 item 4: the author of a version hidden since it was accepted
        shown.author_withheld = "author" in visibility.suggestion_withheld(shown, level)
    params = request.GET.copy()
    params.pop("page", None)
    tabs = [
        (
            value,
            Suggestion.Status(value).label,
            counts.get(value),
            with_token("", "", status=value, card=card_slug),
        )
        for value in QUEUE_TABS
    ] + [("all", "All", None, with_token("", "", status="all", card=card_slug))]
    return render(
        request,
        "modelcards/suggestion_list.html",
        {
            "page_obj": page,
            "suggestions": page.object_list,
            "status": status,
            "card_slug": card_slug,
            "statuses": Suggestion.Status.choices,
            "tabs": tabs,
            "querystring": params.urlencode(),
            "is_paginated": page.paginator.num_pages > 1,
            "paginator": page.paginator,
        },
    )


def suggestion_detail(request, pk):
    suggestion = get_suggestion(request, pk)
    if (refusal := suggestion_refusal(request, suggestion)) is not None:
        return refusal
    line = None
    if raw_line := request.GET.get("line", ""):
        line = parse_line(raw_line)
        if line is None or not (suggestion.is_open and suggestion.card_id):
            return detail_page(
                request,
                suggestion,
                status=400,
                problem="That is not a line of this suggestion's diff that can be commented on.",
            )
    return detail_page(request, suggestion, comment_line=line)


def suggestion_markdown(request, pk):
    """The suggested README.md as a file, for whoever may see the suggestion's page."""
    suggestion = get_suggestion(request, pk, for_page=False)
    if (refusal := suggestion_refusal(request, suggestion)) is not None:
        return refusal
    return markdown_response(suggestion.text)


def _version_file(card, number: int) -> str:
    return reverse("modelcards:version_markdown", args=[card.slug, number]) if card and number else ""


def detail_page(
    request,
    suggestion,
    *,
    status=200,
    edited_text=None,
    comment_body=None,
    comment_line=None,
    problem="",
    ticked=(),
):
    """The suggestion's page. What a refused form sent comes back in it: a moderator's edited text
    (`edited_text`, its box opened), a comment's text and line, the hunks that were ticked."""
    reviewer = permissions.can_review(request.user)
    card = suggestion.card
    token = shown_token(request, suggestion)
    page_url = suggestion.get_absolute_url()
    comments = suggestion.comments.select_related("author")
    if not reviewer:
        comments = comments.filter(hidden=False)
    comments = list(comments)
    visibility.mask_comments(comments, suggestion)
    context = {
        "suggestion": suggestion,
        "card": card,
        "reviewer": reviewer,
        "is_author": is_author(request, suggestion),
        "token": token,
        "comments": comments,
        "comment_form": CommentForm(initial={"body": comment_body or ""}),
        "comment_line": comment_line,
        "problem": problem,
        "may_comment": request.user.is_authenticated or bool(token),
        "revise_url": with_token(reverse("modelcards:suggestion_revise", args=[suggestion.pk]), token),
    }
    context.update(_history(suggestion))
    edit_text = suggestion.text
    # Where a diff too large to show offers both texts (diff_too_large.html).
    suggested_file = with_token(reverse("modelcards:suggestion_markdown", args=[suggestion.pk]), token)
    context["base_files"] = (_version_file(card, suggestion.base_version), suggested_file)
    render_problem = ""
    if card is not None and suggestion.version_id is None:
        base_text = text_at_version(card, suggestion.base_version) if suggestion.base_version else ""
        diff = cached_diff_texts(base_text, suggestion.text)
        context["base_diff"] = diff
        preview = body_of(suggestion.text)
        if suggestion.is_open:
            context["review_hunks"] = review_hunks(
                diff,
                comments,
                revision_number=suggestion.revision_number,
                page_url=page_url if context["may_comment"] else "",
                token=token,
            )
        if suggestion.is_pending:
            acceptance = prepare_acceptance(suggestion, card)
            context["acceptance"] = acceptance
            if acceptance.stale and not acceptance.conflicted:
                context["current_diff"] = cached_diff_texts(card.text, acceptance.result_text)
                context["current_file"] = reverse("modelcards:card_markdown", args=[card.slug])
            # Both start from the current text: the suggestion's old base would undo later changes.
            (preview, render_problem), edit_text = _would_look(acceptance), acceptance.edit_text
            context["conflicts_shown"] = acceptance.conflicted and preview is not None
            if reviewer:
                context["hunk_count"] = len(hunk_numbers(diff))
    elif suggestion.version_id:
        number = suggestion.version.number
        published = suggestion.version.stored_fields()["text"]
        context["base_diff"] = cached_diff_texts(
            text_at_version(card, number - 1) if number > 1 else "", published
        )
        context["base_files"] = (_version_file(card, number - 1), _version_file(card, number))
        preview = body_of(published)
    else:
        context["base_diff"] = cached_diff_texts("", suggestion.text)
        preview = body_of(suggestion.text)
    # Only the body is shown; splitting it off needs no YAML parse (the text was checked when filed).
    context["rendered"], context["render_problem"] = (
        render_body(preview) if preview is not None else (None, render_problem)
    )
    if reviewer and suggestion.is_open:
        context["decision_form"] = DecisionForm(
            initial={
                "seen_fingerprint": text_fingerprint(suggestion.text),
                "seen_version": card.version_number if card else 0,
            }
        )
        context["block_form"] = BlockForm()
        context["next_pending"] = following_pending(suggestion)
    if reviewer and suggestion.is_pending:
        context["edited_text"] = edit_text if edited_text is None else edited_text
        context["edit_open"] = edited_text is not None
        if context.get("hunk_count"):
            context["part_form"] = PartAcceptForm(
                initial={
                    "seen_hunks": hunks_fingerprint(suggestion),
                    "seen_version": card.version_number,
                    "remainder": "pending",
                }
            )
            context["ticked"] = {str(number) for number in ticked}
            context["part_form_id"] = "part-form"
    return render(request, "modelcards/suggestion_detail.html", context, status=status)


def _history(suggestion) -> dict:
    """The suggestion's revisions, the requests for changes and the parts accepted, each in one query
    however many there are; and what its latest revision changed in the one before."""
    revisions = revision_list(suggestion)
    latest_change, latest_labels = None, ()
    if revisions:
        latest_change = change_since_previous(suggestion, suggestion.revision_number, suggestion.text)
        number = suggestion.revision_number
        latest_labels = (f"Revision {number - 1}", f"Revision {number}")
    requests = list(ChangeRequest.objects.filter(suggestion=suggestion).select_related("moderator"))
    parts = list(
        PartialAcceptance.objects.filter(suggestion=suggestion)
        .select_related("version", "moderator")
        .defer("left_text")
    )
    history = {
        "revisions": revisions,
        "latest_change": latest_change,
        "latest_change_labels": latest_labels,
        "change_requests": requests,
        "open_request": requests[-1] if requests and suggestion.changes_requested else None,
        "partials": parts,
    }
    declined = [part for part in parts if part.remainder == PartialAcceptance.Remainder.DECLINED]
    if declined and suggestion.card_id:
        part = declined[-1]
        left_text = PartialAcceptance.objects.values_list("left_text", flat=True).get(pk=part.pk)
        history["declined_part"] = part
        history["declined_label"] = f"Version {part.base_version}"
        history["declined_diff"] = cached_diff_texts(
            text_at_version(suggestion.card, part.base_version), left_text
        )
    return history


def _would_look(acceptance) -> tuple[str | None, str]:
    """The body "How the card would look" shows, or None and why: a merge with more conflicts than
    the page lays out is resolved in the marked text instead."""
    if acceptance.conflicted and len(acceptance.merge.conflicts) > MAX_CONFLICTS_SHOWN:
        return None, (
            f"The suggestion conflicts with the current card in {len(acceptance.merge.conflicts):,} places, "
            f"more than this page lays out ({MAX_CONFLICTS_SHOWN}); the card cannot be shown as it would "
            "look until they are resolved."
        )
    return acceptance.preview_body, ""


def following_pending(decided):
    """The pending suggestion a moderator reviews after `decided`: the next filed, else the oldest."""
    following = (
        Suggestion.objects.pending()
        .filter(held=False, created_at__gte=decided.created_at)
        .exclude(pk=decided.pk)
        .order_by("created_at", "pk")
        .only("pk")
        .first()
    )
    if following is None:
        oldest = Suggestion.objects.pending().exclude(pk=decided.pk).order_by("created_at", "pk")
        following = oldest.only("pk").first()
    return following


def back_to_suggestion(request, suggestion, status, **kwargs):
    """The suggestion's page again, read afresh, after a refused form (what it sent goes back in it)."""
    return detail_page(request, get_suggestion(request, suggestion.pk), status=status, **kwargs)
