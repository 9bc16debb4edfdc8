"""Shared fixtures: people in each role, and cards made through the real workflow."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from config import generations
from modelcards.cardfile import parse_card
from modelcards.pagehold import held
from modelcards.workflow import create_card, update_card
from tests.hub_standin import hub  # noqa: F401  (the stand-in Hub fixture)

SAMPLE_README = """---
license: apache-2.0
language:
- en
- fr
tags:
- text-generation
- demo
datasets:
- allenai/c4
pipeline_tag: text-generation
library_name: transformers
model-index:
- name: sample-model
  results:
  - task:
      type: text-generation
    dataset:
      type: hellaswag
      name: HellaSwag
    metrics:
    - type: accuracy
      value: 0.71
      name: Accuracy
---
# Sample Model

A small model used by the tests.

## Uses

Summarising notes.

## Limitations

It is only a sample.
"""


def _group(name: str, codename: str) -> Group:
    """A group a migration makes; transactional tests flush it away, so put it back when needed."""
    group, created = Group.objects.get_or_create(name=name)
    if created:
        group.permissions.add(Permission.objects.get(codename=codename, content_type__app_label="modelcards"))
    return group


def moderators_group() -> Group:
    return _group("Moderators", "review_suggestion")


def oversight_group() -> Group:
    """Oversight suppresses version parts from moderators too (issue 15 item 4)."""
    return _group("Oversight", "suppress_version")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The local-memory cache (cached pages above all) and the process's hold of answers outlive each
    test's database rollback."""
    cache.clear()
    held.clear()
    yield
    cache.clear()
    held.clear()


@pytest.fixture(autouse=True)
def _page_cache_invalidated_at_once(monkeypatch):
    """A test's transaction never commits, so cached entries are invalidated at once instead of on commit.

    tests/test_pagecache.py checks the real on-commit behaviour.
    """
    monkeypatch.setattr(generations, "invalidate_on_commit", generations.invalidate)


@pytest.fixture
def make_user(django_user_model):
    def make(
        username, *, moderator=False, staff=False, oversight=False, verified=True, password="pw-for-tests-1"
    ):
        """An account; `verified=False` leaves its email unverified (issue 15 item 8)."""
        user = django_user_model.objects.create_user(
            username=username, email=f"{username}@example.org", password=password, is_staff=staff
        )
        if verified:
            user.email_verified_at = user.date_joined
            user.save(update_fields=["email_verified_at"])
        if moderator:
            user.groups.add(moderators_group())
        if oversight:
            user.groups.add(oversight_group())
        return user

    return make


@pytest.fixture
def user(make_user):
    return make_user("reader")


@pytest.fixture
def moderator(make_user):
    return make_user("mod", moderator=True)


@pytest.fixture
def staff(make_user):
    return make_user("admin", staff=True)


@pytest.fixture
def make_card(db):
    def make(slug="sample", text=SAMPLE_README, user=None):
        return create_card(slug=slug, card_file=parse_card(text), user=user, summary="Created for a test")

    return make


@pytest.fixture
def card(make_card):
    return make_card()


@pytest.fixture
def edit_card():
    def edit(card, text, *, user=None, summary="Edited in a test"):
        return update_card(card, card_file=parse_card(text), user=user, summary=summary)

    return edit
