"""Trusted contributors (issue 15 item 1): who is trusted, autoreviewed suggestions, and the list
moderators look over afterwards."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modelcards.governance import trust
from modelcards.governance.protection import protect
from modelcards.models import Block, CardProtection, CardVersion, ContributorTrust, Suggestion
from modelcards.workflow import CardProtected, submit_suggestion
from tests.api_contract import ApiClient, token_for
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

EDITED = SAMPLE_README.replace("It is only a sample.", "It is only a sample, trained on little data.")


def _accepted(person, card, count):
    Suggestion.objects.bulk_create(
        Suggestion(
            card=card,
            base_version=1,
            text="x",
            summary=f"old {n}",
            author=person,
            status=Suggestion.Status.ACCEPTED,
            decided_at=timezone.now(),
        )
        for n in range(count)
    )


@pytest.fixture
def veteran(make_user, card, settings):
    """An account meeting every threshold: old enough, verified, with enough accepted suggestions."""
    settings.TRUSTED_MIN_ACCEPTED, settings.TRUSTED_MIN_ACCOUNT_DAYS = 3, 30
    settings.TRUSTED_REQUIRE_VERIFIED_EMAIL = True
    person = make_user("veteran")
    person.date_joined = timezone.now() - timedelta(days=31)
    person.save(update_fields=["date_joined"])
    _accepted(person, card, 3)
    return person


def _fresh(person):
    """The account as a new request would load it (is_trusted is remembered on the object)."""
    return type(person).objects.get(pk=person.pk)


def _suggest(client, text=EDITED, *, base_version=1, summary="Say how little data"):
    data = {"text": text, "summary": summary, "base_version": base_version, "submit": "1"}
    return client.post("/cards/sample/suggest/", data, follow=True)


# Who is trusted ---------------------------------------------------------------------------------


def test_an_account_meeting_every_threshold_is_trusted(veteran):
    assert trust.is_trusted(veteran)


def test_too_few_accepted_suggestions_is_not_trusted(veteran, settings):
    settings.TRUSTED_MIN_ACCEPTED = 4
    assert not trust.is_trusted(_fresh(veteran))


def test_rejected_suggestions_do_not_count_towards_trust(veteran, settings):
    Suggestion.objects.filter(author=veteran).update(status=Suggestion.Status.REJECTED)
    assert not trust.is_trusted(_fresh(veteran))


def test_too_young_an_account_is_not_trusted(veteran, settings):
    settings.TRUSTED_MIN_ACCOUNT_DAYS = 60
    assert not trust.is_trusted(_fresh(veteran))


def test_an_unverified_email_is_not_trusted_unless_the_setting_allows(veteran, settings):
    veteran.email_verified_at = None
    veteran.save(update_fields=["email_verified_at"])
    assert not trust.is_trusted(_fresh(veteran))
    settings.TRUSTED_REQUIRE_VERIFIED_EMAIL = False
    assert trust.is_trusted(_fresh(veteran))


def test_a_hand_grant_trusts_a_new_account_and_a_hand_revocation_untrusts_a_veteran(
    veteran, make_user, moderator
):
    newcomer = make_user("newcomer", verified=False)
    assert not trust.is_trusted(newcomer)
    trust.decide(newcomer, trusted=True, reason="Known author of this model family", moderator=moderator)
    assert trust.is_trusted(_fresh(newcomer))
    trust.decide(veteran, trusted=False, reason="Careless edits", moderator=moderator)
    assert not trust.is_trusted(_fresh(veteran))
    trust.decide(veteran, trusted=None, reason="", moderator=moderator)
    assert trust.is_trusted(_fresh(veteran))


def test_a_blocked_account_is_never_trusted_even_by_hand(veteran, moderator):
    trust.decide(veteran, trusted=True, reason="Known", moderator=moderator)
    Block.objects.create(user=veteran, reason="spam", created_by=moderator)
    assert not trust.is_trusted(_fresh(veteran))


def test_is_trusted_takes_one_query(veteran, django_assert_num_queries):
    person = _fresh(veteran)
    with django_assert_num_queries(1):
        assert trust.is_trusted(person)
        assert trust.is_trusted(person)  # remembered for the rest of the request


# The trust page and its log ---------------------------------------------------------------------


def test_a_moderator_grants_trust_on_the_person_page_and_the_log_shows_it(client, make_user, moderator):
    person = make_user("newcomer")
    client.force_login(moderator)
    page = client.get(f"/people/{person.username}/trust/")
    assert page.status_code == 200 and "<strong>Not trusted</strong>" in page.content.decode()
    response = client.post(
        f"/people/{person.username}/trust/", {"decision": "grant", "reason": "Vouched for"}
    )
    assert response.status_code == 302
    assert ContributorTrust.objects.get(user=person).trusted
    page = client.get(f"/people/{person.username}/trust/").content.decode()
    assert "<strong>Trusted</strong>" in page and "Vouched for" in page
    log = client.get("/trust/log/").content.decode()
    assert "newcomer" in log and "granted" in log and "Vouched for" in log
    assert "Trust: automatic or by hand" in client.get(f"/users/{person.username}/").content.decode()


def test_a_grant_without_a_reason_is_refused(client, make_user, moderator):
    person = make_user("newcomer")
    client.force_login(moderator)
    response = client.post(f"/people/{person.username}/trust/", {"decision": "grant", "reason": " "})
    assert response.status_code == 400
    assert not ContributorTrust.objects.exists()


@pytest.mark.parametrize("url", ["/people/veteran/trust/", "/trust/log/", "/autoreviewed/"])
def test_trust_pages_are_for_moderators_only(client, veteran, url):
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(veteran)
    assert client.get(url).status_code == 403
    assert client.post("/people/veteran/trust/", {"decision": "grant", "reason": "me"}).status_code == 403
    assert not ContributorTrust.objects.exists()


# Autoreview -------------------------------------------------------------------------------------


def test_a_trusted_suggestion_becomes_a_version_at_once_marked_autoreviewed(client, veteran, card):
    client.force_login(veteran)
    response = _suggest(client)
    page = response.content.decode()
    assert "published at once as version 2" in page and "badge-autoreviewed" in page
    assert "nobody: autoreviewed" in page  # the suggestion's page, where the author lands
    card.refresh_from_db()
    assert card.version_number == 2 and "trained on little data" in card.text
    version = card.versions.get(number=2)
    assert version.autoreviewed and version.author == veteran and version.moderator is None
    suggestion = Suggestion.objects.get(summary="Say how little data")
    assert suggestion.status == Suggestion.Status.ACCEPTED and suggestion.version == version
    assert suggestion.moderator is None
    assert "trained on little data" in client.get("/cards/sample/").content.decode()
    history = client.get("/cards/sample/history/").content.decode()
    assert "badge-autoreviewed" in history


def test_an_autoreviewed_version_is_listed_to_look_over_then_marked_reviewed(
    client, veteran, card, moderator
):
    submit_suggestion(card=card, text=EDITED, summary="Say how little data", base_version=1, author=veteran)
    version = card.versions.get(number=2)
    client.force_login(moderator)
    assert "Autoreviewed, to look over" in client.get("/suggestions/").content.decode()
    listing = client.get("/autoreviewed/").content.decode()
    assert "Say how little data" in listing
    assert "/cards/sample/diff/1/2/" in listing and "/cards/sample/undo/2/" in listing
    assert client.get("/cards/sample/undo/2/").status_code == 200  # the undo link leads to the undo page
    response = client.post(f"/autoreviewed/{version.pk}/reviewed/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.looked_over_by == moderator and version.looked_over_at is not None
    assert "Say how little data" not in client.get("/autoreviewed/").content.decode()
    assert "looked over by mod" in client.get("/cards/sample/history/").content.decode()


def test_undoing_an_autoreviewed_version_takes_it_off_the_list(client, veteran, card, moderator):
    submit_suggestion(card=card, text=EDITED, summary="Say how little data", base_version=1, author=veteran)
    client.force_login(moderator)
    form = client.get("/cards/sample/undo/2/").context["form"]
    response = client.post("/cards/sample/undo/2/", form.initial)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.version_number == 3 and "trained on little data" not in card.text
    version = card.versions.get(number=2)
    assert version.looked_over_by == moderator
    assert "Say how little data" not in client.get("/autoreviewed/").content.decode()


def test_a_moderator_deciding_an_autoreviewed_suggestion_is_told_so(veteran, card, moderator):
    from modelcards.workflow import AlreadyDecided, reject_suggestion

    suggestion = submit_suggestion(card=card, text=EDITED, summary="s", base_version=1, author=veteran)
    with pytest.raises(AlreadyDecided, match="accepted by autoreview"):
        reject_suggestion(Suggestion.objects.get(pk=suggestion.pk), reviewer=moderator, note="no")


def test_only_moderators_mark_an_autoreviewed_version_reviewed(client, veteran, card):
    submit_suggestion(card=card, text=EDITED, summary="s", base_version=1, author=veteran)
    version = card.versions.get(number=2)
    client.force_login(veteran)
    assert client.post(f"/autoreviewed/{version.pk}/reviewed/").status_code == 403
    assert client.get(f"/autoreviewed/{version.pk}/reviewed/").status_code == 405
    version.refresh_from_db()
    assert version.looked_over_at is None


def test_an_untrusted_suggestion_stays_pending(client, make_user, card):
    client.force_login(make_user("newcomer"))
    assert "waiting for a moderator" in _suggest(client).content.decode()
    card.refresh_from_db()
    assert card.version_number == 1
    assert Suggestion.objects.get().is_pending


def test_a_trusted_suggestion_on_a_semi_protected_card_stays_pending(veteran, card, moderator, settings):
    settings.PROTECTION_MIN_ACCOUNT_DAYS = 1  # the veteran may suggest there, but not skip review
    protect(card, level=CardProtection.Level.SEMI, reason="Edit war", duration="1w", moderator=moderator)
    suggestion = submit_suggestion(card=card, text=EDITED, summary="s", base_version=1, author=veteran)
    assert suggestion.is_pending
    card.refresh_from_db()
    assert card.version_number == 1


def test_a_fully_protected_card_refuses_a_trusted_suggestion_as_anyone_elses(veteran, card, moderator):
    protect(card, level=CardProtection.Level.FULL, reason="Edit war", duration="1w", moderator=moderator)
    with pytest.raises(CardProtected):
        submit_suggestion(card=card, text=EDITED, summary="s", base_version=1, author=veteran)
    card.refresh_from_db()
    assert card.version_number == 1


def test_a_conflicting_trusted_suggestion_stays_pending(veteran, card, edit_card, moderator):
    edit_card(card, SAMPLE_README.replace("It is only a sample.", "It is a sample only."), user=moderator)
    suggestion = submit_suggestion(card=card, text=EDITED, summary="s", base_version=1, author=veteran)
    assert suggestion.is_pending
    card.refresh_from_db()
    assert card.version_number == 2 and not card.versions.filter(autoreviewed=True).exists()


def test_a_trusted_suggestion_on_an_older_version_that_merges_cleanly_is_published(veteran, card, edit_card):
    edit_card(card, SAMPLE_README.replace("A small model", "A tiny model"))
    suggestion = submit_suggestion(card=card, text=EDITED, summary="s", base_version=1, author=veteran)
    assert suggestion.status == Suggestion.Status.ACCEPTED
    card.refresh_from_db()
    assert "A tiny model" in card.text and "trained on little data" in card.text
    assert card.versions.get(number=3).autoreviewed


def test_a_held_trusted_suggestion_stays_pending(veteran, card):
    suggestion = submit_suggestion(
        card=card, text=EDITED, summary="s", base_version=1, author=veteran, held=True
    )
    assert suggestion.is_pending and suggestion.held
    assert not CardVersion.objects.filter(autoreviewed=True).exists()


def test_a_link_heavy_suggestion_from_a_new_account_trusted_by_hand_is_held_not_published(
    client, make_user, card, moderator, settings
):
    settings.MODELCARDS_HOLD_LINKS_OVER, settings.LINK_HOLD_ACCOUNT_DAYS = 2, 7
    newcomer = make_user("newcomer")  # a day-old account: the link hold applies to it
    trust.decide(newcomer, trusted=True, reason="Vouched for", moderator=moderator)
    client.force_login(newcomer)
    links = "".join(f"\n[l{i}](https://example.org/{i})\n" for i in range(4))
    assert "held until a moderator" in _suggest(client, EDITED + links).content.decode()
    suggestion = Suggestion.objects.get()
    assert suggestion.held and suggestion.is_pending
    card.refresh_from_db()
    assert card.version_number == 1


def test_a_new_card_suggestion_is_never_autoreviewed(veteran):
    suggestion = submit_suggestion(
        card=None, text=SAMPLE_README, summary="new", base_version=0, author=veteran, new_slug="brand-new"
    )
    assert suggestion.is_pending


def test_a_moderators_suggestion_is_not_autoreviewed(card, moderator):
    suggestion = submit_suggestion(card=card, text=EDITED, summary="s", base_version=1, author=moderator)
    assert suggestion.is_pending


def test_a_trusted_suggestion_through_the_api_is_published(veteran, card):
    api = ApiClient(Client(), token_for(veteran, "suggest"))
    body = {"card": "sample", "base_version": 1, "text": EDITED, "summary": "via api"}
    response = api.post("/api/v1/suggestions/", body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "accepted"
    card.refresh_from_db()
    assert card.versions.get(number=2).autoreviewed


def test_the_look_over_list_takes_the_same_queries_however_long(client, veteran, make_card, moderator):
    client.force_login(moderator)
    cards = [make_card(slug=f"card-{n}") for n in range(6)]
    submit_suggestion(card=cards[0], text=EDITED, summary="s", base_version=1, author=veteran)
    client.get("/autoreviewed/")  # the session and account, cached after the first request
    with CaptureQueriesContext(connection) as one:
        assert client.get("/autoreviewed/").status_code == 200
    for other in cards[1:]:
        submit_suggestion(card=other, text=EDITED, summary="s", base_version=1, author=_fresh(veteran))
    assert CardVersion.objects.filter(autoreviewed=True).count() == 6
    with CaptureQueriesContext(connection) as many:
        page = client.get("/autoreviewed/")
    assert page.content.decode().count("Mark reviewed") == 6
    assert len(many) == len(one)


def test_the_look_over_list_keeps_a_suppressed_summary_and_author_from_moderators(
    client, veteran, card, moderator, make_user
):
    from modelcards.governance import visibility
    from modelcards.models import Visibility

    submit_suggestion(card=card, text=EDITED, summary="Say how little data", base_version=1, author=veteran)
    overseer = make_user("overseer", moderator=True, oversight=True)
    visibility.change_visibility(
        card.versions.get(number=2),
        parts=["summary", "author"],
        level=Visibility.SUPPRESSED,
        reason="Court order",
        actor=overseer,
    )
    client.force_login(moderator)
    listing = client.get("/autoreviewed/").content.decode()
    assert "(summary hidden)" in listing and "(author hidden)" in listing
    assert "Say how little data" not in listing and "veteran" not in listing
    client.force_login(overseer)
    listing = client.get("/autoreviewed/").content.decode()
    assert "Say how little data" in listing and "suppressed" in listing
