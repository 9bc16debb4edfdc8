"""Checks the card commands make of their options, with the messages people see."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from modelcards.cardfile import is_storable


def check_text_options(**options: str | None) -> None:
    """Each given option is text the database can store; `--user` names the option `user`."""
    for name, value in options.items():
        if value and not is_storable(value):
            raise CommandError(f"--{name} must be valid UTF-8 text without NUL characters.")


def user_named(username: str | None):
    """The account `--user` names, or None when none was given."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"No user named '{username}'.") from exc
