"""All or nothing: a failure part-way through a change leaves no trace, and accepts bind to what was seen."""

from unittest import mock

import pytest
from django.core import mail
from django.db import DatabaseError
from reversion.models import Revision

from modelcards.models import Activity, BaseModelLink, CardVersion, ModelCard, Suggestion
from modelcards.workflow import (
    StaleReview,
    accept_suggestion,
    edit_card_directly,
    submit_suggestion,
    text_fingerprint,
)
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db


def state(card=None) -> dict:
    """Everything an accept touches, read fresh from the database."""
    return {
        "card_text": ModelCard.objects.get(pk=card.pk).text if card else None,
        "card_version": ModelCard.objects.get(pk=card.pk).version_number if card else None,
        "cards": ModelCard.objects.count(),
        "versions": CardVersion.objects.count(),
        "revisions": Revision.objects.count(),
        "activity": Activity.objects.count(),
        "base_model_links": BaseModelLink.objects.count(),
        "statuses": list(Suggestion.objects.order_by("pk").values_list("status", flat=True)),
    }


def _fail_after_the_card_is_written(target: str, written: list | None = None):
    """Make `target` raise a database error; it runs after the card row and its revision are saved.

    `written` collects the newest card text as it stood when the failure struck, to prove that the
    failure really came after the write.
    """

    def fail(*args, **kwargs):
        if written is not None:
            written.append(ModelCard.objects.order_by("-updated_at").first().text)
        raise DatabaseError("simulated failure after the card write")

    return mock.patch(target, side_effect=fail)


@pytest.fixture
def pending(card, make_user):
    # It also names a base model, so accepting it writes BaseModelLink rows that must roll back too.
    return submit_suggestion(
        card=card,
        text=SAMPLE_README.replace("---\n", "---\nbase_model: org/base\n", 1) + "\nA new paragraph.\n",
        summary="Add",
        base_version=1,
        author=make_user("a"),
    )


@pytest.mark.parametrize(
    "target",
    [
        "modelcards.models.Suggestion.save",  # marking the suggestion accepted
        "modelcards.workflow.decisions.record_activity",  # the "accepted" line of recent changes
        "modelcards.models.Activity.objects.create",  # the version's own line, inside write_version
    ],
)
def test_a_failure_while_accepting_rolls_back_card_history_and_status_together(
    card, pending, moderator, target, django_capture_on_commit_callbacks
):
    before = state(card)
    mail.outbox.clear()
    written = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with _fail_after_the_card_is_written(target, written), pytest.raises(DatabaseError):
            accept_suggestion(
                pending, reviewer=moderator, seen_fingerprint=text_fingerprint(pending.text), seen_version=1
            )
    assert "A new paragraph." in written[0]  # the card had been written when the failure struck
    assert state(card) == before
    assert "A new paragraph." not in ModelCard.objects.get(pk=card.pk).text
    assert callbacks == [] and mail.outbox == []  # nobody is told about a change that did not happen
    # And nothing is stuck: the same accept goes through once the fault is gone.
    accept_suggestion(pending, reviewer=moderator)
    assert ModelCard.objects.get(pk=card.pk).version_number == 2
    assert BaseModelLink.objects.count() == 2  # "org/base" and "base": what the failed attempts undid


def test_a_failure_while_accepting_a_new_card_creates_no_card(client, moderator):
    suggestion = submit_suggestion(
        card=None,
        text="---\nlicense: mit\nbase_model: org/base\n---\n# Brand new\n",
        summary="New",
        base_version=0,
        author=None,
        new_slug="brand-new",
    )
    before = state()
    with _fail_after_the_card_is_written("modelcards.models.Suggestion.save"), pytest.raises(DatabaseError):
        accept_suggestion(suggestion, reviewer=moderator)
    assert state() == before
    assert not ModelCard.objects.filter(slug="brand-new").exists()


def test_a_failure_during_a_direct_edit_leaves_the_card_as_it_was(card, moderator):
    before = state(card)
    with (
        _fail_after_the_card_is_written("modelcards.models.Activity.objects.create"),
        pytest.raises(DatabaseError),
    ):
        edit_card_directly(
            card, text=SAMPLE_README + "\nEdited.\n", summary="e", base_version=1, editor=moderator
        )
    assert state(card) == before


# Binding an accept to what the moderator saw ------------------------------------------------------


def decision(client, suggestion) -> dict:
    form = client.get(f"/suggestions/{suggestion.pk}/").context["decision_form"]
    return {name: form.initial[name] for name in ("seen_fingerprint", "seen_version")}


def test_the_review_page_binds_the_decision_to_the_text_and_version_shown(client, card, pending, moderator):
    client.force_login(moderator)
    page = client.get(f"/suggestions/{pending.pk}/").content.decode()
    assert f'name="seen_fingerprint" value="{text_fingerprint(pending.text)}"' in page
    assert 'name="seen_version" value="1"' in page


def test_an_accept_is_refused_if_the_suggestion_text_changed_after_it_was_shown(
    client, card, pending, moderator
):
    client.force_login(moderator)
    seen = decision(client, pending)
    Suggestion.objects.filter(pk=pending.pk).update(text=SAMPLE_README + "\nSomething else entirely.\n")
    before = state(card)
    response = client.post(f"/suggestions/{pending.pk}/accept/", seen)
    assert response.status_code == 409
    assert "not the one you reviewed" in response.content.decode()
    assert state(card) == before


def test_an_accept_is_refused_if_the_card_changed_after_it_was_shown(
    client, card, pending, moderator, edit_card
):
    client.force_login(moderator)
    seen = decision(client, pending)
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising other notes."), user=moderator)
    before = state(card)
    response = client.post(f"/suggestions/{pending.pk}/accept/", {**seen, "mode": "accept"})
    assert response.status_code == 409
    assert "has changed since you opened" in response.content.decode()
    assert state(card) == before


def test_an_edited_accept_is_bound_the_same_way(client, card, pending, moderator, edit_card):
    client.force_login(moderator)
    seen = decision(client, pending)
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising other notes."), user=moderator)
    before = state(card)
    data = {**seen, "mode": "edit", "edited_text": SAMPLE_README + "\nModerator's version.\n"}
    assert client.post(f"/suggestions/{pending.pk}/accept/", data).status_code == 409
    assert state(card) == before


@pytest.mark.parametrize("missing", ["seen_fingerprint", "seen_version"])
def test_an_accept_without_the_binding_is_never_applied(client, card, pending, moderator, missing):
    client.force_login(moderator)
    seen = decision(client, pending)
    del seen[missing]
    before = state(card)
    client.post(f"/suggestions/{pending.pk}/accept/", seen)
    assert state(card) == before


def test_the_workflow_refuses_a_stale_binding_whoever_calls_it(card, pending, moderator):
    with pytest.raises(StaleReview):
        accept_suggestion(pending, reviewer=moderator, seen_fingerprint="0" * 32, seen_version=1)
    with pytest.raises(StaleReview):
        accept_suggestion(
            pending, reviewer=moderator, seen_fingerprint=text_fingerprint(pending.text), seen_version=2
        )
    assert Suggestion.objects.get(pk=pending.pk).is_pending
