"""Verified maintainers (issue 15 item 2): moderators verify and revoke them per card, and their
suggestions, versions and claims on that card say "maintainer" wherever they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modelcards.governance import maintainers
from modelcards.governance.protection import protect
from modelcards.models import Block, CardMaintainer, CardProtection, Suggestion
from modelcards.workflow import accept_suggestion, submit_suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

EDITED = SAMPLE_README.replace("It is only a sample.", "It is only a sample, trained on little data.")
RELICENSED = SAMPLE_README.replace("license: apache-2.0", "license: mit")


@pytest.fixture
def developer(make_user, card, moderator):
    person = make_user("developer")
    maintainers.verify(card, person, note="Linked from the model's repository", moderator=moderator)
    return person


def _suggest(author, card, text=EDITED, summary="By the developer"):
    return submit_suggestion(card=card, text=text, summary=summary, base_version=1, author=author)


def _row_of(page: str, summary: str) -> str:
    start = page.index(summary)
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_a_moderator_verifies_a_maintainer_and_the_card_page_lists_them(client, card, make_user, moderator):
    make_user("developer")
    client.force_login(moderator)
    assert client.get("/cards/sample/maintainers/").status_code == 200
    response = client.post(
        "/cards/sample/maintainers/", {"username": "developer", "note": "Mail from the lab domain"}
    )
    assert response.status_code == 302
    row = CardMaintainer.objects.get()
    assert row.user.username == "developer" and row.verified_by == moderator
    assert "Mail from the lab domain" in client.get("/cards/sample/maintainers/").content.decode()
    assert "Verified maintainer" in client.get("/cards/sample/").content.decode()


def test_verifying_needs_an_existing_account_and_a_note(client, card, make_user, moderator):
    make_user("developer")
    client.force_login(moderator)
    assert client.post("/cards/sample/maintainers/", {"username": "nobody", "note": "x"}).status_code == 400
    assert (
        client.post("/cards/sample/maintainers/", {"username": "developer", "note": " "}).status_code == 400
    )
    assert not CardMaintainer.objects.exists()


def test_verifying_the_same_maintainer_twice_is_refused(client, card, developer, moderator):
    client.force_login(moderator)
    response = client.post("/cards/sample/maintainers/", {"username": "developer", "note": "again"})
    assert response.status_code == 400
    assert CardMaintainer.objects.count() == 1


def test_a_moderator_revokes_a_maintainer_and_the_log_keeps_the_row(client, card, developer, moderator):
    row = CardMaintainer.objects.get()
    client.force_login(moderator)
    assert client.post(f"/cards/sample/maintainers/{row.pk}/revoke/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_by == moderator and row.revoked_at is not None
    assert not maintainers.is_maintainer(developer, card)
    assert "Verified maintainer" not in client.get("/cards/sample/").content.decode()
    assert "developer" in client.get("/cards/sample/maintainers/").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "registered", "maintainer"])
def test_only_moderators_verify_or_revoke_maintainers(client, card, developer, make_user, who):
    if who == "registered":
        client.force_login(make_user("someone"))
    elif who == "maintainer":
        client.force_login(developer)
    row = CardMaintainer.objects.get()
    expected = 302 if who == "anonymous" else 403  # the anonymous visitor is sent to log in
    assert client.get("/cards/sample/maintainers/").status_code == expected
    assert (
        client.post("/cards/sample/maintainers/", {"username": "someone", "note": "me"}).status_code
        == expected
    )
    assert client.post(f"/cards/sample/maintainers/{row.pk}/revoke/").status_code == expected
    row.refresh_from_db()
    assert row.revoked_at is None and CardMaintainer.objects.count() == 1


def test_the_queue_and_the_suggestion_page_mark_a_maintainers_suggestion(client, card, developer, make_user):
    _suggest(developer, card, summary="By the developer")
    _suggest(make_user("stranger"), card, summary="By a stranger")
    page = client.get("/suggestions/").content.decode()
    assert "maintainer" in _row_of(page, "By the developer")
    assert "maintainer" not in _row_of(page, "By a stranger")
    mine, theirs = Suggestion.objects.order_by("pk")
    assert "badge-maintainer" in client.get(f"/suggestions/{mine.pk}/").content.decode()
    assert "badge-maintainer" not in client.get(f"/suggestions/{theirs.pk}/").content.decode()


def test_the_maintainer_marker_on_a_suggestion_follows_revocation(client, card, developer, moderator):
    suggestion = _suggest(developer, card)
    maintainers.revoke(CardMaintainer.objects.get(), moderator=moderator)
    assert "badge-maintainer" not in client.get(f"/suggestions/{suggestion.pk}/").content.decode()


def test_a_maintainer_of_another_card_is_not_marked(client, card, make_card, make_user, moderator):
    other = make_card(slug="other")
    person = make_user("developer")
    maintainers.verify(other, person, note="x", moderator=moderator)
    suggestion = _suggest(person, card)
    assert "badge-maintainer" not in client.get(f"/suggestions/{suggestion.pk}/").content.decode()


def test_history_marks_a_maintainers_version_and_keeps_it_after_revocation(
    client, card, developer, moderator
):
    version = accept_suggestion(_suggest(developer, card), reviewer=moderator)
    assert version.by_maintainer and not version.autoreviewed
    maintainers.revoke(CardMaintainer.objects.get(), moderator=moderator)
    history = client.get("/cards/sample/history/").content.decode()
    assert "badge-maintainer" in history


def test_a_version_by_someone_else_is_not_marked(client, card, developer, make_user, moderator):
    version = accept_suggestion(_suggest(make_user("stranger"), card), reviewer=moderator)
    assert not version.by_maintainer
    assert "badge-maintainer" not in client.get("/cards/sample/history/").content.decode()


def test_a_claim_asserted_by_a_maintainer_says_so_on_the_card_page(client, card, developer, moderator):
    accept_suggestion(_suggest(developer, card, text=RELICENSED), reviewer=moderator)
    card.refresh_from_db()
    assert card.claim_provenance["license"]["maintainer"] is True
    assert "maintainer" not in card.claim_provenance["datasets"]  # unchanged, so still the importer's
    page = client.get("/cards/sample/").content.decode()
    assert "developer, verified maintainer (version 2" in page


# Whether maintainers' suggestions are accepted at once ------------------------------------------


def test_a_maintainers_suggestion_waits_for_review_by_default(card, developer, settings):
    assert settings.MAINTAINER_SUGGESTIONS_AUTO_ACCEPT is False
    assert _suggest(developer, card).is_pending


def test_with_the_setting_a_maintainers_suggestion_is_autoreviewed(
    client, card, developer, moderator, settings
):
    settings.MAINTAINER_SUGGESTIONS_AUTO_ACCEPT = True
    suggestion = _suggest(developer, card)
    assert suggestion.status == Suggestion.Status.ACCEPTED
    version = card.versions.get(number=2)
    assert version.autoreviewed and version.by_maintainer
    client.force_login(moderator)
    assert "badge-maintainer" in _row_of(client.get("/autoreviewed/").content.decode(), "By the developer")


def test_with_the_setting_a_semi_protected_card_still_takes_a_maintainers_suggestion_at_once(
    card, developer, moderator, settings
):
    settings.MAINTAINER_SUGGESTIONS_AUTO_ACCEPT, settings.PROTECTION_MIN_ACCOUNT_DAYS = True, 0
    protect(card, level=CardProtection.Level.SEMI, reason="Edit war", duration="1w", moderator=moderator)
    assert _suggest(developer, card).status == Suggestion.Status.ACCEPTED


def test_with_the_setting_a_maintainer_of_another_card_or_a_blocked_one_waits(
    card, make_card, developer, make_user, moderator, settings
):
    settings.MAINTAINER_SUGGESTIONS_AUTO_ACCEPT = True
    other = make_card(slug="other")
    assert submit_suggestion(
        card=other, text=EDITED.replace("sample", "other", 0), summary="s", base_version=1, author=developer
    ).is_pending
    Block.objects.create(user=developer, reason="spam", created_by=moderator)
    assert _suggest(developer, card).is_pending


def test_the_queue_takes_the_same_queries_however_many_maintainers_suggestions(
    client, card, developer, make_user, moderator
):
    client.force_login(moderator)
    _suggest(developer, card, summary="first")
    client.get("/suggestions/")  # the session and account, cached after the first request
    with CaptureQueriesContext(connection) as one:
        client.get("/suggestions/")
    stranger = make_user("stranger")
    for n in range(5):
        _suggest(developer if n % 2 else stranger, card, text=EDITED + f"\nMore {n}.\n", summary=f"more {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/suggestions/").content.decode()
    assert page.count("badge-maintainer") == 3
    assert len(many) == len(one)
