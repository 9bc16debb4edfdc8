"""Load the demo cards shipped with the project; running it again changes nothing."""

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_cards"


class Command(BaseCommand):
    help = "Load the demo model cards (idempotent); --demo-users also creates a demo moderator."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users", action="store_true", help="Create a demo moderator and print its credentials"
        )

    def handle(self, *args, demo_users=False, **options):
        call_command(
            "import_cards",
            str(DEMO_DIR),
            summary="Demo card",
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
        if demo_users:
            self.create_moderator()

    def create_moderator(self):
        users = get_user_model()
        password = secrets.token_urlsafe(9)
        moderator, _ = users.objects.get_or_create(
            username="moderator", defaults={"email": "moderator@example.org"}
        )
        moderator.set_password(password)
        moderator.save()
        moderator.groups.add(Group.objects.get(name="Moderators"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo moderator: username 'moderator', password '{password}' (demo mode only)"
            )
        )
