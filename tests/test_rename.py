"""Renaming a card: moderators only, a valid free slug and a reason; every old address answers 301."""

import pytest
from django.core.exceptions import PermissionDenied

from modelcards.governance.renames import RenameRefused, rename_card
from modelcards.models import Activity, ModelCard, SlugRedirect, Watch
from modelcards.pagecache import CACHE_HEADER
from modelcards.workflow import revert_card
from tests.conftest import SAMPLE_README
from tests.test_lineage_family import assert_as_if_recomputed_from_scratch, card_text

pytestmark = pytest.mark.django_db

OLD_TO_NEW = [
    ("/cards/sample/", "/cards/renamed/"),
    ("/cards/sample.md", "/cards/renamed.md"),
    ("/cards/sample.json", "/cards/renamed.json"),
    ("/cards/sample/openness.json", "/cards/renamed/openness.json"),
    ("/cards/sample/openness.yaml", "/cards/renamed/openness.yaml"),
    ("/cards/sample/history/", "/cards/renamed/history/"),
    ("/cards/sample/v/1/", "/cards/renamed/v/1/"),
    ("/cards/sample/v/1.md", "/cards/renamed/v/1.md"),
    ("/cards/sample/diff/1/1/", "/cards/renamed/diff/1/1/"),
    ("/cards/sample/blame/", "/cards/renamed/blame/"),
    ("/cards/sample/compare/?a=1&b=1", "/cards/renamed/compare/?a=1&b=1"),
    ("/cards/sample/talk/", "/cards/renamed/talk/"),
    ("/cards/sample/feed/", "/cards/renamed/feed/"),
    ("/api/v1/cards/sample/", "/api/v1/cards/renamed/"),
    ("/api/v1/cards/sample/README.md", "/api/v1/cards/renamed/README.md"),
    ("/api/v1/cards/sample/versions/", "/api/v1/cards/renamed/versions/"),
    ("/api/v1/cards/sample/versions/1/", "/api/v1/cards/renamed/versions/1/"),
    ("/api/v1/cards/sample/history/?limit=5", "/api/v1/cards/renamed/history/?limit=5"),
]


def _rename(card, moderator, new_slug="renamed", reason="The developer renamed the model"):
    return rename_card(card, new_slug=new_slug, moderator=moderator, reason=reason)


@pytest.mark.parametrize(("old", "new"), OLD_TO_NEW)
def test_every_old_address_answers_301_to_the_same_page_under_the_new_slug(client, card, moderator, old, new):
    _rename(card, moderator)
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code in (200, 302)  # compare sends on to the diff


def test_a_card_renamed_twice_resolves_in_one_hop(client, card, moderator):
    _rename(card, moderator, "second")
    _rename(card, moderator, "third")
    for old in ("sample", "second"):
        response = client.get(f"/cards/{old}/history/?before=2")
        assert response.status_code == 301
        assert response["Location"] == "/cards/third/history/?before=2"


def test_a_form_sent_to_an_old_address_is_redirected_keeping_its_method(client, card, moderator):
    _rename(card, moderator)
    client.force_login(moderator)
    response = client.post("/cards/sample/watch/", {"watch": "1"})
    assert response.status_code == 308
    assert response["Location"] == "/cards/renamed/watch/"


def test_an_unknown_slug_is_still_a_plain_404(client, card, moderator):
    _rename(card, moderator)
    assert client.get("/cards/never-was/").status_code == 404
    assert client.get("/api/v1/cards/never-was/").status_code == 404


def test_a_missing_version_under_the_new_slug_is_a_404_not_a_loop(client, card, moderator):
    _rename(card, moderator)
    response = client.get("/cards/sample/v/99/")
    assert response.status_code == 301
    assert client.get(response["Location"]).status_code == 404


def test_moderator_renames_a_card_through_the_form(client, card, moderator):
    client.force_login(moderator)
    page = client.get("/cards/sample/rename/")
    assert page.status_code == 200
    assert 'name="new_slug"' in page.content.decode() and 'name="reason"' in page.content.decode()
    response = client.post("/cards/sample/rename/", {"new_slug": "renamed", "reason": "Upstream rename"})
    assert response.status_code == 302
    assert response["Location"] == "/cards/renamed/"
    landed = client.get("/cards/renamed/")
    assert "the old address now leads here" in landed.content.decode()


def test_card_page_offers_rename_to_moderators_only(client, card, moderator, user):
    client.force_login(user)
    assert "/cards/sample/rename/" not in client.get("/cards/sample/").content.decode()
    client.force_login(moderator)
    assert "/cards/sample/rename/" in client.get("/cards/sample/").content.decode()


def test_registered_reader_cannot_rename(client, card, user):
    client.force_login(user)
    response = client.post("/cards/sample/rename/", {"new_slug": "renamed", "reason": "mine now"})
    assert response.status_code == 403
    assert ModelCard.objects.get(pk=card.pk).slug == "sample"


def test_workflow_refuses_a_rename_by_a_non_moderator(card, user):
    with pytest.raises(PermissionDenied):
        _rename(card, user)


@pytest.mark.parametrize(
    ("new_slug", "reason", "said"),
    [
        ("Not A Slug", "why", "not a valid card slug"),
        ("con", "why", "Windows reserves the name"),
        ("notes.md", "why", "cannot be a card slug: it ends in .md"),
        ("import", "why", "one of the site"),
        ("sample", "why", "already called"),
        ("other", "why", "another card"),
        ("renamed", "   ", "Give a reason"),
    ],
)
def test_a_refused_rename_says_why_and_changes_nothing(
    client, card, make_card, moderator, new_slug, reason, said
):
    make_card(slug="other")
    client.force_login(moderator)
    response = client.post("/cards/sample/rename/", {"new_slug": new_slug, "reason": reason})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert ModelCard.objects.filter(slug="sample").exists()
    assert not SlugRedirect.objects.exists()


def test_an_old_slug_of_another_card_cannot_be_taken(card, make_card, moderator):
    other = make_card(slug="other")
    _rename(other, moderator, "other-two")
    with pytest.raises(RenameRefused, match="was the slug of another card"):
        _rename(card, moderator, "other")
    assert SlugRedirect.objects.get(old_slug="other").card == other


def test_a_card_can_take_back_its_own_old_slug(client, card, moderator):
    _rename(card, moderator)
    _rename(card, moderator, "sample")
    assert client.get("/cards/sample/").status_code == 200
    response = client.get("/cards/renamed/")
    assert response.status_code == 301 and response["Location"] == "/cards/sample/"


def test_history_watches_and_text_follow_the_card(client, card, moderator, user):
    Watch.objects.create(card=card, user=user)
    _rename(card, moderator)
    renamed = ModelCard.objects.get(pk=card.pk)
    assert renamed.slug == "renamed" and renamed.text == SAMPLE_README
    assert renamed.versions.count() == 1  # a rename is not a version
    assert Watch.objects.filter(card=renamed, user=user).exists()
    assert client.get("/cards/renamed.md").content == SAMPLE_README.encode("utf-8")
    history = client.get("/cards/renamed/history/").content.decode()
    assert "Renames" in history
    assert "Renamed from “sample” to “renamed”: The developer renamed the model" in history


def test_recent_changes_list_the_rename(client, card, moderator):
    _rename(card, moderator)
    activity = Activity.objects.get(kind=Activity.Kind.RENAMED)
    assert activity.card_id == card.pk and activity.actor == moderator
    page = client.get("/changes/?kind=renamed").content.decode()
    assert "Card renamed" in page and "Renamed from “sample” to “renamed”" in page


def test_cached_pages_of_the_old_slug_stop_being_served(client, card, moderator):
    for url in ("/cards/sample/", "/cards/sample.md", "/api/v1/cards/sample/", "/cards/sample/history/"):
        client.get(url)
        assert client.get(url).status_code == 200
    _rename(card, moderator)
    for url in ("/cards/sample/", "/cards/sample.md", "/api/v1/cards/sample/", "/cards/sample/history/"):
        assert client.get(url).status_code == 301, url
    page = client.get("/cards/renamed/")
    assert page.status_code == 200
    assert page[CACHE_HEADER] == "miss"
    assert "/cards/renamed/history/" in page.content.decode()


def test_a_page_of_an_existing_card_costs_no_redirect_query(
    client, card, django_assert_num_queries, settings
):
    settings.MODELCARDS_PAGE_CACHE = False
    client.get("/cards/sample.md")
    with django_assert_num_queries(1):  # the card itself, nothing for the redirects
        assert client.get("/cards/sample.md").status_code == 200


def test_watchers_find_the_rename_in_their_inbox_leading_to_the_new_address(client, card, moderator, user):
    Watch.objects.create(card=card, user=user)
    Watch.objects.create(card=card, user=moderator)
    _rename(card, moderator)
    client.force_login(user)
    inbox = client.get("/inbox/").content.decode()
    assert "mod renamed" in inbox
    assert "Renamed from “sample” to “renamed”" in inbox
    entry = user.notifications.get()
    assert entry.target_url() == "/cards/renamed/"
    assert not moderator.notifications.exists()  # the moderator did it


def test_an_api_redirect_keeps_the_cors_header_so_other_sites_can_follow_it(client, card, moderator):
    _rename(card, moderator)
    response = client.get("/api/v1/cards/sample/", HTTP_ORIGIN="https://example.net")
    assert response.status_code == 301
    assert response["Access-Control-Allow-Origin"] == "*"


def test_licence_lineage_follows_the_slug_as_if_every_card_were_saved_again(card, make_card, moderator):
    make_card(slug="child-of-old", text=card_text("mit", ["sample"], "Names the old slug."))
    make_card(slug="child-of-new", text=card_text("mit", ["renamed"], "Names the new slug."))
    assert ModelCard.objects.get(slug="child-of-old").licence_lineage
    assert not ModelCard.objects.get(slug="child-of-new").licence_lineage
    _rename(card, moderator)
    assert not ModelCard.objects.get(slug="child-of-old").licence_lineage
    assert ModelCard.objects.get(slug="child-of-new").licence_lineage
    assert_as_if_recomputed_from_scratch("after the rename")


def test_reverting_to_a_version_from_before_the_rename_keeps_the_new_slug(client, card, edit_card, moderator):
    edit_card(card, SAMPLE_README.replace("It is only a sample.", "It is only a sample, edited."))
    _rename(card, moderator)
    revert_card(ModelCard.objects.get(pk=card.pk), to_version=1, reviewer=moderator, reason="Back")
    reverted = ModelCard.objects.get(pk=card.pk)
    assert reverted.slug == "renamed" and reverted.text == SAMPLE_README
    assert client.get("/cards/renamed/v/3/").status_code == 200


def test_an_old_slug_stays_the_renamed_cards_for_new_cards_suggestions_and_imports(client, card, moderator):
    from modelcards.cardfile import parse_card
    from modelcards.workflow import CardExists, create_card, import_card

    _rename(card, moderator)
    with pytest.raises(CardExists, match="was the address of the card now at 'renamed'"):
        create_card(slug="sample", card_file=parse_card(SAMPLE_README), user=moderator)
    response = client.post(
        "/cards/new/suggest/",
        {
            "slug": "sample",
            "text": SAMPLE_README,
            "summary": "A new card",
            "author_name": "Robin",
            "base_version": 0,
        },
    )
    assert response.status_code == 400
    assert "was the address of the card now at" in response.content.decode()
    assert not ModelCard.objects.filter(slug="sample").exists()

    newer = SAMPLE_README + "\nImported again under its old name.\n"
    assert (
        import_card(slug="sample", card_file=parse_card(newer), user=moderator, summary="Re-import")
        == "updated"
    )
    card.refresh_from_db()
    assert (card.slug, card.text) == ("renamed", newer)
    assert client.get("/cards/sample/").status_code == 301
