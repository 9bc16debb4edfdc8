"""Nobody passes for someone else: anonymous names that match an account (ignoring case and look-alike
characters) are refused, anonymous names always show as unregistered, new usernames may not mix
scripts or look like an existing one, and links to internationalised domains show their real host."""

import pytest
from django.test import Client

from accounts.confusables import mixes_scripts, skeleton
from modelcards.models import Suggestion
from modelcards.rendering import render_markdown
from modelcards.workflow import accept_suggestion, submit_suggestion
from tests.api_contract import SUGGESTED, ApiClient
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

TAKEN = "That name belongs to a registered account; choose another, or log in."
# Cyrillic а (U+0430) and е (U+0435) where the Latin letters would be.
CYRILLIC_ALICE = "\u0430lic\u0435"


@pytest.mark.parametrize(
    ("typed", "username"),
    [
        ("Alice", "alice"),
        ("ALICE", "alice"),
        (CYRILLIC_ALICE, "alice"),
        ("ａｌｉｃｅ", "alice"),  # full-width
        ("ali\u200bce", "alice"),  # a zero-width space inside
        ("Alicé", "alice"),
        ("paypa1", "paypal"),
        ("PayPal", "paypal"),
    ],
)
def test_names_that_pass_for_each_other_have_one_skeleton(typed, username):
    assert skeleton(typed) == skeleton(username)


@pytest.mark.parametrize(("one", "other"), [("alice", "alicia"), ("bob", "rob"), ("ada", "adam")])
def test_different_names_keep_different_skeletons(one, other):
    assert skeleton(one) != skeleton(other)


def _suggest_anonymously(client, name):
    data = {
        "text": SAMPLE_README + "\nA sentence.\n",
        "summary": "Add a sentence",
        "author_name": name,
        "base_version": 1,
        "submit": "1",
    }
    return client.post("/cards/sample/suggest/", data)


@pytest.mark.parametrize("typed", ["alice", "ALICE", CYRILLIC_ALICE, "ａｌｉｃｅ"])
def test_an_anonymous_visitor_cannot_sign_with_a_registered_name(client, card, make_user, typed):
    make_user("alice")
    response = _suggest_anonymously(client, typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert "That name belongs to a registered account; choose another, or log in." in page
    assert "A sentence." in page and "Add a sentence" in page  # nothing typed is lost
    assert not Suggestion.objects.exists()


def test_checking_a_typed_name_takes_one_query_however_many_accounts(make_user, django_assert_num_queries):
    from accounts.confusables import name_belongs_to_account

    for n in range(5):
        make_user(f"person{n}")
    with django_assert_num_queries(1):
        assert name_belongs_to_account("PERS0N3")


def test_an_anonymous_visitor_may_sign_with_a_name_nobody_has(client, card, make_user):
    make_user("alice")
    assert _suggest_anonymously(client, "Alicia").status_code == 302
    assert Suggestion.objects.get().author_name == "Alicia"


def test_the_api_refuses_a_registered_name_for_an_anonymous_suggestion(card, make_user):
    make_user("alice")
    api = ApiClient(Client(REMOTE_ADDR="198.51.100.1"))
    body = {
        "card": "sample",
        "base_version": 1,
        "text": SAMPLE_README + SUGGESTED,
        "summary": "Add a sentence",
        "author_name": CYRILLIC_ALICE,
    }
    response = api.post("/api/v1/suggestions/", body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["author_name"] == [TAKEN]
    assert not Suggestion.objects.exists()


def _anonymous_suggestion(card, name="Ada"):
    return submit_suggestion(
        card=card,
        text=SAMPLE_README + "\nA sentence.\n",
        summary="Add a sentence",
        base_version=1,
        author=None,
        author_name=name,
    )


def test_an_anonymous_name_shows_as_unregistered_in_the_queue_and_on_the_suggestion(client, card, moderator):
    suggestion = _anonymous_suggestion(card)
    client.force_login(moderator)
    queue = client.get("/suggestions/").content.decode()
    assert "Ada (not logged in)" in queue
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "Ada (not logged in)" in page


def test_an_anonymous_name_shows_as_unregistered_in_history_changes_and_the_api(client, card, moderator):
    accept_suggestion(_anonymous_suggestion(card), reviewer=moderator)
    history = client.get("/cards/sample/history/").content.decode()
    assert "Ada (unregistered)" in history
    assert "Ada (unregistered)" in client.get("/cards/sample/v/2/").content.decode()
    assert "Ada (unregistered)" in client.get("/changes/").content.decode()
    versions = client.get("/api/v1/cards/sample/history/").json()
    authors = [item["author"] for item in versions["results"] if item.get("author")]
    assert {"name": "Ada", "registered": False, "profile": None} in authors


SIGNUP = {"email": "new@example.org", "password1": "a-long-pass-123", "password2": "a-long-pass-123"}


def test_a_username_mixing_latin_and_cyrillic_is_refused_at_sign_up(client, django_user_model):
    response = client.post("/accounts/signup/", {**SIGNUP, "username": "p\u0430ypal"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A username must use letters of one script only" in page
    assert "new@example.org" in page  # the form comes back filled
    assert not django_user_model.objects.filter(email="new@example.org").exists()


@pytest.mark.parametrize("username", ["Alice", "a1ice", "ＡＬＩＣＥ"])
def test_a_username_that_looks_like_an_existing_one_is_refused_at_sign_up(client, make_user, username):
    make_user("alice")
    response = client.post("/accounts/signup/", {**SIGNUP, "username": username})
    assert response.status_code == 400
    page = response.content.decode()
    assert "looks the same as an existing one" in page or "already exists" in page


def test_the_admin_refuses_a_look_alike_username_too(client, make_user, django_user_model):
    make_user("alice")
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    client.force_login(admin)
    data = {"username": "a1ice", "usable_password": "false"}
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 200  # the form again, with the reason
    assert "looks the same as an existing one" in response.content.decode()
    created = client.post("/admin/accounts/user/add/", {"username": "bob", "usable_password": "false"})
    assert created.status_code == 302
    assert django_user_model.objects.get(username="bob").username_skeleton == "bob"


def test_the_names_shown_for_people_without_an_account_cannot_be_taken(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "username": "Anonymous"})
    assert response.status_code == 400
    assert "stands for people without an account" in response.content.decode()


def test_a_username_in_one_non_latin_script_is_welcome(client, django_user_model):
    assert not mixes_scripts("Иван_1")
    assert client.post("/accounts/signup/", {**SIGNUP, "username": "Иван_1"}).status_code == 302
    assert django_user_model.objects.get(username="Иван_1").username_skeleton == skeleton("Иван_1")


def test_an_account_keeps_its_skeleton_when_renamed(make_user):
    person = make_user("someone_else")
    person.username = "ALICE"
    person.save(update_fields=["username"])
    person.refresh_from_db()
    assert person.username_skeleton == "alice"


@pytest.mark.parametrize(
    ("markdown", "marker"),
    [
        ("[PayPal](https://p\u0430ypal.com/login)", "(xn--pypal-4ve.com)"),
        ("<https://bücher.example/>", "(xn--bcher-kva.example)"),
        ("[books](https://xn--bcher-kva.example/)", "(xn--bcher-kva.example)"),
        ("[books](https://b%C3%BCcher.example/)", "(xn--bcher-kva.example)"),
    ],
)
def test_a_link_to_an_internationalised_domain_shows_its_punycode_host(markdown, marker):
    html = str(render_markdown(markdown).html)
    assert f"</a> {marker}" in html
    assert f'title="Goes to {marker[1:-1]}"' in html


def test_a_link_to_an_ascii_domain_is_left_alone():
    html = str(render_markdown("[site](https://example.com/) and [page](/cards/)").html)
    assert "xn--" not in html and "Goes to" not in html


def test_the_punycode_marker_stays_escaped():
    html = str(render_markdown('<a href="https://bü&quot;&lt;x.example">x</a>').html)
    assert "<x" not in html.replace("<a ", "")


@pytest.mark.parametrize("username", ["hub-sync", "Hub-Sync", "HUB-SYNC"])
def test_nobody_signs_up_as_the_sites_own_hub_account(client, django_user_model, username):
    from accounts.forms import SYSTEM_NAMES
    from modelcards.hub.sync import SYSTEM_USERNAME

    assert SYSTEM_USERNAME in SYSTEM_NAMES
    response = client.post("/accounts/signup/", {**SIGNUP, "username": username})
    assert response.status_code == 400
    assert "belongs to the site itself" in response.content.decode()
    assert not django_user_model.objects.filter(email="new@example.org").exists()
