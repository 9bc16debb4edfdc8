"""The watchlist: recent versions of the cards a person watches, the watches themselves, their feed."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from ..governance import visibility
from ..models import ModelCard, Watch
from ..notifications import watchlist as watches

CHANGES_PER_PAGE = 25
CARDS_PER_PAGE = 50


def watchlist(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    changes = Paginator(watches.recent_versions(user), CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    visibility.mask(changes.object_list, visibility.viewer_level(user))
    watched = Paginator(watches.watched_cards(user), CARDS_PER_PAGE).get_page(request.GET.get("cards"))
    key = watches.feed_key(user)
    feed_url = (
        request.build_absolute_uri(reverse("modelcards:watchlist_feed", args=[key.token])) if key else ""
    )
    return render(
        request,
        "modelcards/watchlist.html",
        {"changes": changes, "watched": watched, "durations": Watch.Duration.choices, "feed_url": feed_url},
    )


def watch_edit(request, slug):
    """One card's watch: start it for a chosen time, change that time, or stop."""
    card = get_object_or_404(ModelCard.objects.only("pk", "slug", "title"), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    error, status = "", 200
    if request.method == "POST":
        action, duration = request.POST.get("action"), request.POST.get("duration", "")
        back = "modelcards:watchlist" if request.POST.get("back") == "watchlist" else None
        if action == "unwatch":
            stopped = watches.unwatch(request.user, card)
            messages.success(
                request, f"You no longer watch {card}." if stopped else f"You were not watching {card}."
            )
            return redirect(back or reverse("modelcards:watch_edit", args=[slug]))
        if action == "watch" and duration in Watch.Duration.values:
            watch = watches.watch(request.user, card, duration=duration)
            ends = watch.expires_at and date_format(timezone.localtime(watch.expires_at), "j F Y")
            until = f"until {ends}" if ends else "until you stop"
            messages.success(request, f"You are watching {card} {until}.")
            return redirect(back or reverse("modelcards:watch_edit", args=[slug]))
        error, status = "Choose how long to watch the card, then press the button again.", 400
    context = {
        "card": card,
        "watch": watches.watch_of(request.user, card),
        "durations": Watch.Duration.choices,
        "error": error,
    }
    return render(request, "modelcards/watch_edit.html", context, status=status)


@require_POST
def watchlist_feed_link(request):
    """A new private feed address; the old one stops working."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:watchlist"))
    replaced = watches.feed_key(request.user) is not None
    watches.new_feed_key(request.user)
    messages.success(
        request,
        "Here is a new feed address; the old one no longer works."
        if replaced
        else "Here is your feed address.",
    )
    return redirect(reverse("modelcards:watchlist") + "#feed")
