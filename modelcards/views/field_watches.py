"""Field watches: a signed-in person's watches on one field across every card, and their feed links."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..models import FieldWatch
from ..notifications import field_watches


def field_watch_list(request):
    """The person's field watches with their feed addresses; a POST starts watching a field."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    error, status = "", 200
    if request.method == "POST":
        try:
            watch, created = field_watches.watch_field(user, request.POST.get("field", ""))
        except field_watches.FieldWatchError as exc:
            error, status = str(exc), 400
        else:
            label = field_watches.label(watch.field)
            messages.success(
                request,
                f"You are watching {label} on every card." if created else f"You already watch {label}.",
            )
            return redirect(reverse("modelcards:field_watches") + f"#field-{watch.field}")
    watches = [
        (watch, request.build_absolute_uri(reverse("modelcards:field_watch_feed", args=[watch.feed_token])))
        for watch in field_watches.watches_of(user)
    ]
    context = {
        "watches": watches,
        "choices": field_watches.choices(),
        "error": error,
    }
    return render(request, "modelcards/field_watches.html", context, status=status)


def _own_watch(request, field) -> FieldWatch:
    watch = field_watches.watches_of(request.user).filter(field=field).first()
    if watch is None:
        raise Http404("You do not watch that field.")
    return watch


@require_POST
def field_unwatch(request, field):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:field_watches"))
    watch = _own_watch(request, field)
    field_watches.unwatch_field(request.user, watch.field)
    messages.success(request, f"You no longer watch {field_watches.label(watch.field)}.")
    return redirect("modelcards:field_watches")


@require_POST
def field_watch_feed_link(request, field):
    """A new secret in the watch's feed address; the old address stops working."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:field_watches"))
    watch = field_watches.new_feed_token(_own_watch(request, field))
    messages.success(
        request,
        f"Here is a new feed address for {field_watches.label(watch.field)}; the old one no longer works.",
    )
    return redirect(reverse("modelcards:field_watches") + f"#field-{watch.field}")
