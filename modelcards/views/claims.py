"""Marking a card's claims disputed or "citation needed", resolving markers, and importing a
Model Openness Tool record in the browser."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import limits, permissions
from ..claim_markers import MarkerChanged, mark_claim, marker_fingerprint, resolve_marker
from ..models import ModelCard
from ..mot_import import MotFileError, import_mot
from ..openness.disputes import KINDS, MAX_REASON, claim_choices, markers
from ..workflow import WorkflowError


class MarkForm(forms.Form):
    claim = forms.ChoiceField(
        label="Claim",
        error_messages={"invalid_choice": "The card does not make that claim now; choose one of its claims."},
    )
    kind = forms.ChoiceField(label="Marker", choices=list(KINDS.items()), widget=forms.RadioSelect)
    reason = forms.CharField(
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is wrong, or what needs a source. It opens a discussion on the card's talk page.",
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim"].choices = choices


def claim_markers(request, slug):
    card = get_object_or_404(ModelCard.objects.defer("line_versions"), slug=slug)
    form = MarkForm(request.POST or None, choices=claim_choices(card.metadata), initial=request.GET or None)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if block := limits.block_in_force(request):
            raise PermissionDenied(block.refusal())
        if form.is_valid():
            if wait := limits.seconds_until_allowed(request, "comment"):
                form.add_error(
                    None, f"Too many posts in a short time; try again in {limits.describe_wait(wait)}."
                )
                status = 429
            else:
                try:
                    mark_claim(card, user=request.user, **form.cleaned_data)
                except WorkflowError as exc:
                    form.add_error(None, str(exc))
                    status = 409
                else:
                    messages.success(
                        request, "Marked. The marker shows on the card, and a discussion is open."
                    )
                    return redirect(card)
        else:
            status = 400
    reviewer = permissions.can_review(request.user)
    shown = [(marker, marker_fingerprint(marker)) for marker in markers(card.metadata)]
    context = {"card": card, "form": form, "markers": shown, "reviewer": reviewer}
    return render(request, "modelcards/claim_markers.html", context, status=status)


@require_POST
def claim_marker_resolve(request, slug):
    card = get_object_or_404(ModelCard.objects.defer("line_versions"), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(card.get_absolute_url())
    if not permissions.can_review(request.user):
        raise PermissionDenied("Only moderators resolve markers.")
    try:
        index = int(request.POST.get("index", ""))
    except ValueError:
        index = -1
    try:
        resolve_marker(
            card,
            moderator=request.user,
            index=index,
            seen=request.POST.get("seen", ""),
            note=request.POST.get("note", ""),
        )
    except MarkerChanged as exc:
        messages.error(request, str(exc))
        return redirect("modelcards:mark_claim", slug=slug)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("modelcards:mark_claim", slug=slug)
    messages.success(request, "Resolved. The marker is gone from the card; history keeps it.")
    return redirect("modelcards:mark_claim", slug=slug)


class MotImportForm(forms.Form):
    mot_file = forms.FileField(label="Model Openness Tool file (.yml)")
    slug = forms.CharField(
        required=False,
        max_length=100,
        help_text="The card to attach the record to; empty: the card named after the file's release.name.",
    )


def mot_import(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_import(request.user):
        raise PermissionDenied("Only moderators and staff can import openness records.")
    form = MotImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["mot_file"]
        if upload.size > 1024 * 1024:
            form.add_error("mot_file", "The file is larger than 1 MB; a model file is a few kilobytes.")
        else:
            try:
                result = import_mot(
                    upload.read(),
                    slug=form.cleaned_data["slug"].strip() or None,
                    user=request.user,
                    filename=upload.name,
                )
            except (MotFileError, WorkflowError) as exc:
                form.add_error("mot_file", f"Nothing was changed: {exc}")
            else:
                notes = f" Left out: {'; '.join(result.notes)}." if result.notes else ""
                messages.success(request, f"Openness record {result.outcome} on {result.slug}.{notes}")
                return redirect("modelcards:card_detail", slug=result.slug)
    return render(request, "modelcards/mot_import.html", {"form": form}, status=400 if form.errors else 200)
