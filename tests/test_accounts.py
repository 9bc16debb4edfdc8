"""Sign-up, login, logout, password change and reset, profiles and the Moderators group."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

pytestmark = pytest.mark.django_db


def test_moderators_group_exists_with_the_review_permission():
    group = Group.objects.get(name="Moderators")
    assert group.permissions.filter(
        codename="review_suggestion", content_type__app_label="modelcards"
    ).exists()


NEWBIE = {
    "username": "newbie",
    "email": "newbie@example.org",
    "password1": "a-long-pass-123",
    "password2": "a-long-pass-123",
}


def test_a_visitor_signs_up_and_is_logged_in(client, django_user_model):
    response = client.post("/accounts/signup/", NEWBIE)
    assert response.status_code == 302
    assert django_user_model.objects.filter(username="newbie").exists()
    assert "newbie" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("came_from", "lands_on"),
    [("/cards/", "/cards/"), ("https://elsewhere.example/", "/"), ("//elsewhere.example/", "/")],
)
def test_signing_up_returns_to_the_page_you_came_from_on_this_site(client, came_from, lands_on):
    page = client.get("/accounts/signup/", {"next": came_from}).content.decode()
    if lands_on != "/":
        assert f'name="next" value="{came_from}"' in page
    response = client.post("/accounts/signup/", {**NEWBIE, "next": came_from})
    assert response.status_code == 302 and response["Location"] == lands_on


def test_the_header_links_to_sign_up_and_log_in_with_the_page_to_return_to(client, db):
    html = client.get("/cards/").content.decode()
    assert 'href="/accounts/signup/?next=/cards/"' in html and 'href="/accounts/login/?next=/cards/"' in html


def test_two_signups_racing_for_one_name_give_the_loser_the_form_back_with_the_reason(
    client, django_user_model, monkeypatch
):
    from accounts.forms import SignUpForm

    is_valid, checked = SignUpForm.is_valid, []

    def someone_else_signs_up_right_after_the_check(form):
        valid = is_valid(form)
        if not checked:  # the other request commits between this form's check and its insert
            checked.append(form)
            django_user_model.objects.create_user("newbie", "quick@example.org", "another-pass-789")
        return valid

    monkeypatch.setattr(SignUpForm, "is_valid", someone_else_signs_up_right_after_the_check)
    response = client.post("/accounts/signup/", NEWBIE)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert django_user_model.objects.get(username="newbie").email == "quick@example.org"


def test_signup_with_mismatched_passwords_explains_the_problem(client):
    response = client.post(
        "/accounts/signup/", {**NEWBIE, "email": "n@example.org", "password2": "other-pass-456"}
    )
    assert response.status_code == 400
    assert "didn" in response.content.decode()  # "The two password fields didn’t match."


def test_login_and_logout_by_post(client, user):
    response = client.post("/accounts/login/", {"username": "reader", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated
    assert client.get("/accounts/logout/").status_code == 405  # logging out never happens on a GET
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_wrong_password_is_refused_with_a_message(client, user):
    response = client.post("/accounts/login/", {"username": "reader", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_password_change(client, user):
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "brand-new-pass-9",
            "new_password2": "brand-new-pass-9",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-9")


def test_password_reset_by_email(client, user, settings):
    client.post("/accounts/password/reset/", {"email": "reader@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(re.escape(settings.SITE_URL) + r"(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "reset-pass-777", "new_password2": "reset-pass-777"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("reset-pass-777")


def test_profile_page_lists_versions_written(client, user, make_card):
    make_card(user=user)
    html = client.get("/users/reader/").content.decode()
    assert "reader" in html
    assert "Sample Model" in html


def test_unknown_profile_is_404(client):
    assert client.get("/users/nobody/").status_code == 404


def test_password_reset_requests_are_rate_limited(client, user, settings):
    settings.MODELCARDS_RATE_LIMITS = {**settings.MODELCARDS_RATE_LIMITS, "password_reset": "2/h"}
    for _ in range(2):
        assert client.post("/accounts/password/reset/", {"email": "reader@example.org"}).status_code == 302
    response = client.post("/accounts/password/reset/", {"email": "reader@example.org"})
    assert response.status_code == 429
    assert "try again in" in response.content.decode()
    assert len(mail.outbox) == 2
