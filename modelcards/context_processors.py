"""Values every page's header needs."""

from . import permissions
from .models import Suggestion


def review_queue(request):
    """Moderators see how many suggestions wait for review; nobody else pays for the query."""
    if not permissions.can_review(getattr(request, "user", None)):
        return {}
    return {"pending_review_count": Suggestion.objects.pending().count(), "is_reviewer": True}
