"""Writing a dump: the current cards and every version, streamed from one read of the database.

Memory stays constant whatever the site's size: each file is written line by line from one query read
in chunks (the history query fetches each version's text from django-reversion in a subquery, so
there is no query per card or per version). Both queries see the same state of the database, so the
two files always agree. Everything is written under temporary names first and moved into place at
the end, the manifest last, so nobody ever reads half a dump.
"""

import gzip
import hashlib
import json
import os
import secrets
import shutil
from contextlib import closing, contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast, Collate
from django.utils import timezone
from reversion.models import Version

from ..governance import visibility
from ..models import CardVersion, ModelCard
from ..openness.record import summary_of
from ..openness.report import openness_document
from .records import (
    CARDS_FILE,
    DATA_FILES,
    FORMAT,
    FORMAT_VERSION,
    HISTORY_FILE,
    MANIFEST_FILE,
    SUMS_FILE,
    DumpError,
    encode,
    timestamp,
)

CHUNK_SIZE = 500
COMPRESS_LEVEL = 6  # gzip's own default: nearly level 9's size in a third of the time


def card_record(card: ModelCard) -> dict:
    """One line of cards.jsonl.gz (records.py lists the keys)."""
    openness = openness_document(card)
    for key in ("slug", "title", "version"):  # already on the line itself
        openness.pop(key, None)
    return {
        "slug": card.slug,
        "title": card.title,
        "version": card.version_number,
        "created_at": timestamp(card.created_at),
        "updated_at": timestamp(card.updated_at),
        "readme": card.text,
        "summary": summary_of(card.metadata) or None,
        "license": card.license,
        "pipeline_tag": card.pipeline_tag,
        "metadata": card.metadata,
        "openness": openness,
        "claim_provenance": card.claim_provenance if isinstance(card.claim_provenance, dict) else {},
    }


def version_record(version: CardVersion) -> dict:
    """One line of history.jsonl.gz; `version` carries its stored card state as `stored`."""
    slug = version.card.slug
    try:
        text = json.loads(version.stored)[0]["fields"]["text"]
    except (TypeError, ValueError, LookupError):
        raise DumpError(f"{slug} version {version.number}: its text is missing from the history.") from None
    record = {
        "slug": slug,
        "number": version.number,
        "kind": version.kind,
        "author": version.author.get_username() if version.author_id else version.author_name,
        "author_account": version.author_id is not None,
        "moderator": version.moderator.get_username() if version.moderator_id else None,
        "summary": version.summary,
        "merge_note": version.merge_note,
        "created_at": timestamp(version.created_at),
        "text": text,
    }
    # Issue 15 item 4: a part hidden from the public is left out (empty) and named in `hidden`.
    hidden = visibility.withheld(version)
    if hidden:
        record["hidden"] = hidden
        blanks = {
            "text": {"text": ""},
            "summary": {"summary": ""},
            "author": {"author": "", "author_account": False},
        }
        for part in hidden:
            record.update(blanks[part])
    return record


def _in_byte_order(field: str) -> Collate:
    """Slugs sorted as bytes (as Python sorts them), not by the database's language rules, so every
    database writes the same order and the loader can read both files side by side."""
    return Collate(field, "C" if connection.vendor == "postgresql" else "BINARY")


def current_cards():
    cards = ModelCard.objects.defer("line_versions").order_by(_in_byte_order("slug"))
    return cards.iterator(chunk_size=CHUNK_SIZE)


def every_version():
    """Every version of every card, by slug then number, each with its text, in one query."""
    stored = Version.objects.filter(
        revision_id=OuterRef("revision_id"),
        content_type=ContentType.objects.get_for_model(ModelCard),
        object_id=Cast(OuterRef("card_id"), output_field=CharField()),
    ).values("serialized_data")[:1]
    rows = (
        CardVersion.objects.select_related("card", "author", "moderator")
        .only(
            "number",
            "kind",
            "author_name",
            "summary",
            "merge_note",
            "created_at",
            "revision_id",
            "text_visibility",
            "summary_visibility",
            "author_visibility",
            "card__slug",
            "author__username",
            "moderator__username",
        )
        .annotate(stored=Subquery(stored))
        .order_by(_in_byte_order("card__slug"), "number")
    )
    return rows.iterator(chunk_size=CHUNK_SIZE)


@contextmanager
def one_snapshot(using: str = DEFAULT_DB_ALIAS):
    """Both files read the same committed state. PostgreSQL gives a repeatable-read snapshot that
    blocks nobody; SQLite's transaction (IMMEDIATE here) makes writers wait until the dump is read."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class _Hashing:
    """A file that counts and hashes what is written to it, so a file is never read back to be summed."""

    def __init__(self, raw):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def _write_lines(path: Path, records) -> dict:
    count = 0
    with open(path, "wb") as raw:
        hashing = _Hashing(raw)
        # No file name and no time in the gzip header: the same records always give the same bytes.
        with gzip.GzipFile(
            filename="", mode="wb", fileobj=hashing, mtime=0, compresslevel=COMPRESS_LEVEL
        ) as out:
            for record in records:
                out.write(encode(record))
                count += 1
        raw.flush()
        os.fsync(raw.fileno())
    return {"bytes": hashing.size, "sha256": hashing.sha256.hexdigest(), "records": count}


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def write_dump(out) -> dict:
    """Write a dump of the whole site into the folder `out` and return its manifest.

    A folder that does not exist yet appears whole, in one rename. Into an existing folder the files
    are moved one by one, the old manifest removed first and the new one written last, so a reader
    checking the manifest and SHA256SUMS never takes a mixture of two dumps for one.
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Made with the usual permissions (the umask's), unlike mkdtemp's private folder: once renamed,
        # it is what the web server serves.
        work = out.parent / f".{out.name}-{secrets.token_hex(6)}.partial"
        work.mkdir()
    except OSError as exc:
        raise DumpError(f"Cannot write into {out.parent}: {exc.strerror or exc}.") from None
    try:
        files = {}
        with one_snapshot():
            # Closed inside the transaction, even after an error: PostgreSQL's server-side cursors
            # end with it, and closing one afterwards would fail.
            with closing(current_cards()) as cards:
                files[CARDS_FILE] = _write_lines(work / CARDS_FILE, map(card_record, cards))
            with closing(every_version()) as versions:
                files[HISTORY_FILE] = _write_lines(work / HISTORY_FILE, map(version_record, versions))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timestamp(timezone.now()),
            "site": settings.SITE_URL,
            "cards": files[CARDS_FILE]["records"],
            "versions": files[HISTORY_FILE]["records"],
            "files": files,
        }
        sums = "".join(f"{files[name]['sha256']}  {name}\n" for name in DATA_FILES)
        _write_bytes(work / SUMS_FILE, sums.encode())
        _write_bytes(work / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n")
        _move_into_place(work, out)
    except OSError as exc:
        raise DumpError(f"Cannot write the dump into {out}: {exc.strerror or exc}.") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def _move_into_place(work: Path, out: Path) -> None:
    if not out.exists():
        os.rename(work, out)
        return
    if not out.is_dir():
        raise DumpError(f"{out} exists and is not a folder.")
    (out / MANIFEST_FILE).unlink(missing_ok=True)
    for name in (*DATA_FILES, SUMS_FILE, MANIFEST_FILE):
        os.replace(work / name, out / name)
