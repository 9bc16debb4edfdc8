"""Upstream sync against the stand-in Hub (tests/hub_standin.py), through the real client.

A linked card's README changes on the Hub; the check merges it three ways with the card and files
the result as a pending suggestion by the system account. Every fault leaves no suggestion and keeps
the error and a backoff on the link.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from modelcards.hub import sync
from modelcards.hub.sync import SYSTEM_USERNAME, check_link, retry_delay
from modelcards.hub.tasks import sync_hub
from modelcards.models import CardVersion, HubLink, Suggestion
from modelcards.workflow import UnresolvedConflict, accept_suggestion, reject_suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

REPO = "acme/sample-model"
COMMUNITY = SAMPLE_README.replace("Summarising notes.", "Summarising notes and minutes.")
UPSTREAM = SAMPLE_README.replace("It is only a sample.", "It is only a sample, say its authors.")


@pytest.fixture
def link_card(hub, make_card):
    """A card imported from a stand-in repository: version 1 and the link carry the upstream commit."""

    def link(slug="sample", repo_id=REPO, text=SAMPLE_README, **repo):
        commit = hub.add_repo(repo_id, text, **repo)
        card = make_card(slug=slug, text=text)
        CardVersion.objects.filter(card=card, number=1).update(upstream_repo=repo_id, upstream_commit=commit)
        return HubLink.objects.create(card=card, repo_id=repo_id, upstream_commit=commit, upstream_text=text)

    return link


def upstream_suggestions(card=None):
    found = Suggestion.objects.filter(author__username=SYSTEM_USERNAME)
    return found.filter(card=card) if card is not None else found


def test_an_unchanged_upstream_costs_one_light_request(hub, link_card):
    link = link_card()
    hub.received.clear()
    assert check_link(link.pk).kind == "unchanged"
    assert len(hub.received) == 1
    assert hub.received[0].path == f"/api/models/{REPO}/revision/main"
    assert hub.received[0].query.get("expand") == ["sha"]
    link.refresh_from_db()
    assert link.checked_at is not None and link.failures == 0
    assert not upstream_suggestions().exists()


def test_a_clean_merge_files_the_upstream_change_without_markers(hub, link_card, edit_card):
    link = link_card()
    card = link.card
    edit_card(card, COMMUNITY)  # a community edit, accepted here
    commit = hub.set_readme(REPO, UPSTREAM)

    outcome = check_link(link.pk)

    assert outcome.kind == "filed"
    suggestion = outcome.suggestion
    assert suggestion.summary == f"Update from the Hub, commit {commit[:7]}"
    assert suggestion.author.username == SYSTEM_USERNAME and not suggestion.author.has_usable_password()
    assert suggestion.status == Suggestion.Status.PENDING
    assert (suggestion.upstream_repo, suggestion.upstream_commit) == (REPO, commit)
    assert "Summarising notes and minutes." in suggestion.text  # the community edit is kept
    assert "say its authors." in suggestion.text  # the upstream edit is brought in
    assert "<<<<<<<" not in suggestion.text
    card.refresh_from_db()
    assert card.version_number == 2 and card.text == COMMUNITY  # nothing published without review
    link.refresh_from_db()
    assert (link.upstream_commit, link.upstream_text) == (commit, UPSTREAM)


def test_accepting_an_upstream_suggestion_makes_a_version_carrying_its_commit(hub, link_card, moderator):
    link = link_card()
    commit = hub.set_readme(REPO, UPSTREAM)
    suggestion = check_link(link.pk).suggestion
    version = accept_suggestion(suggestion, reviewer=moderator)
    assert (version.upstream_repo, version.upstream_commit) == (REPO, commit)
    link.card.refresh_from_db()
    assert link.card.text == UPSTREAM


def test_a_conflicting_upstream_change_is_filed_with_markers_and_nothing_lost(
    hub, link_card, edit_card, moderator
):
    link = link_card()
    ours = SAMPLE_README.replace("It is only a sample.", "It is only a sample, for tests.")
    edit_card(link.card, ours)
    commit = hub.set_readme(REPO, UPSTREAM)

    suggestion = check_link(link.pk).suggestion

    assert suggestion is not None and suggestion.status == Suggestion.Status.PENDING
    text = suggestion.text
    assert "<<<<<<< current card (version 2)" in text
    assert f">>>>>>> Hub commit {commit[:7]}" in text
    assert "It is only a sample, for tests." in text and "It is only a sample, say its authors." in text
    # Markers are never published: accepting it as it stands is refused until a moderator resolves them.
    with pytest.raises(UnresolvedConflict):
        accept_suggestion(suggestion, reviewer=moderator)
    assert link.card.versions.count() == 2


def test_a_conflict_in_the_front_matter_is_written_as_comments_the_card_can_still_read(
    hub, link_card, edit_card, moderator
):
    link = link_card()
    edit_card(link.card, SAMPLE_README.replace("license: apache-2.0", "license: mit"))
    hub.set_readme(REPO, SAMPLE_README.replace("license: apache-2.0", "license: bsd-3-clause"))

    suggestion = check_link(link.pk).suggestion

    assert "license: mit\n# =======\n# license: bsd-3-clause\n" in suggestion.text
    with pytest.raises(UnresolvedConflict):
        accept_suggestion(suggestion, reviewer=moderator)


def test_a_rejected_upstream_change_is_not_filed_again(hub, link_card, moderator):
    link = link_card()
    hub.set_readme(REPO, UPSTREAM)
    reject_suggestion(check_link(link.pk).suggestion, reviewer=moderator, note="Not here.")
    assert check_link(link.pk).kind == "unchanged"
    assert upstream_suggestions().count() == 1


def test_a_second_upstream_change_revises_the_open_upstream_suggestion(hub, link_card):
    link = link_card()
    hub.set_readme(REPO, UPSTREAM)
    first = check_link(link.pk).suggestion
    second_text = UPSTREAM.replace("A small model used by the tests.", "A small model, now on the Hub.")
    commit = hub.set_readme(REPO, second_text)

    outcome = check_link(link.pk)

    assert outcome.kind == "revised"
    assert upstream_suggestions().count() == 1
    first.refresh_from_db()
    assert first.revision_number == 2 and first.upstream_commit == commit
    assert "say its authors." in first.text and "now on the Hub." in first.text


def test_an_upstream_change_the_card_already_has_files_nothing(hub, link_card, edit_card):
    link = link_card()
    edit_card(link.card, UPSTREAM)
    commit = hub.set_readme(REPO, UPSTREAM)
    assert check_link(link.pk).kind == "in_step"
    link.refresh_from_db()
    assert link.upstream_commit == commit
    assert not upstream_suggestions().exists()


# Faults: a clear message, a backoff, and nothing filed ---------------------------------------------


def _changed_upstream(hub, link_card):
    link = link_card()
    hub.set_readme(REPO, UPSTREAM)
    return link


def _assert_failed(link, *words, at_least=timedelta(0)):
    before = (link.upstream_commit, link.upstream_text)
    link.refresh_from_db()
    assert (link.upstream_commit, link.upstream_text) == before
    assert link.failures == 1
    for word in words:
        assert word in link.check_error
    assert link.next_check_at >= timezone.now() + max(at_least, timedelta(minutes=4))
    assert not upstream_suggestions().exists()


def test_a_missing_repository_is_recorded_and_files_nothing(hub, link_card):
    link = link_card()
    del hub.repos[REPO]
    assert check_link(link.pk).kind == "failed"
    _assert_failed(link, "does not exist on the Hub")


def test_a_repository_made_private_is_recorded_and_files_nothing(hub, link_card):
    link = _changed_upstream(hub, link_card)
    hub.repos[REPO].private = True
    check_link(link.pk)
    _assert_failed(link, REPO)


def test_a_gated_repository_is_recorded_and_files_nothing(hub, link_card):
    link = _changed_upstream(hub, link_card)
    hub.repos[REPO].gated = True
    check_link(link.pk)
    _assert_failed(link, "gated")


def test_a_readme_too_large_is_recorded_and_files_nothing(hub, link_card, settings):
    link = link_card()
    hub.set_readme(REPO, UPSTREAM + "x" * 5000)
    settings.HUB_README_MAX_BYTES = 2000
    check_link(link.pk)
    _assert_failed(link, "at most 2,000 bytes")


def test_a_readme_not_in_utf8_is_recorded_and_files_nothing(hub, link_card):
    link = link_card()
    hub.set_readme(REPO, UPSTREAM.encode("utf-8") + b"\xff\xfe")
    check_link(link.pk)
    _assert_failed(link, "not valid UTF-8")


def test_a_429_waits_at_least_its_retry_after(hub, link_card):
    link = _changed_upstream(hub, link_card)
    hub.fail("429", retry_after=3600)
    check_link(link.pk)
    _assert_failed(link, "try again in 3600 seconds", at_least=timedelta(seconds=3590))


@pytest.mark.parametrize("fault", ["reset", "503"])
def test_a_reset_or_an_error_of_the_hub_is_recorded_and_files_nothing(hub, link_card, fault):
    link = _changed_upstream(hub, link_card)
    hub.fail(fault, path="/resolve/")  # the README read, after the commit was seen to move
    check_link(link.pk)
    _assert_failed(link, "try again later")


def test_a_timeout_is_recorded_and_files_nothing(hub, link_card, settings):
    settings.HUB_TIMEOUT = 0.5
    link = _changed_upstream(hub, link_card)
    hub.fail("slow", seconds=3, path="/resolve/")
    check_link(link.pk)
    _assert_failed(link, "did not answer within 0.5 seconds")


def test_failures_back_off_exponentially_and_a_success_clears_them():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert retry_delay(30) == timedelta(hours=24)
    assert retry_delay(1, at_least=3600) == timedelta(hours=1)


def test_a_link_backing_off_is_not_checked_until_it_is_due(hub, link_card):
    link = link_card()
    HubLink.objects.filter(pk=link.pk).update(next_check_at=timezone.now() + timedelta(hours=1), failures=2)
    hub.received.clear()
    assert check_link(link.pk).message == "Not due yet."
    assert hub.received == []
    HubLink.objects.filter(pk=link.pk).update(next_check_at=timezone.now() - timedelta(seconds=1))
    check_link(link.pk)
    link.refresh_from_db()
    assert link.failures == 0 and link.check_error == "" and link.next_check_at is None


def test_a_crash_after_the_merge_leaves_no_suggestion_and_no_link_change(hub, link_card, monkeypatch):
    link = link_card()
    hub.set_readme(REPO, UPSTREAM)

    def crash(*args, **kwargs):
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(sync, "submit_suggestion", crash)
    assert check_link(link.pk).kind == "failed"
    link.refresh_from_db()
    assert link.upstream_text == SAMPLE_README
    assert link.upstream_commit == link.card.versions.get(number=1).upstream_commit
    assert link.check_error == sync.UNEXPECTED
    assert not Suggestion.objects.exists()


def test_a_crash_after_filing_takes_the_suggestion_back_with_it(hub, link_card, monkeypatch):
    """The link moves in the same transaction as the suggestion is filed: a crash on that last write
    leaves neither."""
    link = link_card()
    hub.set_readme(REPO, UPSTREAM)
    real_page_changed = sync.card_page_changed
    crashed = []

    def crash(card_id):
        real_page_changed(card_id)
        if not crashed:  # the last write of the filing transaction; recording the failure goes on
            crashed.append(card_id)
            raise RuntimeError("killed after the suggestion was written")

    monkeypatch.setattr(sync, "card_page_changed", crash)
    check_link(link.pk)
    assert not Suggestion.objects.exists()
    link.refresh_from_db()
    assert link.upstream_text == SAMPLE_README


def test_one_slow_repository_does_not_stop_the_others(hub, link_card, settings):
    settings.HUB_TIMEOUT = 0.5
    slow = link_card("slow", "acme/slow-model")
    fine = link_card("fine", "acme/fine-model")
    hub.set_readme("acme/slow-model", UPSTREAM)
    hub.set_readme("acme/fine-model", UPSTREAM)
    hub.fail("slow", seconds=3, path="/acme/slow-model/resolve/", times=5)

    assert sync_hub.enqueue().return_value == 2  # one task per due link (run at once by the test engine)

    slow.refresh_from_db()
    assert slow.failures == 1 and "did not answer" in slow.check_error
    assert upstream_suggestions(fine.card).count() == 1
    assert not upstream_suggestions(slow.card).exists()


def test_sync_is_off_without_hub_sync_and_says_so_once(hub, link_card, settings, caplog):
    link_card()
    settings.HUB_SYNC_ENABLED = False
    hub.received.clear()
    out = io.StringIO()
    call_command("sync_hub", stdout=out)
    assert out.getvalue().count("\n") == 1 and "Hub sync is off" in out.getvalue()
    with caplog.at_level("INFO"):
        assert sync_hub.enqueue().return_value == 0
    assert [r.message for r in caplog.records if "Hub sync is off" in r.message] != []
    assert hub.received == []


def test_the_command_checks_due_links_and_prints_what_happened(hub, link_card):
    link_card()
    hub.set_readme(REPO, UPSTREAM)
    out = io.StringIO()
    call_command("sync_hub", stdout=out)
    assert out.getvalue().startswith(f"sample <- {REPO}: filed: Update from the Hub, commit ")


def test_every_hours_needs_the_database_task_backend(hub):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="database task backend"):
        call_command("sync_hub", "--every-hours", "1", stdout=io.StringIO())


def test_moderators_see_a_failed_check_on_the_card(client, hub, link_card, moderator, user):
    link = _changed_upstream(hub, link_card)
    hub.repos[REPO].gated = True
    check_link(link.pk)
    client.force_login(moderator)
    page = client.get("/cards/sample/").content.decode()
    assert "The last check of the Hub failed" in page and "gated" in page
    client.force_login(user)
    page = client.get("/cards/sample/").content.decode()
    assert "Kept in step with" in page and "The last check of the Hub failed" not in page


def test_the_periodic_run_is_queued_once_and_queues_its_next_run_and_one_task_per_card(
    hub, link_card, settings
):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    link_card("one", "acme/one")
    link_card("two", "acme/two")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    out = io.StringIO()
    call_command("sync_hub", "--every-hours", "6", stdout=out)
    assert "every 6 h" in out.getvalue()
    call_command("sync_hub", "--every-hours", "6", stdout=out)
    assert "already waiting" in out.getvalue()
    (waiting,) = DBTaskResult.objects.all()
    DBTaskResult.objects.filter(pk=waiting.pk).update(status=TaskResultStatus.RUNNING)  # a worker took it
    assert sync_hub.call(**waiting.args_kwargs["kwargs"]) == 2  # what the worker would run
    queued = DBTaskResult.objects.exclude(pk=waiting.pk)
    paths = sorted(row.task_path for row in queued)
    assert paths == ["modelcards.hub.tasks.check_hub_link"] * 2 + ["modelcards.hub.tasks.sync_hub"]
    next_run = queued.get(task_path="modelcards.hub.tasks.sync_hub")
    assert next_run.run_after >= timezone.now() + timedelta(hours=5, minutes=59)


def test_a_moderator_resolves_the_conflict_and_the_version_carries_the_commit(
    hub, link_card, edit_card, moderator
):
    from modelcards.workflow import version_fingerprint

    link = link_card()
    edit_card(link.card, SAMPLE_README.replace("It is only a sample.", "It is only a sample, for tests."))
    commit = hub.set_readme(REPO, UPSTREAM)
    suggestion = check_link(link.pk).suggestion
    card = link.card
    card.refresh_from_db()
    resolved = SAMPLE_README.replace(
        "It is only a sample.", "It is only a sample, for tests, say its authors."
    )
    version = accept_suggestion(
        suggestion, reviewer=moderator, resolved_text=resolved, seen_current=version_fingerprint(card)
    )
    assert version.upstream_commit == commit
    card.refresh_from_db()
    assert card.text == resolved


def test_a_ticked_change_holding_markers_is_not_published(hub, link_card, edit_card, moderator):
    from modelcards.workflow import accept_part, hunks_fingerprint

    link = link_card()
    edit_card(link.card, SAMPLE_README.replace("It is only a sample.", "It is only a sample, for tests."))
    hub.set_readme(REPO, UPSTREAM.replace("# Sample Model\n", "# Sample Model\n\nFrom the Hub.\n"))
    suggestion = check_link(link.pk).suggestion
    ticked = {"reviewer": moderator, "remainder": "pending", "seen_hunks": hunks_fingerprint(suggestion)}
    with pytest.raises(UnresolvedConflict):
        accept_part(suggestion, hunks=[2], **ticked)  # the conflict, markers and all
    assert link.card.versions.count() == 2
    accepted = accept_part(suggestion, hunks=[1], **ticked)  # the clean change
    assert "From the Hub." in accepted.version.stored_fields()["text"]


def test_a_second_worker_finding_the_link_moved_files_nothing_more(hub, link_card):
    """Two checks of one card at once (a task queued twice): the second, waiting on the card's lock,
    finds the link already at the commit and files nothing."""
    link = link_card()
    commit = hub.set_readme(REPO, UPSTREAM)
    assert sync._file_upstream_change(link.pk, commit, UPSTREAM).kind == "filed"
    assert sync._file_upstream_change(link.pk, commit, UPSTREAM).kind == "unchanged"
    assert upstream_suggestions().count() == 1


def test_nothing_is_filed_in_the_name_of_a_person_who_took_the_system_accounts_name(
    hub, link_card, make_user
):
    make_user(SYSTEM_USERNAME)  # signed up before the first sync, with a password
    link = _changed_upstream(hub, link_card)
    check_link(link.pk)
    _assert_failed(link, "belongs to a person who can sign in")
    assert not Suggestion.objects.exists()


def test_on_the_review_page_markers_left_in_an_edited_text_are_refused(
    client, hub, link_card, edit_card, moderator
):
    from modelcards.workflow import text_fingerprint

    link = link_card()
    edit_card(link.card, SAMPLE_README.replace("It is only a sample.", "It is only a sample, for tests."))
    hub.set_readme(REPO, UPSTREAM)
    suggestion = check_link(link.pk).suggestion
    client.force_login(moderator)
    form = {"seen_fingerprint": text_fingerprint(suggestion.text), "seen_version": 2}
    response = client.post(f"/suggestions/{suggestion.pk}/accept/", {**form, "mode": "accept"})
    assert (
        response.status_code == 400 and "conflict markers are still in the text" in response.content.decode()
    )
    edited = {**form, "mode": "edit", "edited_text": suggestion.text}
    response = client.post(f"/suggestions/{suggestion.pk}/accept/", edited)
    assert (
        response.status_code == 400 and "conflict markers are still in the text" in response.content.decode()
    )
    assert link.card.versions.count() == 2


def test_a_readme_that_is_not_a_valid_card_is_recorded_and_files_nothing(hub, link_card):
    link = link_card()
    hub.set_readme(REPO, UPSTREAM.replace("license: apache-2.0", "license: not-a-licence"))
    check_link(link.pk)
    _assert_failed(link, "The change on the Hub was not filed: The resulting text has problems", "license")


def test_a_fully_protected_card_gets_no_upstream_suggestion_and_moderators_are_told(
    hub, link_card, moderator
):
    from modelcards.governance.protection import protect

    link = link_card()
    protect(link.card, level="full", reason="Edit war", moderator=moderator, duration="1w")
    hub.set_readme(REPO, UPSTREAM)
    check_link(link.pk)
    _assert_failed(link, "The change on the Hub was not filed", "protected")
