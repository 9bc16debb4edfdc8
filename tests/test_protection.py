"""Protecting a card: who may still suggest, what everyone sees, the log, and every path that files."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import generations
from modelcards.governance import protection
from modelcards.models import CardProtection, Suggestion
from modelcards.workflow import CardProtected, submit_suggestion
from modelcards.workflow.revisions import revise_suggestion
from tests.api_contract import ApiClient, token_for
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

ADDED = "\nA sentence someone typed.\n"


def _protect(client, moderator, level="full", reason="Edit war over the licence", duration="1w"):
    client.force_login(moderator)
    return client.post("/cards/sample/protection/", {"level": level, "reason": reason, "duration": duration})


def _aged(user, days=30):
    user.date_joined = timezone.now() - timedelta(days=days)
    user.save(update_fields=["date_joined"])
    return user


def _post_suggestion(client, text=SAMPLE_README + ADDED, **extra):
    data = {"text": text, "summary": "Add a sentence", "base_version": 1, "submit": "1", **extra}
    return client.post("/cards/sample/suggest/", data)


def test_a_moderator_protects_a_card_and_every_reader_sees_level_reason_who_and_until(
    client, card, moderator
):
    anonymous = Client()
    assert "protected" not in anonymous.get("/cards/sample/").content.decode().lower()  # now cached
    response = _protect(client, moderator)
    assert response.status_code == 302 and response["Location"] == "/cards/sample/"
    page = anonymous.get("/cards/sample/").content.decode()
    assert "Fully protected" in page and "Edit war over the licence" in page
    assert "by mod" in page and "UTC" in page and "only moderators may suggest" in page


def test_protecting_needs_a_reason_and_is_refused_to_non_moderators(client, card, moderator, user):
    response = _protect(client, moderator, reason="")
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not CardProtection.objects.exists()
    hidden = _protect(client, moderator, reason="Looks fine\u202e")
    assert hidden.status_code == 400 and "must be one line of plain text" in hidden.content.decode()
    client.force_login(user)
    refused = client.post("/cards/sample/protection/", {"level": "full", "reason": "x", "duration": "1d"})
    assert refused.status_code == 403 and not CardProtection.objects.exists()


def test_full_protection_shows_a_signed_in_user_a_403_naming_it_instead_of_the_editor(
    client, card, moderator, make_user
):
    _protect(client, moderator)
    client.force_login(_aged(make_user("veteran")))
    for url in ("/cards/sample/suggest/", "/cards/sample/suggest/?section=2"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 403, url
        assert "fully protected until" in page and "Edit war over the licence" in page
        assert "only moderators may suggest edits" in page and "<textarea" not in page


def test_a_refused_post_keeps_the_typed_text_and_files_nothing(client, card, moderator, user):
    _protect(client, moderator)
    client.force_login(user)
    response = _post_suggestion(client)
    page = response.content.decode()
    assert response.status_code == 403
    assert "A sentence someone typed." in page and "fully protected" in page
    assert not Suggestion.objects.exists()


def test_semi_protection_admits_old_accounts_and_refuses_new_and_anonymous_ones(
    client, card, moderator, make_user, settings
):
    settings.PROTECTION_MIN_ACCOUNT_DAYS = 4
    _protect(client, moderator, level="semi", reason="Vandalism")
    assert Client().get("/cards/sample/suggest/").status_code == 403
    client.force_login(_aged(make_user("newcomer"), days=3))
    refused = client.get("/cards/sample/suggest/")
    assert refused.status_code == 403 and "semi-protected" in refused.content.decode()
    assert "at least 4 days old may suggest" in refused.content.decode()
    client.force_login(_aged(make_user("regular"), days=5))
    allowed = client.get("/cards/sample/suggest/")
    assert allowed.status_code == 200 and "Semi-protected" in allowed.content.decode()
    assert _post_suggestion(client).status_code == 302 and Suggestion.objects.count() == 1


def test_moderators_still_suggest_on_a_fully_protected_card_and_see_the_notice(client, card, moderator):
    _protect(client, moderator)
    page = client.get("/cards/sample/suggest/")
    assert page.status_code == 200 and "Fully protected" in page.content.decode()


def test_an_expired_protection_stops_counting_by_itself(client, card, moderator, user):
    _protect(client, moderator, duration="1d")
    CardProtection.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(user)
    assert client.get("/cards/sample/suggest/").status_code == 200
    assert protection.in_force(card) is None


def test_unprotecting_lifts_it_and_the_log_keeps_both_with_who_and_when(client, card, moderator, user):
    _protect(client, moderator, level="semi", reason="First dispute", duration="never")
    _protect(client, moderator, level="full", reason="It got worse", duration="1m")
    response = client.post("/cards/sample/unprotect/")
    assert response.status_code == 302
    client.force_login(user)
    assert client.get("/cards/sample/suggest/").status_code == 200
    log = Client().get("/cards/sample/protection/").content.decode()
    assert "not protected" in log and "First dispute" in log and "It got worse" in log
    assert log.count("by mod") == 2 and "indefinitely" in log
    assert "Fully protected" not in Client().get("/cards/sample/").content.decode()


def test_unprotecting_an_unprotected_card_says_so(client, card, moderator):
    client.force_login(moderator)
    response = client.post("/cards/sample/unprotect/", follow=True)
    assert "This card is not protected." in response.content.decode()


def test_the_workflow_refuses_whatever_path_files(card, moderator, user):
    protection.protect(card, level="full", reason="Court order", duration="never", moderator=moderator)
    with pytest.raises(CardProtected, match="Court order"):
        submit_suggestion(card=card, text=SAMPLE_README + ADDED, summary="s", base_version=1, author=user)
    with pytest.raises(CardProtected, match="fully protected indefinitely"):
        submit_suggestion(
            card=card, text=SAMPLE_README + ADDED, summary="s", base_version=1, author=None, author_name="A"
        )


def test_the_api_refuses_a_suggestion_with_a_403_naming_the_protection(card, moderator, user):
    protection.protect(card, level="full", reason="Court order", duration="1w", moderator=moderator)
    api = ApiClient(Client(), token_for(user, "suggest"))
    body = {"card": "sample", "base_version": 1, "text": SAMPLE_README + ADDED, "summary": "s"}
    response = api.post("/api/v1/suggestions/", body)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "protected" and "Court order" in error["message"] and "until" in error["message"]
    assert not Suggestion.objects.exists()


def test_undo_and_restore_pages_refuse_non_moderators_but_not_moderators(
    client, card, moderator, user, edit_card
):
    edit_card(card, SAMPLE_README + ADDED)
    edit_card(card, SAMPLE_README + ADDED + "\nMore.\n")
    protection.protect(card, level="full", reason="Dispute", duration="1d", moderator=moderator)
    client.force_login(user)
    for url in ("/cards/sample/undo/2/", "/cards/sample/restore/1/"):
        response = client.get(url)
        assert response.status_code == 403 and "Dispute" in response.content.decode(), url
    client.force_login(moderator)
    assert client.get("/cards/sample/undo/2/").status_code == 200


def test_an_author_may_still_revise_a_suggestion_filed_before_the_protection(card, moderator, user):
    suggestion = submit_suggestion(
        card=card, text=SAMPLE_README + ADDED, summary="s", base_version=1, author=user
    )
    protection.protect(card, level="full", reason="Dispute", duration="1d", moderator=moderator)
    revise_suggestion(suggestion, text=SAMPLE_README + ADDED + "\nBetter.\n", summary="Better", user=user)
    suggestion.refresh_from_db()
    assert suggestion.revision_number == 2


def test_protection_costs_the_card_page_no_query(
    client, card, moderator, settings, django_assert_num_queries
):
    settings.MODELCARDS_PAGE_CACHE = False
    anonymous = Client()
    anonymous.get("/cards/sample/")
    with CaptureQueriesContext(connection) as before:
        anonymous.get("/cards/sample/")
    protection.protect(card, level="semi", reason="Vandalism", duration="1w", moderator=moderator)
    with django_assert_num_queries(len(before)):
        page = anonymous.get("/cards/sample/")
    assert "Semi-protected" in page.content.decode()


def test_a_cached_card_page_drops_the_notice_when_the_protection_expires(card, moderator):
    protection.protect(card, level="full", reason="Short dispute", duration="1d", moderator=moderator)
    CardProtection.objects.update(expires_at=timezone.now() + timedelta(seconds=1))
    generations.invalidate(["card:sample"])  # as if protected for one second
    anonymous = Client()
    anonymous.get("/cards/sample/")
    cached = anonymous.get("/cards/sample/")
    assert cached["X-Page-Cache"] == "hit" and "Short dispute" in cached.content.decode()
    time.sleep(2.1)
    assert "Short dispute" not in anonymous.get("/cards/sample/").content.decode()


def test_the_protect_form_names_every_field_for_assistive_technology(client, card, moderator):
    client.force_login(moderator)
    page = client.get("/cards/sample/protection/").content.decode()
    assert page.count("<h1") == 1 and "<legend>Level</legend>" in page and 'for=""' not in page
    for field_id in ("id_level_0", "id_level_1", "id_reason", "id_duration"):
        assert f'for="{field_id}"' in page and f'id="{field_id}"' in page
