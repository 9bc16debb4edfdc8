"""The permission matrix: every URL of the project, for each of nine roles, GET and (where taken) POST.

Roles: anonymous, unverified (email not verified), registered, trusted (a ContributorTrust grant),
maintainer (a verified maintainer of the world's card), blocked (a Block in force), moderator,
oversight (the Oversight group alone) and staff. Every URL pattern is found by walking the resolver,
and `test_every_url_has_a_row` fails for a URL without a row in MATRIX: decide who may use it first.

The world's objects belong to a tenth account, "author", so the rows here are about roles; what an
object's own author may do is in tests/test_access.py. Each request runs in a savepoint rolled back
afterwards (and the cache is emptied), so one role's POST never changes what the next role sees, and
each URL costs one world.

Statuses: 200/302 allowed; LOGIN a redirect to the login page; 403 refused; 404 nothing there for
this role; 405 the method is not taken; 400/409/410 as the view explains in its own row's comment.
"""

from http.cookies import SimpleCookie

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.api_tokens import issue_token
from modelcards.cardfile import parse_card
from modelcards.models import Block, CardMaintainer, ContributorTrust, Notification, Suggestion, TalkThread
from modelcards.notifications import field_watches, watchlist
from modelcards.workflow import text_fingerprint, update_card
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "unverified",
    "registered",
    "trusted",
    "maintainer",
    "blocked",
    "moderator",
    "oversight",
    "staff",
)
SIGNED_IN = ROLES[1:]
LOGIN = "login"  # a 302 to the login page
MODERATORS = ("moderator", "staff")

SUGGESTED = SAMPLE_README + "\nA suggested line.\n"
V2 = SAMPLE_README.replace("Summarising notes.", "Summarising notes, second.")
V3 = V2.replace("It is only a sample.", "It is a sample, third.")


def every(status) -> dict:
    return dict.fromkeys(ROLES, status)


def signed_in(status, *, anonymous=LOGIN, **exceptions) -> dict:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, status), **exceptions}


def moderators(status, *, others=403, anonymous=LOGIN, **exceptions) -> dict:
    """`status` for moderators and staff (permissions.can_review), `others` for the other accounts."""
    return {**signed_in(others, anonymous=anonymous), **dict.fromkeys(MODERATORS, status), **exceptions}


# name -> {method: {role: expected status}}. POST is listed where the URL takes a form or an action;
# a POST with an empty form that gets past the permission check is refused by the form (400), which
# is what shows the role was let in. GET-only pages are asked with GET alone.
MATRIX: dict[str, dict[str, dict]] = {
    # ---- Accounts
    "accounts:signup": {"GET": signed_in(302, anonymous=200), "POST": signed_in(302, anonymous=200)},
    "accounts:login": {"GET": every(200), "POST": every(200)},
    "accounts:logout": {"GET": every(405), "POST": every(302)},
    # Sending a form again after logging in needs the form's address; without one it is a bad request.
    "accounts:login_and_resend": {"GET": every(405), "POST": every(400)},
    "accounts:password_change": {"GET": signed_in(200), "POST": signed_in(200)},
    "accounts:password_change_done": {"GET": signed_in(200)},
    "accounts:password_reset": {"GET": every(200), "POST": every(200)},
    "accounts:password_reset_done": {"GET": every(200)},
    # A link that is not one we sent shows the "invalid link" page, whoever follows it.
    "accounts:password_reset_confirm": {"GET": every(200), "POST": every(200)},
    "accounts:password_reset_complete": {"GET": every(200)},
    "accounts:profile": {"GET": every(200)},
    # Each person's own tokens: the world's token is the author's, so everyone else gets a 404.
    "accounts:api_token_create": {"GET": every(405), "POST": signed_in(200)},
    "accounts:api_token_revoke": {"GET": every(405), "POST": signed_in(404)},
    # Issue 15 item 8 (email verification). Resending is for any signed-in account (a verified one is
    # told so); a link token that is not one we made is a bad request for everyone; an email change
    # with an empty form is refused by the form. Recorded from the views as they are now.
    "accounts:resend_verification": {"GET": every(405), "POST": signed_in(302)},
    "accounts:verify_email": {"GET": every(400), "POST": every(400)},
    "accounts:change_email": {"GET": every(405), "POST": signed_in(400)},
    "accounts:confirm_email_change": {"GET": every(400), "POST": every(400)},
    # ---- Cards: reading is for everyone, blocked people included
    "modelcards:home": {"GET": every(200)},
    "modelcards:card_list": {"GET": every(200)},
    "modelcards:card_detail": {"GET": every(200)},
    "modelcards:card_markdown": {"GET": every(200)},
    "modelcards:card_json": {"GET": every(200)},
    "modelcards:openness_json": {"GET": every(200)},
    "modelcards:openness_yaml": {"GET": every(200)},
    "modelcards:wanted": {"GET": every(200)},
    "modelcards:dumps": {"GET": every(200)},
    "modelcards:dump_file": {"GET": every(404)},  # the world has no published dump
    "modelcards:card_feed": {"GET": every(200)},
    "modelcards:changes": {"GET": every(200)},
    "modelcards:changes_feed": {"GET": every(200)},
    # ---- Moderators' card tools (permissions.can_review: the Moderators group and staff)
    "modelcards:card_import": {"GET": moderators(200), "POST": moderators(200)},
    "modelcards:mot_import": {"GET": moderators(200), "POST": moderators(200)},
    # An empty form is refused before the Hub is asked anything.
    "modelcards:card_import_hub": {"GET": moderators(200), "POST": moderators(400)},
    "modelcards:card_edit": {"GET": moderators(200), "POST": moderators(400)},
    "modelcards:card_rename": {"GET": moderators(200), "POST": moderators(400)},
    # A card's protection and its log are public; changing it is for moderators.
    "modelcards:card_protection": {"GET": every(200), "POST": moderators(400)},
    "modelcards:card_unprotect": {"GET": every(405), "POST": moderators(302)},  # not protected: sent back
    # Issue 15 item 2: verifying and revoking a card's maintainers is for moderators.
    "modelcards:card_maintainers": {"GET": moderators(200), "POST": moderators(400)},
    "modelcards:maintainer_revoke": {"GET": every(405), "POST": moderators(302)},
    # Issue 16 item 5: the due-for-review list is public; "reviewed, still accurate" is for moderators.
    "modelcards:due_for_review": {"GET": every(200)},
    "modelcards:record_review": {"GET": every(405), "POST": moderators(302)},
    # Issue 16: proposing a card back to the Hub is for moderators; the world's card has no Hub link.
    "modelcards:hub_propose": {"GET": moderators(404), "POST": moderators(404)},
    # ---- Suggesting: anyone may (MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST is off), a blocked person may not
    "modelcards:suggest": {
        "GET": signed_in(200, anonymous=200, blocked=403),
        "POST": signed_in(400, anonymous=400, blocked=403),
    },
    "modelcards:suggest_new_card": {
        "GET": signed_in(200, anonymous=200, blocked=403),
        "POST": signed_in(400, anonymous=400, blocked=403),
    },
    # The editor's live preview changes nothing, so anyone who may open an editor may use it.
    "modelcards:editor_preview": {"GET": every(405), "POST": every(200)},
    "modelcards:card_watch": {"GET": every(405), "POST": signed_in(302)},
    # Anyone may read a card's claim markers; marking needs an account and no block.
    "modelcards:mark_claim": {"GET": every(200), "POST": signed_in(400, blocked=403)},
    "modelcards:resolve_marker": {"GET": every(405), "POST": moderators(302)},
    # ---- Talk
    "modelcards:talk": {"GET": every(200), "POST": signed_in(200, blocked=403)},
    "modelcards:talk_thread": {"GET": every(200), "POST": signed_in(200, blocked=403)},
    "modelcards:talk_moderate": {"GET": every(405), "POST": moderators(302)},
    # ---- History
    "modelcards:history": {"GET": every(200)},
    "modelcards:compare": {"GET": every(302)},  # ?a=1&b=3 goes on to the diff's permanent address
    "modelcards:version_detail": {"GET": every(200)},
    "modelcards:version_markdown": {"GET": every(200)},
    "modelcards:diff": {"GET": every(200)},
    "modelcards:blame": {"GET": every(200)},
    "modelcards:revert": {"GET": every(405), "POST": moderators(302)},
    # Undo and restore are shown to anyone who may suggest; a moderator publishes an undo, and restores
    # through the revert form (so a moderator's POST to restore is a 405).
    "modelcards:undo": {
        "GET": signed_in(200, anonymous=200, blocked=403),
        "POST": signed_in(400, anonymous=400, blocked=403),
    },
    "modelcards:restore": {
        "GET": signed_in(200, anonymous=200, blocked=403),
        "POST": moderators(405, others=400, anonymous=400, blocked=403),
    },
    # Issue 15 item 3: the rollback of the author's versions 2-3 back to version 1 (governance/rollback.py).
    "modelcards:rollback": {"GET": moderators(200), "POST": moderators(302)},
    # Issue 15 item 4: hiding a version's parts is for moderators and oversight, and so are the logs.
    "modelcards:version_visibility": {
        "GET": moderators(200, oversight=200),
        "POST": moderators(400, oversight=400),
    },
    "modelcards:card_visibility_log": {"GET": moderators(200, oversight=200)},
    "modelcards:visibility_log": {"GET": moderators(200, oversight=200)},
    # ---- Suggestions and decisions
    "modelcards:suggestion_list": {"GET": every(200)},
    "modelcards:suggestion_detail": {"GET": every(200)},
    "modelcards:suggestion_markdown": {"GET": every(200)},
    "modelcards:suggestion_revision": {"GET": every(200)},
    "modelcards:suggestion_accept": {"GET": every(405), "POST": moderators(302)},
    # The world's suggestion is one change, so a partial acceptance is refused as bad input.
    "modelcards:suggestion_accept_part": {"GET": every(405), "POST": moderators(400)},
    "modelcards:suggestion_reject": {"GET": every(405), "POST": moderators(302)},
    "modelcards:suggestion_request_changes": {"GET": every(405), "POST": moderators(302)},
    # Only the suggestion's author revises or withdraws it: the world's is the tenth account's.
    "modelcards:suggestion_revise": {"GET": signed_in(403), "POST": signed_in(403)},
    "modelcards:suggestion_withdraw": {"GET": every(405), "POST": signed_in(403)},
    "modelcards:suggestion_comment": {"GET": every(405), "POST": signed_in(302, blocked=403)},
    "modelcards:block_author": {"GET": every(405), "POST": moderators(302)},
    # ---- Blocks, trust and autoreview (issue 15 item 1): moderators'
    "modelcards:block_list": {"GET": moderators(200)},
    "modelcards:block_log": {"GET": moderators(200)},
    "modelcards:unblock": {"GET": every(405), "POST": moderators(302)},
    "modelcards:autoreviewed": {"GET": moderators(200)},
    "modelcards:mark_looked_over": {"GET": every(405), "POST": moderators(302)},
    "modelcards:person_trust": {"GET": moderators(200), "POST": moderators(400)},
    "modelcards:trust_log": {"GET": moderators(200)},
    # ---- Each person's own inbox and watchlist
    "modelcards:inbox": {"GET": signed_in(200)},
    "modelcards:inbox_mark_all_read": {"GET": every(405), "POST": signed_in(302)},
    "modelcards:inbox_open": {"GET": every(405), "POST": signed_in(404)},  # the entry is the author's
    "modelcards:watchlist": {"GET": signed_in(200)},
    "modelcards:watch_edit": {"GET": signed_in(200), "POST": signed_in(400)},
    "modelcards:watchlist_feed_link": {"GET": every(405), "POST": signed_in(302)},
    # The secret in the address is the only key: the world's is the author's, whoever asks.
    "modelcards:watchlist_feed": {"GET": every(200)},
    # Field watches: each role's own; none watches the field "x", and an empty form names no field (400).
    "modelcards:field_watches": {"GET": signed_in(200), "POST": signed_in(400)},
    "modelcards:field_unwatch": {"GET": every(405), "POST": signed_in(404)},
    "modelcards:field_watch_feed_link": {"GET": every(405), "POST": signed_in(404)},
    # The secret in the address is the only key: the world's licence watch is the author's.
    "modelcards:field_watch_feed": {"GET": every(200)},
    # ---- The admin, summarised by its index: staff only, everyone else to the admin's login
    "admin:index": {"GET": {**every(302), "staff": 200}},
    # ---- The API ignores the site's session: every role is a caller without a token here, and reads
    # are public, and so is suggesting, as on the site. Its per-token matrix is tests/test_api_access.py.
    "api-v1:index": {"GET": every(200)},
    "api-v1:api-root": {"GET": every(200)},
    "api-v1:openapi-json": {"GET": every(200)},
    "api-v1:openapi-view": {"GET": every(200)},
    "api-v1:card_list": {"GET": every(200)},
    "api-v1:card_detail": {"GET": every(200)},
    "api-v1:card_readme": {"GET": every(200)},
    "api-v1:version_list": {"GET": every(200)},
    "api-v1:history": {"GET": every(200)},
    "api-v1:version_detail": {"GET": every(200)},
    "api-v1:version_readme": {"GET": every(200)},
    "api-v1:diff": {"GET": every(200)},
    "api-v1:suggestion_list": {"GET": every(200)},
    "api-v1:suggestion_create": {"POST": every(201)},
    "api-v1:suggestion_detail": {"GET": every(200)},
    "api-v1:suggestion_comments": {"GET": every(200)},
    "api-v1:thread_list": {"GET": every(200)},
    "api-v1:thread_detail": {"GET": every(200)},
}


# --------------------------------------------------------------------------------------
# The world, the URLs and the requests


@pytest.fixture
def world(make_card, make_user):
    author = make_user("author")
    people = {
        "unverified": make_user("unverified", verified=False),
        "registered": make_user("someone"),
        "trusted": make_user("trusted"),
        "maintainer": make_user("maintainer"),
        "blocked": make_user("blocked"),
        "moderator": make_user("mod", moderator=True),
        "oversight": make_user("overseer", oversight=True),
        "staff": make_user("boss", staff=True),
    }
    card = make_card()
    update_card(card, card_file=parse_card(V2), user=author, summary="second")
    update_card(card, card_file=parse_card(V3), user=author, summary="third")
    ContributorTrust.objects.create(user=people["trusted"], trusted=True, reason="matrix")
    maintainer_row = CardMaintainer.objects.create(
        card=card, user=people["maintainer"], note="matrix", verified_by=people["moderator"]
    )
    block = Block.objects.create(user=people["blocked"], reason="matrix", created_by=people["moderator"])
    suggestion = Suggestion.objects.create(
        card=card, base_version=3, text=SUGGESTED, summary="s", author=author
    )
    thread = TalkThread.objects.create(card=card, title="t", author=author)
    thread.comments.create(author=author, body="hello")
    entry = Notification.objects.create(
        user=author, kind="reply", event="matrix", subject="s", card=card, thread=thread
    )
    return {
        "card": card,
        "author": author,
        "people": people,
        "block": block,
        "maintainer_row": maintainer_row,
        "suggestion": suggestion,
        "thread": thread,
        "entry": entry,
        "feed_token": watchlist.new_feed_key(author).token,
        "field_feed_token": field_watches.watch_field(author, "license")[0].feed_token,
        "api_token": issue_token(author, name="a tool", scope="read")[0],
    }


def url_patterns(resolver=None, namespace=""):
    """(name, pattern) for every URL of the project; the admin's are left to its index."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                yield "admin:index", entry
                continue
            yield from url_patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else str(entry.pattern)), entry


def url_names() -> set[str]:
    return {name for name, _ in url_patterns()}


# Values for the URL's parameters, by name of URL where it matters, else by name of parameter.
def _kwargs(name: str, world) -> dict:
    slug, suggestion = world["card"].slug, world["suggestion"].pk
    by_url = {
        "modelcards:talk_thread": {"pk": world["thread"].pk},
        "modelcards:talk_moderate": {"pk": world["thread"].pk},
        "modelcards:inbox_open": {"pk": world["entry"].pk},
        "modelcards:unblock": {"pk": world["block"].pk},
        "modelcards:suggestion_revision": {"pk": suggestion, "number": 1},
        "modelcards:dump_file": {"stamp": "20000101T000000Z", "name": "SHA256SUMS"},
        "modelcards:watchlist_feed": {"token": world["feed_token"]},
        "modelcards:field_watch_feed": {"token": world["field_feed_token"]},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accounts:api_token_revoke": {"pk": world["api_token"].pk},
        "modelcards:maintainer_revoke": {"pk": world["maintainer_row"].pk},
        "modelcards:mark_looked_over": {"pk": world["card"].versions.get(number=3).pk},
        "api-v1:suggestion_detail": {"pk": suggestion},
        "api-v1:suggestion_comments": {"pk": suggestion},
        "api-v1:thread_detail": {"pk": world["thread"].pk},
    }
    by_parameter = {
        "slug": slug,
        "n": 2,
        "a": 1,
        "b": 3,
        "old": 1,
        "new": 3,
        "number": 2,
        "pk": suggestion
        if name.startswith("modelcards:suggestion") or name == "modelcards:block_author"
        else 999999,
        "username": world["people"]["registered"].username,
        "token": "not-a-token",
    }
    pattern = dict(url_patterns())[name]
    wanted = set(pattern.pattern.regex.groupindex) | set(getattr(pattern.pattern, "converters", {}))
    return {key: by_url.get(name, {}).get(key, by_parameter.get(key, "x")) for key in wanted}


def url_of(name: str, world) -> str:
    if name == "admin:index":
        return "/admin/"
    if ":" not in name:  # an unnamed pattern: its route is its name
        return "/" + name
    return reverse(name, kwargs=_kwargs(name, world)) + QUERY.get(name, "")


QUERY = {"modelcards:compare": "?a=1&b=3"}

POST_DATA = {
    "modelcards:card_watch": {"watch": "1"},
    "modelcards:talk_moderate": {"action": "close"},
    "modelcards:suggestion_accept": {"seen_fingerprint": text_fingerprint(SUGGESTED), "seen_version": 3},
    "modelcards:suggestion_reject": {"note": "no"},
    "modelcards:suggestion_comment": {"body": "hi"},
    "modelcards:block_author": {"reason": "spam"},
    "modelcards:suggestion_request_changes": {"note": "Please cite a source."},
    "modelcards:revert": {"reason": "checking who may revert"},
    "modelcards:rollback": {"expected_version": "3"},
    "modelcards:editor_preview": {"text": SAMPLE_README, "mode": "raw"},
    "accounts:api_token_create": {"name": "a tool", "scope": "read", "expires": "30"},
    "api-v1:suggestion_create": {
        "card": "sample",
        "base_version": 3,
        "text": V3 + "\nSuggested through the API.\n",
        "summary": "Add a sentence",
    },
}


def _status(response) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


def answers(name: str, world) -> dict[str, dict]:
    """{method: {role: status}} for the URL, each request in a savepoint rolled back afterwards."""
    url = url_of(name, world)
    result: dict[str, dict] = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world["people"][role])
        cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
        for method in ("GET", "POST"):
            if method not in MATRIX[name]:
                continue
            client.cookies = SimpleCookie(cookies.output(header="", sep="\n"))
            with transaction.atomic():
                if method == "GET":
                    response = client.get(url)
                elif name.startswith("api-v1:"):
                    response = client.post(url, POST_DATA.get(name, {}), content_type="application/json")
                else:
                    response = client.post(url, POST_DATA.get(name, {}))
                transaction.set_rollback(True)
            cache.clear()
            result.setdefault(method, {})[role] = _status(response)
    return result


# --------------------------------------------------------------------------------------
# The tests


def test_every_url_has_a_row():
    """A URL added without a decision here fails; so does a row left behind by a URL taken away."""
    names = url_names()
    assert not names - set(MATRIX), f"decide who may use these URLs in MATRIX: {sorted(names - set(MATRIX))}"
    assert not set(MATRIX) - names, f"rows for URLs that no longer exist: {sorted(set(MATRIX) - names)}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_decided_answer(world, name):
    got = answers(name, world)
    wrong = [
        f"{method} {role}: expected {expected[role]}, got {got[method][role]}"
        for method, expected in MATRIX[name].items()
        for role in ROLES
        if got[method][role] != expected[role]
    ]
    assert not wrong, f"{name} ({url_of(name, world)}):\n" + "\n".join(wrong)
