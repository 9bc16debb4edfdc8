"""Suggesting changes to a card (whole, one section, or a new card) and moderators' direct edits."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html

from .. import editor, limits, permissions, suggestion_rules
from ..cardfile import UnknownSection, parse_or_problems, replace_section, split_sections
from ..diffing import cached_diff_texts
from ..forms import DirectEditForm, NewCardSuggestionForm, SuggestionForm
from ..governance import protection
from ..models import CardVersion, ModelCard, Suggestion
from ..openness import completeness
from ..workflow import WorkflowError, edit_card_directly, submit_suggestion, text_at_version
from .cards import render_body
from .protection import refused_page


def _login_or_forbid(request, message: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _may_suggest(request):
    """None if the visitor may suggest, else the response that says why not."""
    if suggestion_rules.must_sign_in(request.user):
        messages.info(request, "Log in or sign up to suggest an edit.")
        return redirect_to_login(request.get_full_path())
    if suggestion_rules.must_verify(request.user):
        raise PermissionDenied(suggestion_rules.VERIFY_FIRST)
    if block := limits.block_in_force(request):
        raise PermissionDenied(block.refusal())
    return None


def _section_text(text: str, index: int) -> str:
    for section in split_sections(text):
        if section.index == index:
            return text[section.start : section.end]
    raise Http404("That section does not exist in this version of the card.")


def _section_title(text: str, index: int | None) -> str:
    """The heading of section `index`, for the editor's title ("" for the whole card or no such section)."""
    return next((s.title for s in split_sections(text) if s.index == index), "") if index else ""


def _parse_section(request) -> int | None:
    raw = request.GET.get("section") or request.POST.get("section") or ""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:  # "²" is a digit int() refuses
        raise Http404("Sections are numbered from 1.")
    return int(raw)


def _suggestion_preview(card_text: str, proposed: str):
    card_file, problems = parse_or_problems(proposed)
    rendered, problem = render_body(card_file.body) if card_file else (None, "")
    return {
        "preview": rendered,
        "preview_problem": problem,
        "preview_diff": cached_diff_texts(card_text, proposed),
        "preview_problems": problems,
    }


def _preview_or_pause(request, context, form, card_text: str, proposed: str) -> None:
    """The Preview button's rendering and diff, within the same limit as the live preview."""
    if limits.may_preview(request, proposed):
        context.update(_suggestion_preview(card_text, proposed))
    else:
        form.rate_limited = True
        form.add_error(None, "There were many previews from you in a short time; try again in a minute.")


def suggest(request, slug):
    card = get_object_or_404(ModelCard, slug=slug)
    if (refusal := _may_suggest(request)) is not None:
        return refusal
    section = _parse_section(request)
    anonymous = not request.user.is_authenticated
    context = {"card": card, "section": section, "section_title": _section_title(card.text, section)}
    # A protected card refuses before anything is typed; a POST keeps its text (submit_suggestion checks too).
    current = protection.in_force(card)
    context["protection_notice"] = protection.notice(current)
    context["protection_log_url"] = reverse("modelcards:card_protection", args=[card.slug])
    refused = current if current and not permissions.may_suggest_under(request.user, current.level) else None
    if request.method != "POST" and refused:
        return refused_page(request, card, refused)
    if request.method != "POST":
        start_text = _section_text(card.text, section) if section else card.text
        if not section and request.GET.get("add") in completeness.RULES:  # "suggest this section"
            start_text = completeness.with_added_heading(start_text, request.GET["add"])
        form = SuggestionForm(
            initial={"text": start_text, "base_version": card.version_number}, anonymous=anonymous
        )
        return _editor_page(request, "modelcards/suggest.html", context, form)

    posted = editor.read_post(request.POST, whole_card=not section)
    if posted.acted:
        # An unticked box is absent from the post: keep it unticked rather than back at its default.
        initial = {**posted.initial, "watch": "watch" in request.POST}
        form = SuggestionForm(initial=initial, anonymous=anonymous)
        return _editor_page(request, "modelcards/suggest.html", context, form, posted)
    form = SuggestionForm(posted.data, anonymous=anonymous)
    if refused:
        form.add_error(None, protection.describe(refused) + " Your text is kept below.")
        return _editor_page(request, "modelcards/suggest.html", context, form, posted, status=403)
    status = 200
    if limits.honeypot_tripped(request):
        form.add_error(
            None,
            "This submission looked automated and was not saved. If you are a person, "
            "leave the last field empty and submit again.",
        )
    if form.is_valid():
        base_version = form.cleaned_data["base_version"]
        try:
            base_text = text_at_version(card, base_version)
            proposed = (
                replace_section(base_text, section, form.cleaned_data["text"])
                if section
                else form.cleaned_data["text"]
            )
        except (UnknownSection, CardVersion.DoesNotExist):
            form.add_error(None, "The version or section this edit was based on does not exist.")
        else:
            if "preview" in request.POST:
                _preview_or_pause(request, context, form, base_text, proposed)
            else:
                response = _file_suggestion(
                    request, form, card=card, text=proposed, base_version=base_version, section=section
                )
                if response is not None:
                    return response
    if form.errors:
        status = 429 if getattr(form, "rate_limited", False) else 400
    return _editor_page(request, "modelcards/suggest.html", context, form, posted, status=status)


def suggest_new_card(request):
    if (refusal := _may_suggest(request)) is not None:
        return refusal
    anonymous = not request.user.is_authenticated
    template = (
        "---\nlicense: \npipeline_tag: \n---\n# Model name\n\n## Model Details\n\n## Uses\n\n"
        "## Bias, Risks, and Limitations\n\n## Training Details\n\n## Evaluation\n"
    )
    if request.method != "POST":
        form = NewCardSuggestionForm(initial={"text": template, "base_version": 0}, anonymous=anonymous)
        return _editor_page(request, "modelcards/suggest.html", {"new_card": True}, form)
    context = {"new_card": True}
    posted = editor.read_post(request.POST, whole_card=True)
    if posted.acted:
        form = NewCardSuggestionForm(initial=posted.initial, anonymous=anonymous)
        return _editor_page(request, "modelcards/suggest.html", context, form, posted)
    form = NewCardSuggestionForm(posted.data, anonymous=anonymous)
    if limits.honeypot_tripped(request):
        form.add_error(None, "This submission looked automated and was not saved.")
    if form.is_valid():
        if "preview" in request.POST:
            _preview_or_pause(request, context, form, "", form.cleaned_data["text"])
        else:
            response = _file_suggestion(
                request,
                form,
                card=None,
                text=form.cleaned_data["text"],
                base_version=0,
                new_slug=form.cleaned_data["slug"],
            )
            if response is not None:
                return response
    status = (429 if getattr(form, "rate_limited", False) else 400) if form.errors else 200
    return _editor_page(request, "modelcards/suggest.html", context, form, posted, status=status)


def _editor_page(request, template, context, form, posted=None, *, status=200):
    """An editor page: the form plus the editor's mode, guided fields, checklist and preview.

    Posted text is rendered only within the visitor's preview limit, like the live preview: each
    such page costs a rendering of whatever was posted.
    """
    text = posted.text if posted else form.initial["text"]
    whole_card = not context.get("section")
    text_errors = form.errors.get("text", []) if form.is_bound else []
    preview = posted is None or limits.may_preview(request, text)
    state = editor.editor_view(
        text, whole_card=whole_card, posted=posted, text_errors=text_errors, preview=preview
    )
    return render(request, template, {**context, "form": form, "editor": state}, status=status)


def _file_suggestion(request, form, *, card, text, base_version, section=None, new_slug=""):
    """Submit, or put the reason on the form (the typed text stays in it); None means: show the form."""
    _card_file, problems = parse_or_problems(text)
    for problem in problems:
        form.add_error("text", problem)
    if problems:
        return None
    wait = limits.seconds_until_allowed(request, "suggest")
    if wait:
        form.rate_limited = True
        form.add_error(
            None,
            f"You have made many suggestions in a short time. Your text is kept below; "
            f"try again in {limits.describe_wait(wait)}.",
        )
        return None
    anonymous = not request.user.is_authenticated
    held = suggestion_rules.holds_for_links(text, card=card, base_version=base_version, author=request.user)
    wants_watch = "watch" in form.fields and form.cleaned_data["watch"]
    try:
        suggestion = submit_suggestion(
            card=card,
            text=text,
            summary=form.cleaned_data["summary"],
            base_version=base_version,
            author=request.user,
            author_name=form.cleaned_data.get("author_name", ""),
            ip_hash=limits.ip_hash(request) if anonymous else "",
            section=section,
            new_slug=new_slug,
            held=held,
            watch=wants_watch,
        )
    except WorkflowError as exc:
        form.add_error("text" if card else None, str(exc))
        return None
    if held:
        messages.warning(
            request,
            "Your suggestion adds many links, so it is held until a moderator looks at it. "
            "It is saved and will not be lost.",
        )
    elif suggestion.version_id:
        messages.success(
            request,
            f"Thank you: your suggestion was published at once as version {suggestion.version.number} "
            "(autoreviewed: moderators look it over afterwards).",
        )
    else:
        messages.success(request, "Thank you: your suggestion is waiting for a moderator's review.")
    if wants_watch:
        messages.info(
            request,
            format_html(
                "You are now watching {}: changes to it and the review of your suggestion will show in "
                '<a href="{}">your inbox</a>. <a href="{}">Stop watching or choose for how long</a>.',
                card.title or card.slug,
                reverse("modelcards:inbox"),
                reverse("modelcards:watch_edit", args=[card.slug]),
            ),
        )
    url = suggestion.get_absolute_url()
    if anonymous:
        messages.info(
            request,
            "Keep the address of this page: it is your private link to follow or withdraw your suggestion.",
        )
        url += f"?token={suggestion.access_token}"
    return redirect(url)


def card_edit(request, slug):
    card = get_object_or_404(ModelCard, slug=slug)
    if not permissions.can_review(request.user):
        return _login_or_forbid(
            request, "Only moderators and staff edit cards directly; suggest an edit instead."
        )
    if request.method != "POST":
        form = DirectEditForm(initial={"text": card.text, "base_version": card.version_number})
        return _editor_page(request, "modelcards/card_edit.html", {"card": card}, form)
    posted = editor.read_post(request.POST, whole_card=True)
    if posted.acted:
        form = DirectEditForm(initial=posted.initial)
        return _editor_page(request, "modelcards/card_edit.html", {"card": card}, form, posted)
    form = DirectEditForm(posted.data)
    context = {"card": card}
    if form.is_valid():
        text = form.cleaned_data["text"]
        _card_file, problems = parse_or_problems(text)
        for problem in problems:
            form.add_error("text", problem)
        if not problems and "preview" in request.POST:
            context.update(_suggestion_preview(card.text, text))
        elif not problems:
            try:
                outcome = edit_card_directly(
                    card,
                    text=text,
                    summary=form.cleaned_data["summary"],
                    base_version=form.cleaned_data["base_version"],
                    editor=request.user,
                )
            except WorkflowError as exc:
                form.add_error("text", str(exc))
            else:
                if isinstance(outcome, Suggestion):
                    messages.warning(
                        request,
                        "The card changed while you edited it and your edit conflicts with "
                        "that change. Your text is saved as this suggestion: resolve the "
                        "conflicts here.",
                    )
                    return redirect(outcome)
                messages.success(request, f"Saved as version {outcome.number}.")
                return redirect(card)
    status = 400 if form.errors else 200
    return _editor_page(request, "modelcards/card_edit.html", context, form, posted, status=status)
