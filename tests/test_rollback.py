"""A moderator's rollback: the latest run of versions by one author taken out in one attributed version."""

import pytest
from django.urls import reverse

from modelcards.cardfile import parse_card
from modelcards.governance import rollback
from modelcards.models import CardVersion, ModelCard, Visibility
from modelcards.workflow.cards import write_version
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

USES = "Summarising notes."


def text(n: int) -> str:
    return SAMPLE_README.replace(USES, f"Summarising notes, edit {n}.")


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def history(card, edit_card, alice, bob):
    """v1 created (no author), v2 by bob, v3-v5 by alice."""
    edit_card(card, text(2), user=bob, summary="Bob's edit")
    for n in (3, 4, 5):
        edit_card(card, text(n), user=alice, summary=f"Alice edit {n}")
    return card


def anonymous_edit(card, n: int, name: str, moderator):
    write_version(
        card,
        parse_card(text(n)),
        kind=CardVersion.Kind.SUGGESTION,
        summary=f"anon {n}",
        author_name=name,
        moderator=moderator,
    )


def url(card):
    return reverse("modelcards:rollback", args=[card.slug])


def test_the_confirmation_names_the_run_and_the_version_rolled_back_to(client, history, moderator):
    client.force_login(moderator)
    response = client.get(url(history))
    assert response.status_code == 200
    page = response.content.decode()
    assert "versions 3-5, all by alice" in page
    assert "version 2</a> (bob)" in page
    assert 'name="expected_version" value="5"' in page
    assert ModelCard.objects.get(pk=history.pk).version_number == 5  # a GET changes nothing


def test_rollback_of_several_versions_publishes_the_text_before_them(client, history, moderator):
    client.force_login(moderator)
    response = client.post(url(history), {"expected_version": "5"})
    assert response.status_code == 302
    card = ModelCard.objects.get(pk=history.pk)
    assert card.version_number == 6 and card.text == text(2)
    version = card.versions.get(number=6)
    assert version.kind == CardVersion.Kind.REVERTED
    assert version.author == moderator and version.moderator == moderator
    assert version.summary == "Rollback of versions 3-5 by alice to version 2"
    history_page = client.get(reverse("modelcards:history", args=[card.slug])).content.decode()
    assert "Rollback of versions 3-5 by alice to version 2" in history_page
    assert "(revert)" in history_page and ">mod</a>" in history_page
    assert "edit 2." in client.get(card.get_absolute_url()).content.decode()


def test_rollback_of_one_version_stops_at_another_authors_version(client, history, bob, moderator):
    history.refresh_from_db()
    write_version(history, parse_card(text(6)), kind=CardVersion.Kind.EDITED, summary="Bob again", author=bob)
    client.force_login(moderator)
    assert "version 6, all by bob" in client.get(url(history)).content.decode()
    client.post(url(history), {"expected_version": "6"})
    card = ModelCard.objects.get(pk=history.pk)
    assert card.text == text(5)
    assert card.versions.get(number=7).summary == "Rollback of version 6 by bob to version 5"


def test_anonymous_versions_are_one_author_only_when_their_names_match(client, history, moderator):
    history.refresh_from_db()
    anonymous_edit(history, 6, "Pat", moderator)
    anonymous_edit(history, 7, "Sam", moderator)
    anonymous_edit(history, 8, "Sam", moderator)
    client.force_login(moderator)
    client.post(url(history), {"expected_version": "8"})
    card = ModelCard.objects.get(pk=history.pk)
    assert card.text == text(6)
    assert (
        card.versions.get(number=9).summary == "Rollback of versions 7-8 by Sam (unregistered) to version 6"
    )


def test_unnamed_anonymous_versions_are_not_taken_for_one_author(client, history, moderator):
    history.refresh_from_db()
    anonymous_edit(history, 6, "", moderator)
    anonymous_edit(history, 7, "", moderator)
    client.force_login(moderator)
    assert "version 7, all by anonymous (unregistered)" in client.get(url(history)).content.decode()


def test_nothing_to_roll_back_to_when_the_whole_history_is_one_authors(client, make_card, alice, moderator):
    card = make_card(user=alice)
    write_version(card, parse_card(text(2)), kind=CardVersion.Kind.EDITED, summary="more", author=alice)
    client.force_login(moderator)
    response = client.get(url(card))
    assert response.status_code == 409
    assert "Every version of this card (2) is by alice" in response.content.decode()
    assert client.post(url(card), {"expected_version": "2"}).status_code == 409
    assert ModelCard.objects.get(pk=card.pk).version_number == 2


def test_a_card_changed_since_the_confirmation_is_refused_with_409(client, history, bob, moderator):
    client.force_login(moderator)
    history.refresh_from_db()
    write_version(history, parse_card(text(6)), kind=CardVersion.Kind.EDITED, summary="meanwhile", author=bob)
    response = client.post(url(history), {"expected_version": "5"})
    assert response.status_code == 409
    assert "The card changed while you looked: it is now at version 6, not 5" in response.content.decode()
    card = ModelCard.objects.get(pk=history.pk)
    assert card.version_number == 6 and card.text == text(6)


def test_a_post_without_the_expected_version_is_a_bad_request(client, history, moderator):
    client.force_login(moderator)
    assert client.post(url(history)).status_code == 400
    assert ModelCard.objects.get(pk=history.pk).version_number == 5


def test_only_moderators_roll_back(client, history, alice):
    response = client.get(url(history))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(url(history), {"expected_version": "5"}).status_code == 302
    client.force_login(alice)
    assert client.get(url(history)).status_code == 403
    assert client.post(url(history), {"expected_version": "5"}).status_code == 403
    assert ModelCard.objects.get(pk=history.pk).version_number == 5


def test_the_history_links_to_the_rollback_for_moderators_only(client, history, alice, moderator):
    link = url(history)
    history_url = reverse("modelcards:history", args=[history.slug])
    assert link not in client.get(history_url).content.decode()
    client.force_login(alice)
    assert link not in client.get(history_url).content.decode()
    client.force_login(moderator)
    assert link in client.get(history_url).content.decode()


def test_a_rollback_to_a_version_whose_text_is_hidden_is_refused(client, history, moderator):
    history.versions.filter(number=2).update(text_visibility=Visibility.HIDDEN)
    client.force_login(moderator)
    response = client.get(url(history))
    assert response.status_code == 409
    assert (
        "The text of version 2, the last before alice&#x27;s versions, is hidden" in response.content.decode()
    )
    assert client.post(url(history), {"expected_version": "5"}).status_code == 409
    assert ModelCard.objects.get(pk=history.pk).version_number == 5


def test_a_hidden_authors_name_is_not_repeated_in_the_public_summary(client, history, moderator):
    history.versions.filter(number=5).update(author_visibility=Visibility.HIDDEN)
    client.force_login(moderator)
    client.post(url(history), {"expected_version": "5"})
    version = ModelCard.objects.get(pk=history.pk).versions.get(number=6)
    assert version.summary == "Rollback of versions 3-5 by (author hidden) to version 2"


def test_a_run_longer_than_one_read_is_found_across_reads(history, monkeypatch):
    monkeypatch.setattr(rollback, "RUN_CHUNK", 2)
    history.refresh_from_db()
    plan = rollback.prepare_rollback(history)
    assert [v.number for v in plan.run] == [5, 4, 3] and plan.target.number == 2
