"""Load the demo cards shipped with the project; running it again changes nothing."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_cards"
# Git-ignored, beside manage.py: the demo moderator's password stays the same from one run to the next.
PASSWORD_FILE = Path(__file__).resolve().parents[3] / ".demo-password"


def _password_file() -> Path:
    return Path(getattr(settings, "DEMO_PASSWORD_FILE", PASSWORD_FILE))


class Command(BaseCommand):
    help = "Load the demo model cards (idempotent); --demo-users also creates a demo moderator."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users", action="store_true", help="Create a demo moderator and print its credentials"
        )
        parser.add_argument(
            "--new-password",
            action="store_true",
            help="Give the demo moderator a new password (with --demo-users)",
        )

    def handle(self, *args, demo_users=False, new_password=False, **options):
        call_command(
            "import_cards",
            str(DEMO_DIR),
            summary="Demo card",
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
        if demo_users:
            self.create_moderator(new_password=new_password)

    def create_moderator(self, *, new_password: bool):
        users = get_user_model()
        password = _demo_password(new=new_password)
        moderator, _ = users.objects.get_or_create(
            username="moderator", defaults={"email": "moderator@example.org"}
        )
        moderator.set_password(password)
        # Verified, so the demo moderator counts as registered (an unverified account acts as anonymous).
        moderator.email_verified_at = moderator.email_verified_at or timezone.now()
        moderator.save()
        moderator.groups.add(Group.objects.get(name="Moderators"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo moderator: username 'moderator', password '{password}' (demo mode only; "
                "`make reset-demo-password` makes a new one)"
            )
        )


def _demo_password(*, new: bool) -> str:
    """The saved demo password, or a new one saved for next time."""
    if not new:
        try:
            saved = _password_file().read_text(encoding="utf-8").strip()
        except OSError:
            saved = ""
        if saved:
            return saved
    password = secrets.token_urlsafe(9)
    try:
        _password_file().write_text(password + "\n", encoding="utf-8")
        _password_file().chmod(0o600)
    except OSError:
        pass  # a read-only checkout still gets a working password, just a new one each run
    return password
