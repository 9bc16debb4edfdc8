"""Comments on a line of a suggestion's diff, and an anonymous author's replies through their private link."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modelcards.models import Block, Comment
from modelcards.workflow import comment_on_suggestion, reject_suggestion, revise_suggestion, submit_suggestion
from tests.conftest import SAMPLE_README

pytestmark = pytest.mark.django_db

# Line 43 of the suggested text replaces line 43 of version 1; line 44 is new.
SUGGESTED = SAMPLE_README.replace(
    "It is only a sample.", "It is only a sample, never deployed.\nSee the paper."
)


def line_number(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


NEW_LINE = line_number(SUGGESTED, "See the paper.")
EDITED_LINE = line_number(SUGGESTED, "It is only a sample, never deployed.")


@pytest.fixture
def author(make_user):
    return make_user("author")


@pytest.fixture
def suggestion(card, author):
    return submit_suggestion(card=card, text=SUGGESTED, summary="Deployment", base_version=1, author=author)


@pytest.fixture
def anonymous(card):
    return submit_suggestion(
        card=card, text=SUGGESTED, summary="Deployment", base_version=1, author=None, author_name="Robin"
    )


def comment(client, suggestion, body="Source?", *, line=None, revision=1, token=""):
    data = {"body": body}
    if line:
        data.update({"line": line, "revision": revision})
    if token:
        data["token"] = token
    return client.post(f"/suggestions/{suggestion.pk}/comment/", data)


def test_each_changed_line_has_a_comment_link_to_a_form_for_that_line(client, suggestion, user):
    client.force_login(user)
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    here = f"/suggestions/{suggestion.pk}/"
    assert f'href="{here}?line=new-{NEW_LINE}#comment-form"' in page
    assert f'href="{here}?line=new-{EDITED_LINE}#comment-form"' in page
    assert "?line=new-1#" not in page  # unchanged lines have none
    form = client.get(f"/suggestions/{suggestion.pk}/?line=new-{NEW_LINE}").content.decode()
    assert f'name="line" value="new-{NEW_LINE}"' in form and 'name="revision" value="1"' in form
    assert f"Your comment is on suggested line {NEW_LINE}" in re.sub(r"<[^>]+>", "", form)


def test_a_line_comment_shows_under_its_line_and_in_the_discussion(client, suggestion, user):
    client.force_login(user)
    response = comment(client, suggestion, "Which paper?", line=f"new-{NEW_LINE}")
    assert response.status_code == 302
    assert response["Location"] == f"/suggestions/{suggestion.pk}/#line-new-{NEW_LINE}"
    saved = Comment.objects.get()
    assert (saved.revision_number, saved.line_side, saved.line_number, saved.author) == (
        1,
        "new",
        NEW_LINE,
        user,
    )
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    diff = page[page.index('class="diff side-by-side review-diff"') : page.index("</table>")]
    row = diff[diff.index(f'id="line-new-{NEW_LINE}"') :]
    assert row.index("Which paper?") < row.index("</tbody>")  # under its line, inside the diff
    discussion = page[page.index('id="comments"') :]
    assert "Which paper?" in discussion
    assert f'href="#line-new-{NEW_LINE}">suggested line {NEW_LINE} of revision 1</a>' in discussion


def test_a_removed_line_can_be_commented_on_from_the_old_side(client, card, author, user):
    removing = submit_suggestion(
        card=card,
        text=SAMPLE_README.replace("## Uses\n\nSummarising notes.\n\n", ""),
        summary="Cut",
        base_version=1,
        author=author,
    )
    client.force_login(user)
    page = client.get(f"/suggestions/{removing.pk}/").content.decode()
    old = line_number(SAMPLE_README, "Summarising notes.")
    assert f'href="/suggestions/{removing.pk}/?line=old-{old}#comment-form"' in page
    assert comment(client, removing, "Why cut?", line=f"old-{old}").status_code == 302
    page = client.get(f"/suggestions/{removing.pk}/").content.decode()
    assert "removed line" in page and "Why cut?" in page


@pytest.mark.parametrize(
    ("line", "status", "message"),
    [
        ("new-1", 400, "That line is not part of the suggestion's diff"),  # an unchanged line far away
        ("new-99999", 400, "That line is not part of the suggestion's diff"),
        ("middle-3", 400, "That line of the diff cannot be commented on"),
        ("new-x", 400, "That line of the diff cannot be commented on"),
    ],
)
def test_a_comment_on_a_line_not_in_the_diff_is_refused_with_its_text_kept(
    client, suggestion, user, line, status, message
):
    client.force_login(user)
    response = comment(client, suggestion, "Keep this text", line=line)
    assert response.status_code == status
    page = html.unescape(response.content.decode())
    assert message in page and "Keep this text" in page
    assert not Comment.objects.exists()


def test_a_bad_line_in_the_address_is_a_bad_request(client, suggestion, user):
    client.force_login(user)
    response = client.get(f"/suggestions/{suggestion.pk}/?line=sideways")
    assert response.status_code == 400
    assert "not a line of this suggestion's diff" in html.unescape(response.content.decode())


def test_a_line_comment_on_an_older_revision_is_refused_and_kept_and_old_ones_move_to_their_revision(
    client, suggestion, author, user
):
    client.force_login(user)
    comment(client, suggestion, "On revision 1", line=f"new-{NEW_LINE}")
    revise_suggestion(
        suggestion,
        text=SUGGESTED.replace("See the paper.", "See the 2024 paper."),
        summary="Year",
        user=author,
    )
    response = comment(client, suggestion, "Typed for revision 1", line=f"new-{NEW_LINE}", revision=1)
    assert response.status_code == 409
    assert "Typed for revision 1" in response.content.decode()
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    diff = page[page.index('class="diff side-by-side review-diff"') : page.index("</table>")]
    assert "On revision 1" not in diff  # its line may have moved: not shown on revision 2's diff
    assert f'href="/suggestions/{suggestion.pk}/revisions/1/#line-new-{NEW_LINE}"' in page
    old = client.get(f"/suggestions/{suggestion.pk}/revisions/1/").content.decode()
    assert "On revision 1" in old[old.index("review-diff") :]


def test_hidden_comments_stay_hidden_inline_too(client, suggestion, user, moderator):
    client.force_login(user)
    comment(client, suggestion, "Spam on a line", line=f"new-{NEW_LINE}")
    Comment.objects.update(hidden=True)
    assert "Spam on a line" not in client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "Spam on a line" not in client.get(f"/suggestions/{suggestion.pk}/revisions/1/").content.decode()
    client.force_login(moderator)
    assert "Spam on a line" in client.get(f"/suggestions/{suggestion.pk}/").content.decode()


@pytest.mark.parametrize("who", ["author", "reader", "moderator"])
def test_signed_in_people_comment_on_lines(client, suggestion, make_user, moderator, who):
    person = {
        "author": lambda: suggestion.author,
        "reader": lambda: make_user("r"),
        "moderator": lambda: moderator,
    }[who]()
    client.force_login(person)
    assert comment(client, suggestion, "A line note", line=f"new-{EDITED_LINE}").status_code == 302
    assert Comment.objects.get().author == person


def test_a_visitor_without_the_private_link_cannot_comment(client, anonymous):
    for token in ("", "wrong", "é"):
        response = comment(client, anonymous, "Drive-by", token=token)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()
    page = client.get(f"/suggestions/{anonymous.pk}/").content.decode()
    assert 'id="comment-form"' not in page and "to join the discussion" in page


def test_an_anonymous_author_replies_through_the_private_link(client, anonymous, moderator):
    client.force_login(moderator)
    comment(client, anonymous, "Which paper do you mean?")
    client.logout()
    token = anonymous.access_token
    page = client.get(f"/suggestions/{anonymous.pk}/?token={token}").content.decode()
    assert f'name="token" value="{token}"' in page[page.index('id="comment-form"') :]
    assert "Robin (unregistered)" in page
    response = comment(client, anonymous, "The 2024 one.", token=token)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/suggestions/{anonymous.pk}/?token={token}#comment-")
    reply = Comment.objects.get(body="The 2024 one.")
    assert (reply.author, reply.author_name) == (None, "Robin")
    page = client.get(f"/suggestions/{anonymous.pk}/").content.decode()
    assert "Robin (unregistered)" in page and "The 2024 one." in page
    # And on a line of the diff, with the link carrying the token.
    page = client.get(f"/suggestions/{anonymous.pk}/?token={token}").content.decode()
    assert f'href="/suggestions/{anonymous.pk}/?token={token}&amp;line=new-{NEW_LINE}#comment-form"' in page
    assert comment(client, anonymous, "This line.", line=f"new-{NEW_LINE}", token=token).status_code == 302


def test_anonymous_replies_are_rate_limited_and_blocked_like_any_comment(
    client, anonymous, settings, moderator
):
    settings.MODELCARDS_RATE_LIMITS = {**settings.MODELCARDS_RATE_LIMITS, "comment": "2/h"}
    token = anonymous.access_token
    assert comment(client, anonymous, "one", token=token).status_code == 302
    assert comment(client, anonymous, "two", token=token).status_code == 302
    limited = comment(client, anonymous, "three, kept", token=token)
    assert limited.status_code == 429 and "three, kept" in limited.content.decode()
    Block.objects.create(ip_hash=anonymous.ip_hash or "x", reason="spam", created_by=moderator)
    from modelcards import limits

    Block.objects.all().delete()
    Block.objects.create(
        ip_hash=limits.ip_hash(client.get("/").wsgi_request), reason="spam", created_by=moderator
    )
    assert comment(client, anonymous, "four", token=token).status_code == 403
    assert Comment.objects.count() == 2


def test_line_comments_are_for_open_suggestions(client, suggestion, user, moderator):
    reject_suggestion(suggestion, reviewer=moderator, note="No.")
    client.force_login(user)
    response = comment(client, suggestion, "Late", line=f"new-{NEW_LINE}")
    assert response.status_code == 400
    assert comment(client, suggestion, "Late, on the whole").status_code == 302


def test_the_workflow_refuses_an_anonymous_comment_without_the_link(anonymous):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        comment_on_suggestion(anonymous, body="x", user=AnonymousUser(), token="guess")


def test_the_page_costs_the_same_queries_with_one_or_twenty_comments(client, card, author, user):
    one = submit_suggestion(card=card, text=SUGGESTED, summary="One", base_version=1, author=author)
    many = submit_suggestion(card=card, text=SUGGESTED, summary="Many", base_version=1, author=author)
    people = [user, author]
    for n in range(20):
        comment_on_suggestion(
            many,
            body=f"Note {n}",
            user=people[n % 2],
            line=("new", NEW_LINE) if n % 2 else None,
            revision_number=1,
        )
    comment_on_suggestion(one, body="Only note", user=user, line=("new", NEW_LINE), revision_number=1)
    client.force_login(user)
    client.get(
        f"/suggestions/{one.pk}/"
    )  # the signed-in account is cached from here on (accounts/identity.py)
    with CaptureQueriesContext(connection) as first:
        assert client.get(f"/suggestions/{one.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as twenty:
        page = client.get(f"/suggestions/{many.pk}/")
    assert page.status_code == 200 and "Note 19" in page.content.decode()
    assert len(twenty) == len(first), [q["sql"] for q in twenty.captured_queries]
