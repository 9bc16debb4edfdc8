"""A card's talk page: threads of questions and evidence that are not yet a concrete edit."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import limits, permissions
from ..forms import CommentForm, ThreadForm
from ..models import Comment, ModelCard, TalkThread


def _guard_posting(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if block := limits.block_in_force(request):
        raise PermissionDenied(block.refusal())
    return None


def talk(request, slug):
    card = get_object_or_404(ModelCard.objects.only("slug", "title"), slug=slug)
    reviewer = permissions.can_review(request.user)
    threads = card.threads.select_related("author")
    if not reviewer:
        threads = threads.filter(hidden=False)
    form = ThreadForm(request.POST or None)
    if request.method == "POST":
        if (refusal := _guard_posting(request)) is not None:
            return refusal
        if form.is_valid():
            if wait := limits.seconds_until_allowed(request, "comment"):
                form.add_error(
                    None, f"Too many posts in a short time; try again in {limits.describe_wait(wait)}."
                )
                return render(
                    request,
                    "modelcards/talk.html",
                    {"card": card, "threads": threads[:100], "form": form},
                    status=429,
                )
            with transaction.atomic():
                thread = TalkThread.objects.create(
                    card=card, title=form.cleaned_data["title"], author=request.user
                )
                Comment.objects.create(thread=thread, author=request.user, body=form.cleaned_data["body"])
            return redirect(thread)
    return render(
        request,
        "modelcards/talk.html",
        {"card": card, "threads": threads[:100], "form": form, "reviewer": reviewer},
        status=400 if form.errors else 200,
    )


def talk_thread(request, slug, pk):
    reviewer = permissions.can_review(request.user)
    thread = get_object_or_404(TalkThread.objects.select_related("card", "author"), pk=pk, card__slug=slug)
    if thread.hidden and not reviewer:
        return render(request, "404.html", status=404)
    comments = thread.comments.select_related("author")
    if not reviewer:
        comments = comments.filter(hidden=False)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if (refusal := _guard_posting(request)) is not None:
            return refusal
        if thread.closed:
            messages.error(request, "This thread is closed to new replies.")
            return redirect(thread)
        if form.is_valid():
            if wait := limits.seconds_until_allowed(request, "comment"):
                messages.error(
                    request, f"Too many posts in a short time; try again in {limits.describe_wait(wait)}."
                )
            else:
                with transaction.atomic():  # with the inbox entries the reply makes
                    Comment.objects.create(thread=thread, author=request.user, body=form.cleaned_data["body"])
                return redirect(f"{thread.get_absolute_url()}#comments")
    return render(
        request,
        "modelcards/talk_thread.html",
        {"card": thread.card, "thread": thread, "comments": comments, "form": form, "reviewer": reviewer},
        status=400 if form.errors else 200,
    )


@require_POST
def talk_moderate(request, slug, pk):
    """Close or reopen, hide or unhide a thread or one comment; hidden text stays for moderators."""
    if not permissions.can_review(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Only moderators can close or hide threads.")
    thread = get_object_or_404(TalkThread, pk=pk, card__slug=slug)
    action = request.POST.get("action", "")
    if action in {"close", "reopen"}:
        thread.closed = action == "close"
        thread.save(update_fields=["closed"])
    elif action in {"hide", "unhide"}:
        thread.hidden = action == "hide"
        thread.save(update_fields=["hidden"])
    elif action in {"hide_comment", "unhide_comment"}:
        comment = request.POST.get("comment", "")
        if comment.isascii() and comment.isdigit() and len(comment) <= 18:
            thread.comments.filter(pk=int(comment)).update(hidden=action == "hide_comment")
        else:
            messages.error(request, "No such comment in this thread.")
    else:
        messages.error(request, "Unknown moderation action.")
    return redirect(thread)
