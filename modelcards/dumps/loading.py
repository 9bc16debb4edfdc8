"""Loading a full-history dump into an empty site, so that it reproduces the site the dump was made of.

Every version is written again in its order with its own number, kind, people, summary, merge note,
time and text, and the card's derived fields (metadata, openness, completeness, blame, lineage) are
worked out from the texts as the workflow works them out; the current card's claim provenance is
taken from the dump itself, as it may go back further than the history it came with. The files are
checked against SHA256SUMS and read through once before anything is written; then each card is
written with all its versions in one transaction.

People are recreated as accounts that cannot sign in: the name the dump gives, no password, no email,
no role. History, profiles, "approved by" and who asserted each claim then read exactly as on the site
the dump came from, and no one can sign up under a contributor's name to take their edits over.
Authors who were not signed in stay names on their versions, as they were. A dump naming someone who
already has an account here is refused rather than crediting that account with another person's work.

Suggestions, discussions, watches and accounts' private details are not in a dump and are not made;
nobody is mailed or told of the loaded versions.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import reversion
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..cardfile import CardFileError, parse_card
from ..diffing import carry_line_origins
from ..governance import visibility
from ..models import Activity, CardVersion, ModelCard, Suggestion, Visibility
from ..openness import claims, family
from .records import (
    CARD_FIELDS,
    CARDS_FILE,
    DATA_FILES,
    FORMAT,
    FORMAT_VERSION,
    HISTORY_FILE,
    MANIFEST_FILE,
    SUMS_FILE,
    VERSION_FIELDS,
    DumpError,
    parse_timestamp,
    read_records,
)

# What a loaded first version holds when the dump hid its text (a later one keeps the text before it).
HIDDEN_FIRST_TEXT = "# Text hidden\n"
_SUM_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
_READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class Loaded:
    cards: int
    versions: int
    people: int


def read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise DumpError(
            f"{directory} holds no {MANIFEST_FILE}: it is not a dump, or not a whole one."
        ) from None
    except (OSError, ValueError) as exc:
        raise DumpError(f"{MANIFEST_FILE} cannot be read: {exc}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DumpError(f"{MANIFEST_FILE} does not describe a Model Card Commons dump.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise DumpError(
            f"This dump is in format version {version!r}; this site reads version {FORMAT_VERSION}."
        )
    return manifest


def verify_checksums(directory: Path) -> None:
    """Each data file must match SHA256SUMS (what `sha256sum -c SHA256SUMS` checks)."""
    try:
        listed = (directory / SUMS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DumpError(f"{directory} holds no {SUMS_FILE}, so the files cannot be checked.") from None
    sums = {}
    for line in listed.splitlines():
        if match := _SUM_LINE.fullmatch(line.strip()):
            sums[match.group(2)] = match.group(1)
    for name in DATA_FILES:
        if name not in sums:
            raise DumpError(f"{SUMS_FILE} gives no checksum for {name}.")
        digest = hashlib.sha256()
        try:
            with open(directory / name, "rb") as data:
                while chunk := data.read(_READ_SIZE):
                    digest.update(chunk)
        except FileNotFoundError:
            raise DumpError(f"{name} is missing from {directory}.") from None
        if digest.hexdigest() != sums[name]:
            raise DumpError(
                f"{name} does not match its checksum in {SUMS_FILE}: the file is damaged or incomplete. "
                "Download it again; nothing was loaded."
            )


def _cards_with_versions(directory: Path):
    """(card line, its version lines) for each card in order, the two files read side by side."""
    history = _Lookahead(read_records(directory / HISTORY_FILE, VERSION_FIELDS))
    previous = None
    for line, card in read_records(directory / CARDS_FILE, CARD_FIELDS):
        slug = card["slug"]
        if previous is not None and slug <= previous:
            raise DumpError(f"{CARDS_FILE} line {line}: '{slug}' is out of order (after '{previous}').")
        previous = slug
        orphan = history.peek()
        if orphan is not None and orphan[1]["slug"] < slug:
            raise _orphan(*orphan)
        yield card, _versions_of(card, history)
    if (orphan := history.peek()) is not None:
        raise _orphan(*orphan)


def _orphan(line: int, version: dict) -> DumpError:
    slug = version["slug"]
    return DumpError(f"{HISTORY_FILE} line {line}: versions of '{slug}', which {CARDS_FILE} lacks.")


def _versions_of(card: dict, history: "_Lookahead"):
    expected = 1
    while (upcoming := history.peek()) is not None and upcoming[1]["slug"] == card["slug"]:
        line, version = next(history)
        if version["number"] != expected:
            raise DumpError(
                f"{HISTORY_FILE} line {line}: {card['slug']} version {version['number']} where version "
                f"{expected} was due; versions must be complete and in order."
            )
        if version["kind"] not in CardVersion.Kind.values:
            raise DumpError(f"{HISTORY_FILE} line {line}: '{version['kind']}' is not a kind of version.")
        yield version
        expected += 1
    if expected - 1 != card["version"]:
        raise DumpError(
            f"{card['slug']}: {CARDS_FILE} says version {card['version']} is current, but {HISTORY_FILE} "
            f"has {expected - 1} versions of it."
        )


class _Lookahead:
    def __init__(self, items):
        self._items, self._next = iter(items), None
        self._advance()

    def _advance(self):
        self._next = next(self._items, None)

    def peek(self):
        return self._next

    def __iter__(self):
        return self

    def __next__(self):
        if self._next is None:
            raise StopIteration
        item = self._next
        self._advance()
        return item


def check_dump(directory: Path, manifest: dict) -> set[str]:
    """Read the whole dump once, writing nothing: its order, its counts, and that each card's last
    version is its current text. Returns the names of the people with accounts it credits."""
    people: set[str] = set()
    cards = versions = 0
    for card, card_versions in _cards_with_versions(directory):
        cards += 1
        last = None
        for version in card_versions:
            versions += 1
            last = version
            if version["author_account"] and version["author"]:
                people.add(version["author"])
            if version["moderator"]:
                people.add(version["moderator"])
        if last is None or last["text"] != card["readme"]:
            raise DumpError(f"{card['slug']}: the current text is not the text of its last version.")
    if (cards, versions) != (manifest.get("cards"), manifest.get("versions")):
        raise DumpError(
            f"The dump holds {cards} cards and {versions} versions; its manifest says "
            f"{manifest.get('cards')} and {manifest.get('versions')}."
        )
    return people


def _refuse_unless_empty() -> None:
    if (count := ModelCard.objects.count()) or Suggestion.objects.exists():
        held = f"{count} card{'s' if count != 1 else ''}" if count else "suggestions"
        raise DumpError(
            f"This site already has {held}. A dump loads only into an empty site: make a new database, "
            "run `manage.py migrate`, then `manage.py load_dump`."
        )


def _refuse_names_taken(people: set[str]) -> None:
    names = sorted(people)
    taken = []
    for start in range(0, len(names), 500):
        batch = names[start : start + 500]
        taken += get_user_model().objects.filter(username__in=batch).values_list("username", flat=True)
    if taken:
        shown = ", ".join(sorted(taken)[:10]) + (" …" if len(taken) > 10 else "")
        raise DumpError(
            f"The dump credits people who have accounts here already ({shown}). Their accounts here "
            "would be credited with the dump's edits: load the dump before creating accounts, or rename them."
        )


class _People:
    """The accounts the dump's names stand for, made as they are first met (see the module's docstring)."""

    def __init__(self):
        self._accounts = {}

    def account(self, name: str):
        if not name:
            return None
        if name not in self._accounts:
            person = get_user_model()(username=name, email="")
            person.set_unusable_password()
            person.save()
            self._accounts[name] = person
        return self._accounts[name]

    def __len__(self) -> int:
        return len(self._accounts)


def _claim_source(kind: str, by_account: bool) -> str:
    """As the workflow credits a version's new claims (workflow.cards._claim_source)."""
    if kind == CardVersion.Kind.IMPORTED:
        return claims.SOURCE_IMPORT
    if kind == CardVersion.Kind.MOT_IMPORT:
        return claims.SOURCE_MOT
    return claims.SOURCE_ACCOUNT if by_account else claims.SOURCE_ANONYMOUS


def _hidden_parts(version: dict) -> list[str]:
    """The parts the dump left out as hidden (issue 15 item 4); they stay hidden once loaded."""
    hidden = version.get("hidden") or []
    if not isinstance(hidden, list) or not set(hidden) <= set(visibility.PARTS):
        raise DumpError(f"{version['slug']} version {version['number']}: `hidden` names unknown parts.")
    return hidden


def _loaded_text(version: dict, card: ModelCard, hidden: list[str]) -> str:
    if "text" not in hidden:
        return version["text"]
    return card.text if version["number"] > 1 else HIDDEN_FIRST_TEXT


def _load_card(record: dict, versions, people: _People) -> int:
    """One card and all its versions, in one transaction; returns the number of versions."""
    slug = record["slug"]
    card = ModelCard(slug=slug)
    with transaction.atomic():
        for version in versions:
            number = version["number"]
            hidden = _hidden_parts(version)
            try:
                # A text hidden from the public is not in the dump: the version keeps the text before it.
                card_file = parse_card(_loaded_text(version, card, hidden))
            except CardFileError as exc:
                problems = "; ".join(str(problem) for problem in exc.problems[:3])
                raise DumpError(f"{slug} version {number} cannot be read: {problems}") from None
            created_at = parse_timestamp(version["created_at"])
            old_size, old_text, old_bases = card.size, card.text, card.base_models_index
            card.apply_card_file(card_file)
            card.version_number = number
            card.line_versions = carry_line_origins(old_text, card.text, card.line_versions, number)
            author = people.account(version["author"]) if version["author_account"] else None
            moderator = people.account(version["moderator"] or "")
            if number == record["version"]:
                card.claim_provenance = record["claim_provenance"]
            else:
                card.record_claims(
                    by=version["author"],
                    source=_claim_source(version["kind"], version["author_account"]),
                    at=timezone.localdate(created_at).isoformat(),
                )
            with reversion.create_revision(atomic=False):
                card.save()
                reversion.set_user(author or moderator)
                reversion.set_comment(version["summary"])
                reversion.set_date_created(created_at)
                reversion.add_meta(
                    CardVersion,
                    card=card,
                    number=number,
                    kind=version["kind"],
                    author=author,
                    author_name="" if author else version["author"],
                    moderator=moderator,
                    summary=version["summary"][:300],
                    merge_note=version["merge_note"][:200],
                    size=card.size,
                    size_delta=card.size - old_size,
                )
            written = CardVersion.objects.get(card=card, number=number)
            CardVersion.objects.filter(pk=written.pk).update(
                created_at=created_at,  # not auto_now_add's
                **{visibility.FIELD[part]: Visibility.HIDDEN for part in hidden},
            )
            actor = moderator or author
            Activity.objects.create(
                kind=Activity.Kind.VERSION,
                card=card,
                version=written,
                actor=actor,
                actor_name="" if actor else version["author"],
                summary=version["summary"][:300],
                created_at=created_at,
            )
            card.sync_base_model_links(old_bases)
            for changed in family.refresh_family(card):
                if changed.pk == card.pk:
                    for name in family.LINEAGE_FIELDS:
                        setattr(card, name, getattr(changed, name))
        ModelCard.objects.filter(pk=card.pk).update(
            created_at=parse_timestamp(record["created_at"]), updated_at=parse_timestamp(record["updated_at"])
        )
    return card.version_number


def load_dump(directory, *, progress=None) -> Loaded:
    """Load the full-history dump in `directory` into this site, which must hold no cards.

    Refused, with nothing written, when a file does not match SHA256SUMS, the dump is not whole or
    consistent, the site is not empty, or the dump names someone who has an account here. `progress`
    is called once per card loaded.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    verify_checksums(directory)
    _refuse_unless_empty()
    _refuse_names_taken(check_dump(directory, manifest))
    people = _People()
    cards = versions = 0
    for record, card_versions in _cards_with_versions(directory):
        versions += _load_card(record, card_versions, people)
        cards += 1
        if progress is not None:
            progress()
    return Loaded(cards=cards, versions=versions, people=len(people))
