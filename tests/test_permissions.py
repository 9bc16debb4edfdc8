"""The review predicate answers exactly what Django's permission check would, in one query."""

import pytest
from django.contrib.auth.models import Group, Permission

from modelcards.permissions import REVIEW_PERMISSION, can_review

pytestmark = pytest.mark.django_db


def _review_permission():
    return Permission.objects.get(codename="review_suggestion", content_type__app_label="modelcards")


@pytest.mark.parametrize(
    "how",
    [
        "nothing",
        "moderators group",
        "own permission",
        "other group",
        "staff",
        "superuser",
        "inactive moderator",
    ],
)
def test_can_review_agrees_with_has_perm_and_staff(make_user, django_user_model, how):
    user = make_user(
        "someone", moderator=how in ("moderators group", "inactive moderator"), staff=how == "staff"
    )
    if how == "own permission":
        user.user_permissions.add(_review_permission())
    elif how == "other group":
        Group.objects.create(name="Readers").user_set.add(user)
    elif how == "superuser":
        user.is_superuser = True
        user.save()
    elif how == "inactive moderator":
        user.is_active = False
        user.save()
    fresh = django_user_model.objects.get(pk=user.pk)
    expected = fresh.is_active and (fresh.is_staff or fresh.has_perm(REVIEW_PERMISSION))
    assert can_review(django_user_model.objects.get(pk=user.pk)) == expected
    assert expected == (how in ("moderators group", "own permission", "staff", "superuser"))


def test_the_answer_is_asked_once_per_request_and_user(make_user, django_assert_num_queries):
    moderator = make_user("mod", moderator=True)
    with django_assert_num_queries(1):
        assert can_review(moderator) and can_review(moderator)
