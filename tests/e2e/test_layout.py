"""The page chrome at the widths people use: the signed-in header on one line at 1280 px."""

from modelcards.models import Notification
from modelcards.workflow import submit_suggestion
from tests.conftest import SAMPLE_README, moderators_group


def test_the_signed_in_header_fits_on_one_line_at_1280_px(page, log_in, django_user_model, card):
    moderator = django_user_model.objects.create_user(
        "a-rather-long-moderator-name", "m@example.org", "pw-for-tests-1"
    )
    moderator.groups.add(moderators_group())
    # The widest header: a long name, suggestions waiting and unread entries in the inbox, both counted.
    for number in range(12):
        submit_suggestion(
            card=card, text=SAMPLE_README + f"\nFact {number}.\n", summary="s", base_version=1, author=None
        )
    Notification.objects.bulk_create(
        Notification(user=moderator, kind=Notification.Kind.REPLY, event=f"e{n}", subject="s")
        for n in range(150)
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(moderator, next_url="/cards/")
    tops = page.evaluate(
        "Array.from(document.querySelectorAll('.header-inner > *')).map(e => e.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) < 10, tops  # brand, navigation and search side by side
    assert page.locator(".inbox-count").inner_text().startswith("99+")
    name = page.locator(".nav-user")
    assert name.get_attribute("title") == "a-rather-long-moderator-name"
