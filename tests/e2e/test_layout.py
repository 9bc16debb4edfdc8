"""The page chrome at the widths people use: the signed-in header on one line at 1280 px."""

from tests.conftest import moderators_group


def test_the_signed_in_header_fits_on_one_line_at_1280_px(page, log_in, django_user_model):
    moderator = django_user_model.objects.create_user(
        "a-rather-long-moderator-name", "m@example.org", "pw-for-tests-1"
    )
    moderator.groups.add(moderators_group())
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(moderator, next_url="/cards/")
    tops = page.evaluate(
        "Array.from(document.querySelectorAll('.header-inner > *')).map(e => e.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) < 10, tops  # brand, navigation and search side by side
    name = page.locator(".nav-user")
    assert name.get_attribute("title") == "a-rather-long-moderator-name"
