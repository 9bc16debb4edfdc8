"""Who may file a suggestion and when one is held: the rules the suggestion form and the API share.

The rate limit and blocks live in `limits`, the text checks in the forms and `cardfile`; these are the
site's own policies on top of them, read from settings in one place.
"""

from django.conf import settings

from .workflow import text_at_version


def must_sign_in(user) -> bool:
    """The site asks for an account before anyone suggests (REQUIRE_ACCOUNT_TO_SUGGEST)."""
    return settings.MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST and not user.is_authenticated


def count_links(text: str) -> int:
    return text.count("http://") + text.count("https://")


def holds_for_links(text: str, *, card, base_version: int, anonymous: bool) -> bool:
    """An anonymous suggestion adding more links than HOLD_LINKS_OVER to the text it was based on (none
    for a new card) waits for a moderator's look before anyone else sees it: the shape of link spam."""
    if not anonymous:
        return False
    before = text_at_version(card, base_version) if card else ""
    return count_links(text) - count_links(before) > settings.MODELCARDS_HOLD_LINKS_OVER
