"""A stored version that cannot be read back: one clear page (or API error) instead of a 500.

django-reversion raises RevertError when a version's serialized data no longer deserializes (bytes
damaged in the database, or a field holding a value of the wrong type). Every reader of stored states
(`history.stored_states`, `CardVersion.stored_fields`) turns it into `UnreadableVersion`, naming the
card and the version, and `UnreadableVersionMiddleware` answers it wherever it was raised: the version
page, its README.md, diffs, revert, undo, restore, a suggestion's page and the API alike.

The status is 410 Gone: the version's content is no longer available and asking again will not bring
it back (so it is not a 5xx that invites a retry, nor a 404: the version exists and is listed in the
history). Nothing is wrong with the request, so no 400/422; nothing is in conflict, so no 409.
"""

from __future__ import annotations

from django.shortcuts import render
from reversion.errors import RevertError

STATUS = 410
API_CODE = "version_unreadable"


class UnreadableVersion(Exception):
    """Version `number` of the card with primary key `card_id` cannot be read back from history."""

    def __init__(self, card_id: int, number: int | None):
        self.card_id, self.number = card_id, number
        which = f"Version {number}" if number else "A stored version"
        super().__init__(f"{which} of this card cannot be read back from the history.")


class UnreadableVersionMiddleware:
    """Answers UnreadableVersion (or a RevertError no reader wrapped) with the clear page, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UnreadableVersion):
            card, number = _card(pk=exception.card_id), exception.number
        elif isinstance(exception, RevertError):
            match = getattr(request, "resolver_match", None)
            kwargs = match.kwargs if match else {}
            card, number = _card(slug=kwargs.get("slug")), kwargs.get("n")
        else:
            return None
        if request.path_info.startswith("/api/"):
            return _api_error(card, number)
        context = {"card": card, "number": number}
        return render(request, "modelcards/unreadable_version.html", context, status=STATUS)


def _card(**lookup):
    from .models import ModelCard

    if any(value is None for value in lookup.values()):
        return None
    return ModelCard.objects.filter(**lookup).only("pk", "slug", "title", "version_number").first()


def _api_error(card, number):
    from .api.errors import error_response

    which = f"Version {number}" if number else "A stored version"
    of = f" of card “{card.slug}”" if card else ""
    message = (
        f"{which}{of} cannot be read back from the history; its stored data is damaged. "
        "The card's current version and its other versions can still be read."
    )
    return error_response(STATUS, API_CODE, message)
