"""Suggestions and review, end to end through the views: suggest, queue, accept, reject, merge."""

import re

import pytest
from django.core import mail

from modelcards.models import CardVersion, Suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db


def suggest(client, slug, text, summary="Improve the card", **extra):
    page = client.get(f"/cards/{slug}/suggest/", extra.pop("query", {}))
    base = page.context["form"].initial["base_version"]
    data = {"text": text, "summary": summary, "base_version": base, "submit": "1", **extra}
    return client.post(f"/cards/{slug}/suggest/" + extra.get("qs", ""), data)


def decision_fields(client, suggestion):
    form = client.get(f"/suggestions/{suggestion.pk}/").context["decision_form"]
    return {
        "seen_fingerprint": form.initial["seen_fingerprint"],
        "seen_version": form.initial["seen_version"],
    }


def accept(client, suggestion, **extra):
    return client.post(
        f"/suggestions/{suggestion.pk}/accept/", {**decision_fields(client, suggestion), **extra}
    )


def test_anonymous_section_edit_and_registered_whole_card_edit_reviewed_end_to_end(
    client, card, user, moderator
):
    # An anonymous visitor edits the "Limitations" section (section 2) only.
    page = client.get("/cards/sample/suggest/", {"section": 2})
    assert page.context["form"].initial["text"].startswith("## Limitations")
    response = client.post(
        "/cards/sample/suggest/?section=2",
        {
            "text": "## Limitations\n\nIt is only a sample and was never evaluated on real data.\n",
            "summary": "Say it was not evaluated",
            "author_name": "Ada",
            "base_version": 1,
            "section": 2,
            "submit": "1",
        },
    )
    assert response.status_code == 302
    anonymous = Suggestion.objects.get(author__isnull=True)
    assert "token=" in response["Location"]
    assert anonymous.text == SAMPLE_README.replace(
        "It is only a sample.\n", "It is only a sample and was never evaluated on real data.\n"
    )
    assert anonymous.ip_hash and "127.0.0.1" not in anonymous.ip_hash

    # A registered user edits the whole card.
    client.force_login(user)
    whole = SAMPLE_README.replace("Summarising notes.", "Summarising meeting notes in English and French.")
    assert suggest(client, "sample", whole, "Describe the uses").status_code == 302
    registered = Suggestion.objects.get(author=user)

    # Readers still see version 1 and are told suggestions are pending.
    client.logout()
    page = client.get("/cards/sample/").content.decode()
    assert "2 suggestions pending review" in page
    assert "never evaluated" not in page

    # The moderator sees both in the queue, oldest first, and the header count.
    client.force_login(moderator)
    queue = client.get("/suggestions/")
    assert list(queue.context["suggestions"]) == [anonymous, registered]
    assert queue.context["pending_review_count"] == 2

    # Accepting the registered user's suggestion makes version 2, credited to author and moderator.
    assert accept(client, registered).status_code == 302
    version = CardVersion.objects.get(card=card, number=2)
    assert (version.author, version.moderator, version.summary) == (user, moderator, "Describe the uses")
    assert version.suggestion == registered
    assert "meeting notes" in client.get("/cards/sample/").content.decode()

    # Rejecting the anonymous one needs a note; it stays with its text and status.
    assert client.post(f"/suggestions/{anonymous.pk}/reject/", {"note": ""}).status_code == 400
    assert (
        client.post(f"/suggestions/{anonymous.pk}/reject/", {"note": "Please cite a source."}).status_code
        == 302
    )
    anonymous.refresh_from_db()
    assert anonymous.status == "rejected" and anonymous.note == "Please cite a source."
    assert "never evaluated" in anonymous.text


def test_rejected_author_is_emailed_the_note(
    client, card, user, moderator, django_capture_on_commit_callbacks
):
    client.force_login(user)
    suggest(client, "sample", SAMPLE_README + "\nExtra.\n")
    suggestion = Suggestion.objects.get()
    client.force_login(moderator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/suggestions/{suggestion.pk}/reject/", {"note": "Not supported by the paper."})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.org"]
    assert "Not supported by the paper." in mail.outbox[0].body


def test_stale_suggestion_on_different_lines_merges_cleanly(client, card, user, moderator, edit_card):
    client.force_login(user)
    suggest(client, "sample", SAMPLE_README.replace("Summarising notes.", "Summarising long notes."))
    suggestion = Suggestion.objects.get()
    edit_card(
        card, SAMPLE_README.replace("It is only a sample.", "It is only a test sample."), user=moderator
    )
    client.force_login(moderator)
    page = client.get(f"/suggestions/{suggestion.pk}/")
    assert page.context["acceptance"].stale and not page.context["acceptance"].conflicted
    assert "merge cleanly" in page.content.decode()
    assert accept(client, suggestion).status_code == 302
    card.refresh_from_db()
    assert "Summarising long notes." in card.text and "only a test sample" in card.text
    assert card.versions.get(number=3).merge_note.startswith("Merged with changes made since version 1")


def test_conflicting_stale_suggestion_is_resolved_by_the_moderator(client, card, user, moderator, edit_card):
    client.force_login(user)
    suggest(client, "sample", SAMPLE_README.replace("Summarising notes.", "Summarising user notes."))
    suggestion = Suggestion.objects.get()
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising field notes."), user=moderator)
    client.force_login(moderator)
    page = client.get(f"/suggestions/{suggestion.pk}/")
    assert page.context["acceptance"].conflicted
    # A plain accept is refused with a message, and nothing is written.
    assert accept(client, suggestion, mode="accept").status_code == 409
    assert card.versions.count() == 2
    # Missing a choice is refused too.
    assert accept(client, suggestion, mode="resolve").status_code == 400
    response = accept(
        client,
        suggestion,
        mode="resolve",
        conflict_0="manual",
        conflict_0_text="Summarising user and field notes.\n",
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert "Summarising user and field notes." in card.text
    assert card.versions.get(number=3).merge_note.startswith("Edited or resolved by the moderator")


def test_double_accept_makes_one_version_and_a_clear_message(client, card, user, moderator):
    client.force_login(user)
    suggest(client, "sample", SAMPLE_README + "\nOne more line.\n")
    suggestion = Suggestion.objects.get()
    client.force_login(moderator)
    fields = decision_fields(client, suggestion)
    assert client.post(f"/suggestions/{suggestion.pk}/accept/", fields).status_code == 302
    second = client.post(f"/suggestions/{suggestion.pk}/accept/", fields)
    assert second.status_code == 409
    assert "already accepted" in second.content.decode()
    assert card.versions.count() == 2


def test_accept_is_refused_when_the_card_changed_after_the_moderator_looked(
    client, card, user, moderator, edit_card
):
    client.force_login(user)
    suggest(client, "sample", SAMPLE_README + "\nAppendix.\n")
    suggestion = Suggestion.objects.get()
    client.force_login(moderator)
    fields = decision_fields(client, suggestion)
    edit_card(card, SAMPLE_README.replace("# Sample Model", "# Sample Model v2"), user=moderator)
    response = client.post(f"/suggestions/{suggestion.pk}/accept/", fields)
    assert response.status_code == 409
    assert "has changed since you opened" in response.content.decode()


def test_withdrawn_or_rejected_suggestion_cannot_be_accepted(client, card, user, moderator):
    client.force_login(user)
    suggest(client, "sample", SAMPLE_README + "\nX.\n")
    suggestion = Suggestion.objects.get()
    assert client.post(f"/suggestions/{suggestion.pk}/withdraw/").status_code == 302
    client.force_login(moderator)
    response = client.post(
        f"/suggestions/{suggestion.pk}/accept/", {"seen_fingerprint": "x", "seen_version": 1}
    )
    assert response.status_code == 409
    assert "withdrawn" in response.content.decode()


def test_anonymous_author_withdraws_through_the_private_link(client, card):
    response = suggest(client, "sample", SAMPLE_README + "\nX.\n")
    link = response["Location"]
    token = re.search(r"token=([\w-]+)", link).group(1)
    suggestion = Suggestion.objects.get()
    assert (
        client.post(f"/suggestions/{suggestion.pk}/withdraw/", {"token": "wrong"}).status_code == 302
    )  # to login
    assert client.post(f"/suggestions/{suggestion.pk}/withdraw/", {"token": token}).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "withdrawn"


def test_unchanged_text_is_refused_with_a_message(client, card):
    response = suggest(client, "sample", SAMPLE_README)
    assert response.status_code == 400
    assert "same as the card" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_bad_metadata_is_reported_and_the_text_kept(client, card):
    bad = SAMPLE_README.replace("license: apache-2.0", "license: not-a-licence")
    response = suggest(client, "sample", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "not-a-licence" in html
    assert "license" in html


def test_preview_shows_rendered_text_and_diff_without_saving(client, card):
    page = client.get("/cards/sample/suggest/")
    response = client.post(
        "/cards/sample/suggest/",
        {"text": SAMPLE_README + "\n**Bold claim**\n", "summary": "x", "base_version": 1, "preview": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Bold claim</strong>" in html
    assert "diff" in html
    assert not Suggestion.objects.exists()
    assert page.status_code == 200


def test_new_card_suggestion_creates_the_card_when_accepted(client, moderator):
    text = "---\nlicense: mit\n---\n# Brand New\n\nA new model.\n"
    response = client.post(
        "/cards/new/suggest/",
        {"slug": "brand-new", "text": text, "summary": "Add a card", "base_version": 0, "submit": "1"},
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert client.get("/cards/brand-new/").status_code == 404
    client.force_login(moderator)
    assert accept(client, suggestion).status_code == 302
    assert client.get("/cards/brand-new.md").content == text.encode()
    version = CardVersion.objects.get(card__slug="brand-new")
    assert version.moderator == moderator and version.author is None


def test_honeypot_submission_is_refused(client, card):
    response = suggest(client, "sample", SAMPLE_README + "\nSpam.\n", website="http://spam.example")
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


def test_over_limit_suggester_gets_429_with_when_to_retry_and_keeps_text(client, card, settings):
    settings.MODELCARDS_RATE_LIMITS = {"suggest": "2/h", "comment": "2/h"}
    for i in range(2):
        assert suggest(client, "sample", SAMPLE_README + f"\nEdit {i}.\n").status_code == 302
    response = suggest(client, "sample", SAMPLE_README + "\nEdit 3.\n")
    assert response.status_code == 429
    html = response.content.decode()
    assert "try again in" in html
    assert "Edit 3." in html


def test_blocked_account_cannot_suggest(client, card, user, moderator):
    client.force_login(user)
    suggest(client, "sample", SAMPLE_README + "\nX.\n")
    suggestion = Suggestion.objects.get()
    client.force_login(moderator)
    client.post(f"/suggestions/{suggestion.pk}/block/", {"reason": "spam"})
    client.force_login(user)
    assert client.get("/cards/sample/suggest/").status_code == 403


def test_blocked_ip_hash_cannot_suggest_anonymously(client, card, moderator):
    suggest(client, "sample", SAMPLE_README + "\nX.\n")
    suggestion = Suggestion.objects.get()
    client.force_login(moderator)
    client.post(f"/suggestions/{suggestion.pk}/block/", {"reason": "spam"})
    client.logout()
    assert client.get("/cards/sample/suggest/").status_code == 403


def test_link_heavy_anonymous_suggestion_is_held_not_dropped(client, card, settings):
    settings.MODELCARDS_HOLD_LINKS_OVER = 3
    links = "".join(f"\n[l{i}](https://spam{i}.example)\n" for i in range(5))
    response = suggest(client, "sample", SAMPLE_README + links)
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.held
    assert client.get(f"/suggestions/{suggestion.pk}/").status_code == 404  # not shown to the public
    assert client.get(response["Location"]).status_code == 200  # but the author's private link works


def test_watchers_are_emailed_about_new_suggestions_and_versions_but_not_the_actor(
    client, card, user, moderator, make_user, django_capture_on_commit_callbacks
):
    watcher = make_user("watcher")
    client.force_login(watcher)
    client.post("/cards/sample/watch/", {"watch": "1"})
    client.force_login(user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        suggest(client, "sample", SAMPLE_README + "\nNew fact.\n", "Add a fact")
    assert [m.to for m in mail.outbox] == [["watcher@example.org"]]
    assert "Add a fact" in mail.outbox[0].body
    suggestion = Suggestion.objects.get()
    client.force_login(moderator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accept(client, suggestion)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == [
        "reader@example.org",
        "watcher@example.org",
    ]  # author's decision mail, watcher's news
    news = next(m for m in mail.outbox if m.to == ["watcher@example.org"])
    assert "+New fact." in news.body and "mod" in news.body
    assert not any(m.to == ["mod@example.org"] for m in mail.outbox)


def test_unwatch(client, card, user):
    client.force_login(user)
    client.post("/cards/sample/watch/", {"watch": "1"})
    assert client.get("/cards/sample/").context["watching"]
    client.post("/cards/sample/watch/", {"watch": "0"})
    assert not client.get("/cards/sample/").context["watching"]


def test_moderator_direct_edit_becomes_a_version(client, card, moderator):
    client.force_login(moderator)
    response = client.post(
        "/cards/sample/edit/",
        {"text": SAMPLE_README + "\nDirect.\n", "summary": "Direct edit", "base_version": 1, "save": "1"},
    )
    assert response.status_code == 302
    version = card.versions.get(number=2)
    assert version.author == moderator and version.kind == "edited"


def test_conflicting_direct_edits_never_overwrite_each_other(client, card, moderator, make_user, edit_card):
    edit_card(card, SAMPLE_README.replace("Summarising notes.", "Summarising A."), user=moderator)
    other = make_user("mod2", moderator=True)
    client.force_login(other)
    response = client.post(
        "/cards/sample/edit/",
        {
            "text": SAMPLE_README.replace("Summarising notes.", "Summarising B."),
            "summary": "B",
            "base_version": 1,
        },
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert "Summarising A." in card.text  # the first edit stands
    kept = Suggestion.objects.get(author=other)
    assert "Summarising B." in kept.text and kept.status == "pending"


def test_comments_on_a_suggestion(client, card, user):
    suggest(client, "sample", SAMPLE_README + "\nX.\n")
    suggestion = Suggestion.objects.get()
    client.force_login(user)
    client.post(f"/suggestions/{suggestion.pk}/comment/", {"body": "Is there a **source**?"})
    html = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "<strong>source</strong>" in html


def test_profile_lists_suggestions_with_status(client, card, user):
    client.force_login(user)
    suggest(client, "sample", SAMPLE_README + "\nX.\n", "My summary")
    html = client.get("/users/reader/").content.decode()
    assert "My summary" in html and "Pending" in html and "withdraw" in html


def test_talk_threads_replies_and_moderation(client, card, user, moderator):
    client.force_login(user)
    response = client.post("/cards/sample/talk/", {"title": "Is the data public?", "body": "Asking."})
    assert response.status_code == 302
    thread_url = response["Location"]
    client.post(thread_url, {"body": "A reply."})
    assert "A reply." in client.get(thread_url).content.decode()
    client.force_login(moderator)
    client.post(thread_url + "moderate/", {"action": "hide"})
    client.post(thread_url + "moderate/", {"action": "close"})
    assert client.get(thread_url).status_code == 200  # moderators still see it
    client.force_login(user)
    assert client.get(thread_url).status_code == 404
    assert "Is the data public?" not in client.get("/cards/sample/talk/").content.decode()


def test_suggest_page_for_unknown_section_is_404(client, card):
    assert client.get("/cards/sample/suggest/", {"section": 9}).status_code == 404
    assert client.get("/cards/sample/suggest/", {"section": "x"}).status_code == 404


def test_setting_can_require_an_account_to_suggest(client, card, settings):
    settings.MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST = True
    response = client.get("/cards/sample/suggest/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_section_heading_on_the_card_links_to_editing_that_section(client, card):
    html = client.get("/cards/sample/").content.decode()
    assert 'href="suggest/?section=1"' in html and 'href="suggest/?section=2"' in html
    for index, heading in ((1, "## Uses"), (2, "## Limitations")):
        form = client.get("/cards/sample/suggest/", {"section": index}).context["form"]
        assert form.initial["text"].startswith(heading)


def test_the_section_editor_is_titled_with_the_sections_heading(client, card):
    html = client.get(f"/cards/{card.slug}/suggest/", {"section": "2"}).content.decode()
    assert "<h1>Suggest an edit to “Limitations”</h1>" in html
    assert "<title>Suggest an edit to “Limitations” of Sample Model" in html
