"""The history's "undo" and "restore this version" pages: the result against the current card first,
then a moderator publishes it and anyone else files it as a suggestion through the suggest page's own
handling (the same account rule, block, rate limit, link hold and private link)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from .. import limits, permissions, suggestion_rules
from ..diffing import cached_diff_texts
from ..forms import DirectEditForm, SuggestionForm
from ..governance import trust, visibility
from ..governance.undo import NoSuchVersion, NothingBefore, prepare_restore, prepare_undo, publish_undo
from ..models import ModelCard, Suggestion
from ..workflow import NoChange, UnresolvedConflict, WorkflowError
from . import protection, suggestions
from .visibility import hidden_text_refusal


def _card(slug: str) -> ModelCard:
    return get_object_or_404(
        ModelCard.objects.only("pk", "slug", "title", "version_number", "text"), slug=slug
    )


def _refused(request, card):
    """Who may not suggest is told before anything is typed, not after; the suggest page checks again
    (a POST goes on to it, which refuses a protected card keeping the text)."""
    if settings.MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST and not request.user.is_authenticated:
        messages.info(request, "Log in or sign up to suggest an edit.")
        return redirect_to_login(request.get_full_path())
    if suggestion_rules.must_verify(request.user):
        raise PermissionDenied(suggestion_rules.VERIFY_FIRST)
    if block := limits.block_in_force(request):
        raise PermissionDenied(block.refusal())
    if request.method != "POST":
        return protection.refusal_response(request, card)
    return None


def _form(request, moderator: bool, **kwargs):
    if moderator:
        return DirectEditForm(**kwargs)
    return SuggestionForm(anonymous=not request.user.is_authenticated, **kwargs)


def undo(request, slug, n):
    card = _card(slug)
    try:
        change = prepare_undo(card, n)
    except NoSuchVersion as exc:
        raise Http404(str(exc)) from None
    except NothingBefore as exc:
        return render(request, "modelcards/bad_request.html", {"message": str(exc), "card": card}, status=400)
    if (refusal := hidden_text_refusal(request, card, n - 1, n)) is not None:
        return refusal  # issue 15 item 4: the undo shows both texts
    if visibility.text_withheld(card, n - 1):
        # A moderator may see it, but the undo would put lines of a hidden text back on the card, as the
        # revert would (views/history.py). Undoing a hidden version itself stays allowed: it removes them.
        message = f"The text of version {n - 1} is hidden: unhide it before undoing version {n}."
        return render(request, "modelcards/bad_request.html", {"message": message, "card": card}, status=409)
    # Public level for everyone: the undo's summary names the author, and becomes a public version's.
    visibility.mask([change.version])
    moderator = permissions.can_review(request.user)
    if not moderator and (refusal := _refused(request, card)) is not None:
        return refusal
    context = {"card": card, "undo": change, "moderator": moderator}
    if request.method != "POST":
        initial = {"text": change.text, "summary": change.summary, "base_version": card.version_number}
        context["form"] = _form(request, moderator, initial=initial)
        return render(request, "modelcards/undo.html", context)
    form = context["form"] = _form(request, moderator, data=request.POST)
    if not form.is_valid():
        return render(request, "modelcards/undo.html", context, status=400)
    text = form.cleaned_data["text"]
    if markers := change.leftover_markers(text):
        form.add_error("text", UnresolvedConflict(markers).problems[0] + ".")
        return render(request, "modelcards/undo.html", context, status=400)
    if "preview" in request.POST:
        if not limits.may_preview(request, text):
            form.add_error(None, "There were many previews from you in a short time; try again in a minute.")
            return render(request, "modelcards/undo.html", context, status=429)
        context["preview_diff"] = cached_diff_texts(card.text, text)
        return render(request, "modelcards/undo.html", context)
    if not moderator:
        return suggestions.suggest(request, card.slug)
    return _publish(request, card, change, form, context)


def _publish(request, card, change, form, context):
    try:
        outcome = publish_undo(
            card,
            change,
            text=form.cleaned_data["text"],
            summary=form.cleaned_data["summary"],
            base_version=form.cleaned_data["base_version"],
            editor=request.user,
        )
    except WorkflowError as exc:
        form.add_error("text", str(exc))
        status = 409 if isinstance(exc, NoChange) else 400
        return render(request, "modelcards/undo.html", context, status=status)
    if isinstance(outcome, Suggestion):
        messages.warning(
            request,
            "The card changed while you looked, and the undo conflicts with that change. "
            "It is kept as this suggestion: resolve the conflicts here.",
        )
        return redirect(outcome)
    if change.version.autoreviewed:  # undoing an autoreviewed version is looking it over (issue 15 item 1)
        trust.look_over(change.version, moderator=request.user)
    messages.success(request, f"Version {outcome.number} undoes version {change.number}.")
    return redirect(card)


def restore(request, slug, n):
    card = _card(slug)
    try:
        old = prepare_restore(card, n)
    except NoSuchVersion as exc:
        raise Http404(str(exc)) from None
    if (refusal := hidden_text_refusal(request, card, n)) is not None:
        return refusal  # issue 15 item 4: the restore form holds the version's text
    visibility.mask([old.version])
    moderator = permissions.can_review(request.user)
    if not moderator and (refusal := _refused(request, card)) is not None:
        return refusal
    if request.method == "POST":
        if moderator:  # moderators revert, through the revert form this page shows them
            return HttpResponseNotAllowed(["GET"])
        return suggestions.suggest(request, card.slug)
    initial = {"text": old.text, "summary": old.summary, "base_version": card.version_number}
    context = {
        "card": card,
        "restore": old,
        "moderator": moderator,
        "form": None if moderator else _form(request, moderator, initial=initial),
    }
    return render(request, "modelcards/restore.html", context)
