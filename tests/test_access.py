"""Who may see and do what: every named URL, for every role.

Adding a URL without deciding its expected status here fails `test_every_url_is_in_the_matrix`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.api_tokens import issue_token
from modelcards.models import Notification, Suggestion, TalkThread
from modelcards.notifications import field_watches, watchlist
from modelcards.workflow import text_fingerprint
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "registered", "author", "moderator", "staff")

# name -> (method, {role: expected status}); 302L = redirect to login.
LOGIN = "302L"
MATRIX = {
    "modelcards:home": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:card_list": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:card_detail": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:card_markdown": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:card_json": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:openness_json": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:openness_yaml": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:wanted": ("get", dict.fromkeys(ROLES, 200)),
    # Published dumps are public; the world has none, so a dump's file is missing for everyone.
    "modelcards:dumps": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:dump_file": ("get", dict.fromkeys(ROLES, 404)),
    "modelcards:card_import": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:card_edit": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    # Renaming is for moderators (tests/test_rename.py); the form itself is a GET.
    "modelcards:card_rename": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:card_watch": (
        "post",
        {"anonymous": LOGIN, "registered": 302, "author": 302, "moderator": 302, "staff": 302},
    ),
    "modelcards:suggest": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:suggest_new_card": ("get", dict.fromkeys(ROLES, 200)),
    # The editor's live preview changes nothing, so anyone who may open an editor may use it.
    "modelcards:editor_preview": ("post", dict.fromkeys(ROLES, 200)),
    "modelcards:talk": ("get", dict.fromkeys(ROLES, 200)),
    # Anyone may read the markers on a card's claims; marking needs an account (see test_disputes.py).
    "modelcards:mark_claim": ("get", dict.fromkeys(ROLES, 200)),
    # A resolution without a note is refused with a message, so a moderator is sent back to the page.
    "modelcards:resolve_marker": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 302, "staff": 302},
    ),
    "modelcards:mot_import": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:card_import_hub": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:talk_thread": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:talk_moderate": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 302, "staff": 302},
    ),
    "modelcards:suggestion_list": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:suggestion_detail": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:suggestion_markdown": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:suggestion_accept": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 302, "staff": 302},
    ),
    "modelcards:suggestion_reject": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 302, "staff": 302},
    ),
    "modelcards:suggestion_withdraw": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 302, "moderator": 403, "staff": 403},
    ),
    "modelcards:suggestion_comment": (
        "post",
        {"anonymous": LOGIN, "registered": 302, "author": 302, "moderator": 302, "staff": 302},
    ),
    "modelcards:block_author": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 302, "staff": 302},
    ),
    # Blocks are moderators' (tests/test_blocks.py); the world has no block, so unblocking finds none.
    "modelcards:block_list": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:block_log": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    # Hiding parts of a version and the hide log are moderators' (tests/test_hiding.py).
    "modelcards:version_visibility": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:visibility_log": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:card_visibility_log": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    # Trust, the look-over list and maintainers are moderators' (tests/test_trust.py, test_maintainers.py);
    # the world has no autoreviewed version or maintainer row, so marking or revoking one finds none.
    "modelcards:autoreviewed": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:mark_looked_over": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 404, "staff": 404},
    ),
    "modelcards:person_trust": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:trust_log": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    "modelcards:card_maintainers": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 200, "staff": 200},
    ),
    # Issue 16: proposing back to the Hub is for moderators; the world's card has no Hub link (404).
    "modelcards:hub_propose": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 404, "staff": 404},
    ),
    "modelcards:maintainer_revoke": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 404, "staff": 404},
    ),
    # Issue 16 item 5: the due-for-review list is public; recording a review is for moderators.
    "modelcards:due_for_review": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:record_review": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 302, "staff": 302},
    ),
    "modelcards:unblock": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 404, "staff": 404},
    ),
    "modelcards:suggestion_request_changes": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 302, "staff": 302},
    ),
    # The world's suggestion is one change, so a moderator's partial acceptance is refused as bad input.
    "modelcards:suggestion_accept_part": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 400, "staff": 400},
    ),
    # Only the author revises (an anonymous one through the private link: tests/test_request_changes.py).
    "modelcards:suggestion_revise": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 200, "moderator": 403, "staff": 403},
    ),
    "modelcards:suggestion_revision": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:history": ("get", dict.fromkeys(ROLES, 200)),
    # Without ?a= and ?b= the compare form's target is a bad request, whoever asks.
    "modelcards:compare": ("get", dict.fromkeys(ROLES, 400)),
    "modelcards:version_detail": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:version_markdown": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:diff": ("get", dict.fromkeys(ROLES, 200)),
    # The world's card has one version, so a moderator's revert to it is refused as a conflict.
    "modelcards:revert": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 409, "staff": 409},
    ),
    # Rollback is moderators'; the world's card has one version, so there is nothing to roll back to.
    "modelcards:rollback": (
        "get",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 409, "staff": 409},
    ),
    # The world's card has one version: version 1 has nothing before it to undo to, whoever asks.
    "modelcards:undo": ("get", dict.fromkeys(ROLES, 400)),
    "modelcards:restore": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:blame": ("get", dict.fromkeys(ROLES, 200)),
    # A card's protection and its log are public; protecting and unprotecting are moderators' (the world's
    # card is not protected, so a moderator's unprotect is sent back with a message).
    "modelcards:card_protection": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:card_unprotect": (
        "post",
        {"anonymous": LOGIN, "registered": 403, "author": 403, "moderator": 302, "staff": 302},
    ),
    "modelcards:card_feed": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:changes": ("get", dict.fromkeys(ROLES, 200)),
    "modelcards:changes_feed": ("get", dict.fromkeys(ROLES, 200)),
    # Each person's own inbox and watchlist (tests/test_inbox.py, tests/test_watchlist.py).
    "modelcards:inbox": ("get", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    "modelcards:inbox_mark_all_read": ("post", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}),
    # The world's entry belongs to the author: anyone else's inbox has no such entry.
    "modelcards:inbox_open": (
        "post",
        {"anonymous": LOGIN, "registered": 404, "author": 302, "moderator": 404, "staff": 404},
    ),
    "modelcards:watchlist": ("get", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    "modelcards:watch_edit": ("get", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    "modelcards:watchlist_feed_link": ("post", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}),
    # The secret in the address is the only key: the world's is the author's, whoever asks.
    "modelcards:watchlist_feed": ("get", dict.fromkeys(ROLES, 200)),
    # Field watches (tests/test_field_watches.py): the world's licence watch is the author's.
    "modelcards:field_watches": ("get", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    "modelcards:field_unwatch": (
        "post",
        {"anonymous": LOGIN, "registered": 404, "author": 302, "moderator": 404, "staff": 404},
    ),
    "modelcards:field_watch_feed_link": (
        "post",
        {"anonymous": LOGIN, "registered": 404, "author": 302, "moderator": 404, "staff": 404},
    ),
    "modelcards:field_watch_feed": ("get", dict.fromkeys(ROLES, 200)),
    "accounts:signup": (
        "get",
        {"anonymous": 200, "registered": 302, "author": 302, "moderator": 302, "staff": 302},
    ),
    "accounts:login": ("get", dict.fromkeys(ROLES, 200)),
    "accounts:logout": ("post", dict.fromkeys(ROLES, 302)),
    # Sending a form again after logging in needs the form's address; without one it is a bad request.
    "accounts:login_and_resend": ("post", dict.fromkeys(ROLES, 400)),
    "accounts:password_change": ("get", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    "accounts:password_change_done": ("get", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    "accounts:password_reset": ("get", dict.fromkeys(ROLES, 200)),
    "accounts:password_reset_done": ("get", dict.fromkeys(ROLES, 200)),
    "accounts:password_reset_confirm": ("get", dict.fromkeys(ROLES, 200)),
    "accounts:password_reset_complete": ("get", dict.fromkeys(ROLES, 200)),
    "accounts:profile": ("get", dict.fromkeys(ROLES, 200)),
    # Anyone signed in makes their own API tokens; the world's token is the author's, so others get a 404.
    "accounts:api_token_create": ("post", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    "accounts:api_token_revoke": (
        "post",
        {"anonymous": LOGIN, "registered": 404, "author": 302, "moderator": 404, "staff": 404},
    ),
    # Email links (issue 15 item 8): the signed token is the only key, so a made-up one is refused for all.
    "accounts:verify_email": ("get", dict.fromkeys(ROLES, 400)),
    "accounts:confirm_email_change": ("get", dict.fromkeys(ROLES, 400)),
    # One's own account only: every signed-in role is verified already, and an empty change is invalid.
    "accounts:resend_verification": ("post", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 302)}),
    "accounts:change_email": ("post", {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 400)}),
}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            # The admin's own URLs are checked below; the API's, role by role, in tests/test_api_access.py.
            if entry.namespace in ("admin", "api-v1"):
                continue
            yield from _named_urls(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_matrix():
    assert set(_named_urls()) == set(MATRIX), "decide who may use each new URL in tests/test_access.py"


@pytest.fixture
def world(card, make_user):
    author = make_user("author")
    suggestion = Suggestion.objects.create(
        card=card, base_version=1, text=SAMPLE_README + "\nx\n", summary="s", author=author
    )
    thread = TalkThread.objects.create(card=card, title="t", author=author)
    thread.comments.create(author=author, body="hello")
    entry = Notification.objects.create(
        user=author, kind="reply", event="test", subject="s", card=card, thread=thread
    )
    feed_token = watchlist.new_feed_key(author).token
    field_watch, _new = field_watches.watch_field(author, "license")
    api_token, _secret = issue_token(author, name="a tool", scope="read")
    return {
        "card": card,
        "suggestion": suggestion,
        "thread": thread,
        "author": author,
        "entry": entry,
        "feed_token": feed_token,
        "field_feed_token": field_watch.feed_token,
        "api_token": api_token,
    }


def _kwargs(name, world):
    slug = world["card"].slug
    return {
        "modelcards:card_detail": {"slug": slug},
        "modelcards:card_markdown": {"slug": slug},
        "modelcards:card_json": {"slug": slug},
        "modelcards:openness_json": {"slug": slug},
        "modelcards:openness_yaml": {"slug": slug},
        "modelcards:card_edit": {"slug": slug},
        "modelcards:card_watch": {"slug": slug},
        "modelcards:card_rename": {"slug": slug},
        "modelcards:suggest": {"slug": slug},
        "modelcards:talk": {"slug": slug},
        "modelcards:mark_claim": {"slug": slug},
        "modelcards:resolve_marker": {"slug": slug},
        "modelcards:history": {"slug": slug},
        "modelcards:compare": {"slug": slug},
        "modelcards:version_detail": {"slug": slug, "n": 1},
        "modelcards:version_markdown": {"slug": slug, "n": 1},
        "modelcards:diff": {"slug": slug, "a": 1, "b": 1},
        "modelcards:revert": {"slug": slug, "n": 1},
        "modelcards:undo": {"slug": slug, "n": 1},
        "modelcards:restore": {"slug": slug, "n": 1},
        "modelcards:rollback": {"slug": slug},
        "modelcards:blame": {"slug": slug},
        "modelcards:version_visibility": {"slug": slug, "n": 1},
        "modelcards:card_visibility_log": {"slug": slug},
        "modelcards:card_protection": {"slug": slug},
        "modelcards:card_unprotect": {"slug": slug},
        "modelcards:card_feed": {"slug": slug},
        "modelcards:talk_thread": {"slug": slug, "pk": world["thread"].pk},
        "modelcards:talk_moderate": {"slug": slug, "pk": world["thread"].pk},
        "modelcards:suggestion_detail": {"pk": world["suggestion"].pk},
        "modelcards:suggestion_markdown": {"pk": world["suggestion"].pk},
        "modelcards:suggestion_accept": {"pk": world["suggestion"].pk},
        "modelcards:suggestion_reject": {"pk": world["suggestion"].pk},
        "modelcards:suggestion_withdraw": {"pk": world["suggestion"].pk},
        "modelcards:suggestion_comment": {"pk": world["suggestion"].pk},
        "modelcards:block_author": {"pk": world["suggestion"].pk},
        "modelcards:unblock": {"pk": 999999},
        "modelcards:mark_looked_over": {"pk": 999999},
        "modelcards:person_trust": {"username": world["author"].username},
        "modelcards:card_maintainers": {"slug": slug},
        "modelcards:record_review": {"slug": slug},
        "modelcards:hub_propose": {"slug": slug},
        "modelcards:maintainer_revoke": {"slug": slug, "pk": 999999},
        "modelcards:suggestion_request_changes": {"pk": world["suggestion"].pk},
        "modelcards:suggestion_accept_part": {"pk": world["suggestion"].pk},
        "modelcards:suggestion_revise": {"pk": world["suggestion"].pk},
        "modelcards:suggestion_revision": {"pk": world["suggestion"].pk, "number": 1},
        "modelcards:inbox_open": {"pk": world["entry"].pk},
        "modelcards:watch_edit": {"slug": slug},
        "modelcards:watchlist_feed": {"token": world["feed_token"]},
        "modelcards:field_unwatch": {"field": "license"},
        "modelcards:field_watch_feed_link": {"field": "license"},
        "modelcards:field_watch_feed": {"token": world["field_feed_token"]},
        "modelcards:dump_file": {"stamp": "20000101T000000Z", "name": "SHA256SUMS"},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accounts:profile": {"username": world["author"].username},
        "accounts:api_token_revoke": {"pk": world["api_token"].pk},
        "accounts:verify_email": {"token": "made-up"},
        "accounts:confirm_email_change": {"token": "made-up"},
    }.get(name, {})


POST_DATA = {
    "modelcards:card_watch": {"watch": "1"},
    "modelcards:talk_moderate": {"action": "close"},
    # What the review page shows for the world's suggestion, so a moderator's accept really goes through.
    "modelcards:suggestion_accept": {
        "seen_fingerprint": text_fingerprint(SAMPLE_README + "\nx\n"),
        "seen_version": 1,
    },
    "modelcards:suggestion_reject": {"note": "no"},
    "modelcards:suggestion_comment": {"body": "hi"},
    "modelcards:block_author": {"reason": "spam"},
    "modelcards:suggestion_request_changes": {"note": "Please cite a source."},
    "modelcards:suggestion_accept_part": {
        "hunk": "1",
        "remainder": "pending",
        "seen_hunks": text_fingerprint(f"1\n{SAMPLE_README}\nx\n"),
        "seen_version": 1,
    },
    "modelcards:revert": {"reason": "checking who may revert"},
    "modelcards:editor_preview": {"text": SAMPLE_README, "mode": "raw"},
    "accounts:api_token_create": {"name": "a tool", "scope": "read", "expires": "30"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_answers_each_role_as_decided(client, world, make_user, role, name):
    from django.urls import reverse

    if role != "anonymous":
        user = {
            "registered": lambda: make_user("someone"),
            "author": lambda: world["author"],
            "moderator": lambda: make_user("mod", moderator=True),
            "staff": lambda: make_user("boss", staff=True),
        }[role]()
        client.force_login(user)
    method, expected = MATRIX[name]
    url = reverse(name, kwargs=_kwargs(name, world))
    response = client.post(url, POST_DATA.get(name, {})) if method == "post" else client.get(url)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
            response.status_code
        )
    else:
        assert response.status_code == want, response.status_code


def test_no_get_request_changes_anything(client, world, make_user):
    """State-changing URLs refuse GET (405) so a link or prefetch can never decide or delete."""
    from django.urls import reverse

    client.force_login(make_user("mod", moderator=True))
    for name, (method, _) in MATRIX.items():
        if method == "post" and name != "accounts:logout":
            assert client.get(reverse(name, kwargs=_kwargs(name, world))).status_code == 405, name
    world["suggestion"].refresh_from_db()
    assert world["suggestion"].status == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_staff_only(client, world, make_user, role):
    """The admin's own URLs are left out of the matrix above; its front door is checked here."""
    if role != "anonymous":
        client.force_login(
            {
                "registered": lambda: make_user("someone"),
                "author": lambda: world["author"],
                "moderator": lambda: make_user("mod", moderator=True),
                "staff": lambda: make_user("boss", staff=True),
            }[role]()
        )
    response = client.get("/admin/")
    if role == "staff":
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
