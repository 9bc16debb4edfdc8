"""A signed-in person's inbox: what happened that concerns them, newest first."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..notifications import inbox as entries

PER_PAGE = 25


def inbox(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = Paginator(request.user.notifications.for_listing(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "modelcards/inbox.html", {"page_obj": page, "entries": page.object_list})


@require_POST
def inbox_open(request, pk):
    """Follow an entry to what it is about, and mark it read on the way (a POST: reading changes state)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:inbox"))
    entry = get_object_or_404(request.user.notifications.for_listing(), pk=pk)
    entries.mark_read(entry)
    return redirect(entry.target_url())


@require_POST
def inbox_mark_all_read(request):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:inbox"))
    count = entries.mark_all_read(request.user)
    messages.success(
        request,
        f"Marked {count} entr{'y' if count == 1 else 'ies'} read." if count else "Nothing was unread.",
    )
    return redirect("modelcards:inbox")
