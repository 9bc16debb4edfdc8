"""Moderators' view of blocks: those in force, each with an Unblock button, and the block log.

An address block shows only a short prefix of its hash: enough to tell two apart, nothing that
points at a person.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import permissions
from ..models import Block
from .suggestions import _login_or_forbid

PER_PAGE = 50


def _moderator_or_refusal(request):
    if not permissions.can_review(request.user):
        return _login_or_forbid(request, "Only moderators can see and lift blocks.")
    return None


def _listing():
    return Block.objects.select_related("user", "created_by", "lifted_by").order_by("-created_at", "-pk")


def _page(request, blocks):
    page = Paginator(blocks, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "blocks": page.object_list,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
    }


def block_list(request):
    if (refusal := _moderator_or_refusal(request)) is not None:
        return refusal
    return render(request, "modelcards/block_list.html", _page(request, _listing().in_force()))


def block_log(request):
    """Every block ever made, newest first; a lifted one says who lifted it and when."""
    if (refusal := _moderator_or_refusal(request)) is not None:
        return refusal
    return render(request, "modelcards/block_log.html", {**_page(request, _listing()), "now": timezone.now()})


@require_POST
def unblock(request, pk):
    """Lift a block; the row stays, with who lifted it and when, for the log."""
    if (refusal := _moderator_or_refusal(request)) is not None:
        return refusal
    block = get_object_or_404(Block, pk=pk)
    updated = (
        Block.objects.in_force().filter(pk=block.pk).update(lifted_at=timezone.now(), lifted_by=request.user)
    )
    if updated:
        messages.success(request, f"Block #{block.pk} lifted.")
    else:
        messages.info(request, f"Block #{block.pk} was no longer in force.")
    return redirect("modelcards:block_list")
