"""Who may see a suggestion and act as its author: the signed-in account that filed it, or whoever
holds an anonymous suggestion's private link (`?token=`), which every form on its pages carries on."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404

from .. import permissions
from ..governance.maintainers import with_maintainer_flag
from ..models import Suggestion


def posted_token(request) -> str:
    return request.GET.get("token") or request.POST.get("token") or ""


def token_matches(request, suggestion) -> bool:
    return suggestion.token_matches(posted_token(request))


def is_author(request, suggestion) -> bool:
    if suggestion.author_id:
        return request.user.is_authenticated and request.user.pk == suggestion.author_id
    return token_matches(request, suggestion)


def shown_token(request, suggestion) -> str:
    """The private link's token, when this request holds the right one, for the page's links and forms."""
    return posted_token(request) if token_matches(request, suggestion) else ""


def with_token(url: str, token: str, **params) -> str:
    """`url` with the private link's token (if any) and `params` as its query."""
    query = {**({"token": token} if token else {}), **{k: v for k, v in params.items() if v}}
    return f"{url}?{urlencode(query)}" if query else url


def get_suggestion(request, pk, *, for_page: bool = True) -> Suggestion:
    """The suggestion `pk` if this visitor may see it. Decisions (`for_page=False`) skip the joined
    rows a page shows: the workflow reads and locks what it needs, and the 20 KB card is not read twice."""
    reviewer = permissions.can_review(request.user)
    rows = (
        with_maintainer_flag(Suggestion.objects.select_related("card", "author", "moderator", "version"))
        if for_page
        else Suggestion.objects
    )
    suggestion = get_object_or_404(rows, pk=pk)
    if suggestion.held and not reviewer and not is_author(request, suggestion):
        raise Http404("No such suggestion.")
    return suggestion
