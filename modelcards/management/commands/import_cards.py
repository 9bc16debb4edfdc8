"""Import README.md files (or folders of them) as cards, one line of outcome per card."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from modelcards.cardfile import CardFileError, parse_card
from modelcards.cardfiles_on_disk import find_card_files, read_card_text
from modelcards.models import validate_card_slug
from modelcards.rendering import MarkdownRefused, check_renderable
from modelcards.workflow import import_card


class Command(BaseCommand):
    help = "Import README.md files as model cards; existing cards get a new version only if the text changed."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="README.md-style files or folders of them")
        parser.add_argument("--slug", help="Slug for the card (only with a single file)")
        parser.add_argument("--user", help="Username to credit for the change")
        parser.add_argument("--summary", default="Imported from README.md", help="Edit summary")

    def handle(self, *args, paths, slug=None, user=None, summary, **options):
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user named '{user}'.") from exc
        files = find_card_files(paths)
        if not files:
            raise CommandError("No README.md or *.md files found in the given paths.")
        if slug and len(files) != 1:
            raise CommandError("--slug can only be used with a single file.")
        refused = 0
        bar = tqdm(files, desc="Importing", unit="card", disable=len(files) < 10, file=self.stderr._out)
        for found in bar:
            card_slug = slug or found.slug
            outcome = self.import_one(found.path, card_slug, actor, summary)
            if outcome.startswith("refused"):
                refused += 1
            bar.write(f"{card_slug}: {outcome}", file=self.stdout._out)
        if refused:
            raise CommandError(f"{refused} of {len(files)} file(s) refused.", returncode=1)

    def import_one(self, path, slug, actor, summary) -> str:
        try:
            validate_card_slug(slug)
        except ValidationError:
            return f"refused: '{slug}' is not a valid slug ({path})"
        try:
            text = read_card_text(path)
        except OSError as exc:
            return f"refused: cannot read {path}: {exc.strerror}"
        except UnicodeDecodeError as exc:
            return f"refused: {path} is not valid UTF-8 (byte {exc.start})"
        try:
            card_file = parse_card(text)
            check_renderable(card_file.body)
        except CardFileError as exc:
            return "refused: " + "; ".join(str(problem) for problem in exc.problems)
        except MarkdownRefused as exc:
            return f"refused: {exc}"
        return import_card(slug=slug, card_file=card_file, user=actor, summary=summary)
