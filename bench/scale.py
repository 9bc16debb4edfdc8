"""Hub scale for `make bench` (BENCH_SCALE=100000): bulk seeding, the scale pages and their query counts.

Seeding writes with PostgreSQL's COPY the rows the workflow would write for an imported card and its
later edits: the card (every derived field), a reversion Revision and Version per version, the
CardVersion meta row, the Activity line and the BaseModelLink rows, then rebuilds the card search's
GIN index. Deriving a card's fields through the app costs about 7 ms, so each distinct front matter
is derived once through the app (`ModelCard.apply_card_file`, `record_claims`) and reused with the
card's own title, text and size; a sample of the seeded cards is then derived again through the
app, lineage included, and must come out identical.

Cards are 4.8-7.0 KB, 5.7 KB on average (a demo card's front matter, which is most of it, with one
of eight licences; its body cut to about 1 KB; a paragraph of its own with a made-up code name).
Versions per card cycle through 1, 2, 3, 5, 8, 13, 20 and 28 (ten on average), and version k adds
the line "Change number k." as the test factory does.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import secrets
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from itertools import accumulate

from bench import seed

SCALE = int(os.environ.get("BENCH_SCALE", "0") or 0)
IMPORT_FILES = int(os.environ.get("BENCH_SCALE_IMPORT", str(SCALE)) or 0)
VERSIONS = (1, 2, 3, 5, 8, 13, 20, 28)  # per card, in turn: ten on average
LICENCES = (
    "apache-2.0",
    "mit",
    "llama2",
    "cc-by-4.0",
    "openrail",
    "cc-by-nc-4.0",
    "gpl-3.0",
    "bigscience-openrail-m",
)
BODY_CHARS = 1000
CHUNK = 2000  # cards per COPY batch
PENDING_SUGGESTIONS = 10_000
FINE_TUNES = 1_000
LINEAGE_BASE = "scale-base"
COMMON_WORD = "llama"  # in a quarter of the seeded cards
SAMPLE = 300  # seeded cards derived again through the app and compared
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "qu")


def code_name(number: int) -> str:
    """A made-up word shared by 1 card in 5,000 (20 cards at 100,000): the rare search term."""
    value = number % 5000
    return "".join(_SYLLABLES[(value // 10**i) % 10] for i in range(4)) + "x"


RARE_WORD = code_name(34)  # card 34 is in the small site too, so both sizes find it


def versions_of(number: int) -> int:
    return VERSIONS[number % len(VERSIONS)]


_VERSION_PREFIX = [0, *accumulate(VERSIONS)]


def versions_before(number: int) -> int:
    """Versions of the seeded cards numbered below `number` (ids are assigned from this)."""
    return (number // len(VERSIONS)) * _VERSION_PREFIX[-1] + _VERSION_PREFIX[number % len(VERSIONS)]


# --------------------------------------------------------------------------------------
# Texts


def _short_bases() -> list[tuple[str, str]]:
    """Each demo card as (front matter with its `---` lines, body cut to about BODY_CHARS at a heading)."""
    bases = []
    for text in seed.demo_texts():
        end = text.index("\n---\n", 4) + 5
        body = text[end:]
        cut = body.find("\n## ", BODY_CHARS)
        bases.append((text[:end], body if cut < 0 else body[: cut + 1]))
    return bases


def card_text(bases, number: int, version: int = 1) -> str:
    front, body = bases[number % len(bases)]
    licence = LICENCES[(number // len(bases)) % len(LICENCES)]
    front = re.sub(r"^license: .*$", f"license: {licence}", front, count=1, flags=re.MULTILINE)
    body = re.sub(r"^# .*$", f"# Hub model {number}", body, count=1, flags=re.MULTILINE)
    text = (
        f"{front}{body.rstrip()}\n\n## Notes\n\nHub model {number}, code name {code_name(number)}, "
        f"catalogue item {number * 7919 % 100_003}.\n"
    )
    return text if version == 1 else f"{text}Change number {version}.\n"


def template_key(bases, number: int) -> tuple[int, int]:
    return number % len(bases), (number // len(bases)) % len(LICENCES)


# --------------------------------------------------------------------------------------
# Seeding


@dataclass(frozen=True)
class Start:
    """The first id free in each table, and when the seeded history begins."""

    card: int
    revision: int
    version: int
    card_version: int
    activity: int
    link: int
    content_type: int
    now: object  # datetime
    first: int  # the first card number seeded in this call
    claims_on: str  # the day the seeded claims were recorded, as the workflow records it


def _templates(bases, now: str) -> dict:
    """Derived fields and links for each distinct front matter, made by the app itself."""
    from modelcards.cardfile import parse_card
    from modelcards.models import ModelCard
    from modelcards.openness import claims, lineage

    templates = {}
    for number in range(len(bases) * len(LICENCES)):
        key = template_key(bases, number)
        card = ModelCard(slug=f"hub-{number:06d}", version_number=1)
        card.apply_card_file(parse_card(card_text(bases, number)))
        card.record_claims(by="", source=claims.SOURCE_IMPORT, at=now)
        links = lineage.link_names(card.base_models_index, longest=100)
        templates[key] = (card, links)
    return templates


def _card_rows(start: Start, bases, templates, numbers: range):
    """Every row of the seeded cards `numbers`, table by table."""
    from django.core import serializers

    from modelcards.models import ModelCard

    fields = list(ModelCard._meta.concrete_fields)
    link_counts = [len(templates[(base, 0)][1]) for base in range(len(bases))]
    link_prefix = [0, *accumulate(link_counts)]
    tables = {name: [] for name in ("card", "revision", "version", "card_version", "activity", "link")}
    for number in numbers:
        template, links = templates[template_key(bases, number)]
        count = versions_of(number)
        card_id = start.card + number - start.first
        first = versions_before(number) - versions_before(start.first)
        created = start.now - timedelta(days=30) + timedelta(seconds=number * 25)
        texts = [card_text(bases, number, k) for k in range(1, count + 1)]
        sizes = [len(text.encode("utf-8")) for text in texts]
        card = ModelCard(**{field.attname: getattr(template, field.attname) for field in fields})
        card.pk, card.slug, card.title = card_id, f"hub-{number:06d}", f"Hub model {number}"
        card.text, card.size, card.version_number = texts[-1], sizes[-1], count
        card.line_versions = [1] * len(texts[0].splitlines()) + ([count] if count > 1 else [])
        card.created_at = created
        card.updated_at = created + timedelta(hours=count - 1)
        tables["card"].append([_db(field, getattr(card, field.attname)) for field in fields])
        stored = json.loads(serializers.serialize("json", [card]))[0]
        stored["fields"].pop("line_versions", None)
        for k in range(1, count + 1):
            row_id, at = first + k, created + timedelta(hours=k - 1)
            summary = "Imported from the Hub" if k == 1 else f"Change {k}"
            stored["fields"].update(text=texts[k - 1], size=sizes[k - 1], version_number=k)
            tables["revision"].append((start.revision + row_id, at, None, summary))
            tables["version"].append(
                (
                    start.version + row_id,
                    str(card_id),
                    "default",
                    "json",
                    json.dumps([stored]),
                    card.title,
                    start.content_type,
                    start.revision + row_id,
                )
            )
            tables["card_version"].append(
                (
                    start.card_version + row_id,
                    card_id,
                    k,
                    "imported" if k == 1 else "edited",
                    None,
                    "",
                    None,
                    summary,
                    "",
                    sizes[k - 1],
                    sizes[k - 1] - (sizes[k - 2] if k > 1 else 0),
                    at,
                    start.revision + row_id,
                    *_VERSION_DEFAULTS,
                )
            )
            tables["activity"].append(
                (
                    start.activity + row_id,
                    "version",
                    card_id,
                    start.card_version + row_id,
                    None,
                    None,
                    "",
                    summary,
                    at,
                )
            )
        # Links come from the base model a demo card names, the same for every licence.
        link_first = start.link + (
            _links_before(number, link_prefix) - _links_before(start.first, link_prefix)
        )
        tables["link"] += [(link_first + i, card_id, name) for i, name in enumerate(links)]
    return tables


def _links_before(number: int, link_prefix: list[int]) -> int:
    return (number // (len(link_prefix) - 1)) * link_prefix[-1] + link_prefix[number % (len(link_prefix) - 1)]


def _db(field, value):
    """`value` as COPY's text format takes it (JSON columns as their JSON text)."""
    from django.db.models import JSONField

    if isinstance(field, JSONField):
        return json.dumps(value)
    return value


# The later columns of a seeded version, as the workflow leaves them for an ordinary one: not
# autoreviewed, not by a maintainer, every part visible, not from the Hub.
_VERSION_DEFAULTS = (False, False, 0, 0, 0, "", "")
_COLUMNS = {
    "revision": ("reversion_revision", "id, date_created, user_id, comment"),
    "version": (
        "reversion_version",
        "id, object_id, db, format, serialized_data, object_repr, content_type_id, revision_id",
    ),
    "card_version": (
        "modelcards_cardversion",
        "id, card_id, number, kind, author_id, author_name, moderator_id, summary, merge_note, size, "
        "size_delta, created_at, revision_id, autoreviewed, by_maintainer, text_visibility, "
        "summary_visibility, author_visibility, upstream_repo, upstream_commit",
    ),
    "activity": (
        "modelcards_activity",
        "id, kind, card_id, version_id, suggestion_id, actor_id, actor_name, summary, created_at",
    ),
    "link": ("modelcards_basemodellink", "id, card_id, name"),
}


def _copy_chunk(job) -> int:
    """One worker process: seed cards [first, last) with COPY, in one transaction."""
    from django.db import connection, transaction

    from modelcards.models import ModelCard

    start, first, last = job
    bases = _short_bases()
    templates = _templates(bases, start.claims_on)
    card_columns = ", ".join(field.column for field in ModelCard._meta.concrete_fields)
    written = 0
    for chunk in range(first, last, CHUNK):
        tables = _card_rows(start, bases, templates, range(chunk, min(chunk + CHUNK, last)))
        with transaction.atomic():
            raw = connection.connection
            with raw.cursor() as cursor:
                for table, (name, columns) in {
                    "card": ("modelcards_modelcard", card_columns),
                    **_COLUMNS,
                }.items():
                    with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:  # noqa: S608 - our names
                        for row in tables[table]:
                            copy.write_row(row)
        written += len(tables["card"])
    connection.close()
    return written


def seed_hub(last: int, *, first: int = 0, log) -> dict:
    """Cards numbered `first` to `last` - 1, ten versions each on average, in bulk; returns timings."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, connections
    from django.utils import timezone

    from modelcards.models import ModelCard

    started = time.perf_counter()
    with connection.cursor() as cursor:
        starts = {}
        for key, table in (
            ("card", "modelcards_modelcard"),
            ("revision", "reversion_revision"),
            ("version", "reversion_version"),
            ("card_version", "modelcards_cardversion"),
            ("activity", "modelcards_activity"),
            ("link", "modelcards_basemodellink"),
        ):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - our names
            starts[key] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT indexdef, indexname FROM pg_indexes WHERE tablename = 'modelcards_modelcard' "
            "AND indexdef LIKE '%USING gin%'"
        )
        search_indexes = cursor.fetchall()
        for _definition, name in search_indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    now = timezone.now()
    start = Start(
        **starts,
        content_type=ContentType.objects.get_for_model(ModelCard).pk,
        now=now,
        first=first,
        claims_on=timezone.localdate(now).isoformat(),
    )
    templates = _templates(_short_bases(), start.claims_on)
    for (base, _licence), (_card, links) in templates.items():
        assert links == templates[(base, 0)][1], "the link ids assume one set of links per demo card"
    connections.close_all()
    # Two processes, as this machine has two cores: while one builds rows the other's COPY runs.
    workers = max(1, min(2, os.cpu_count() or 1))
    count = last - first
    step = -(-count // (workers * 4))
    jobs = [(start, number, min(number + step, last)) for number in range(first, last, step)]
    written = 0
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for done in pool.imap_unordered(_copy_chunk, jobs):
            written += done
            if count >= 10_000:
                log(f"  seeded {written:,} of {count:,} cards ({time.perf_counter() - started:.0f} s)")
    copied = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition, _name in search_indexes:
            cursor.execute(definition)
        indexed = time.perf_counter() - started
        for table, _columns in [("modelcards_modelcard", ""), *_COLUMNS.values()]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
        cursor.execute("ANALYZE")  # the planner must know the tables are no longer nearly empty
    return {
        "cards": count,
        "versions": versions_before(last) - versions_before(first),
        "copy_s": copied,
        "search_index_s": indexed - copied,
        "seconds": time.perf_counter() - started,
        "claims_on": start.claims_on,
    }


def check_sample(count: int, *, claims_on: str) -> int:
    """Derive a sample of the seeded cards again through the app; every field must come out the same."""
    from modelcards.cardfile import parse_card
    from modelcards.models import CardVersion, ModelCard
    from modelcards.openness import claims, family

    step = max(1, count // SAMPLE)
    checked = 0
    for number in range(0, count, step):
        stored = ModelCard.objects.get(slug=f"hub-{number:06d}")
        fresh = ModelCard(slug=stored.slug, version_number=1)
        fresh.apply_card_file(parse_card(stored.text))
        fresh.record_claims(by="", source=claims.SOURCE_IMPORT, at=claims_on)
        for field in ModelCard._meta.concrete_fields:
            if field.attname in ("id", "version_number", "line_versions", "created_at", "updated_at"):
                continue
            assert getattr(fresh, field.attname) == getattr(stored, field.attname), (
                stored.slug,
                field.attname,
            )
        assert stored.line_versions == _lines_of(stored)
        assert not family.refresh_family(stored), f"{stored.slug}: lineage differs from the app's"
        old = CardVersion.objects.get(card=stored, number=1).stored_fields()
        assert old["text"] == card_text(_short_bases(), number), stored.slug
        checked += 1
    return checked


def _lines_of(card) -> list[int]:
    lines = card_text(_short_bases(), int(card.slug[4:])).splitlines()
    return [1] * len(lines) + ([card.version_number] if card.version_number > 1 else [])


# --------------------------------------------------------------------------------------
# The review queue and a family of fine-tunes


def add_pending_suggestions(count: int, seeded: int, *, first: int = 0) -> None:
    """`count` pending suggestions on seeded cards from `first` on, as `submit_suggestion` writes
    them, in bulk."""
    from modelcards.models import Activity, ModelCard, Suggestion

    cards = seeded - first
    step = max(1, cards // count)
    numbers = [first + number * step % cards for number in range(count)]
    for first in range(0, count, 1000):
        batch = numbers[first : first + 1000]
        cards = ModelCard.objects.only("pk", "text", "version_number").in_bulk(
            [f"hub-{number:06d}" for number in batch], field_name="slug"
        )
        suggestions = Suggestion.objects.bulk_create(
            Suggestion(
                card=card,
                base_version=card.version_number,
                text=card.text + f"\nA suggested line, number {first + offset}.\n",
                summary="Suggested in the bench",
                author_name="bench",
                access_token=secrets.token_urlsafe(24),
            )
            for offset, card in enumerate(cards[f"hub-{number:06d}"] for number in batch)
        )
        Activity.objects.bulk_create(
            Activity(
                kind=Activity.Kind.SUGGESTION,
                card_id=suggestion.card_id,
                suggestion=suggestion,
                actor_name="bench",
                summary=suggestion.summary,
            )
            for suggestion in suggestions
        )


def lineage_text(licence: str, *, base: str = "", title: str, extra: str = "") -> str:
    front = f"---\nlicense: {licence}\n" + (f"base_model: {base}\n" if base else "") + "---\n"
    return f"{front}\n# {title}\n\nA model for the lineage figure.{extra}\n"


def make_lineage_family(fine_tunes: int, *, start: int = 1) -> None:
    """The base card (made once) and fine-tunes `start`..`fine_tunes` naming it, through the workflow."""
    from modelcards.cardfile import parse_card
    from modelcards.models import ModelCard
    from modelcards.workflow import import_card

    if not ModelCard.objects.filter(slug=LINEAGE_BASE).exists():
        import_card(
            slug=LINEAGE_BASE,
            card_file=parse_card(lineage_text("apache-2.0", title="Scale base")),
            user=None,
            summary="Bench base model",
        )
    for number in range(start, fine_tunes + 1):
        text = lineage_text("mit", base=LINEAGE_BASE, title=f"Scale fine-tune {number}")
        import_card(slug=f"scale-ft-{number:04d}", card_file=parse_card(text), user=None, summary="Fine-tune")


def lineage_edits(moderator) -> list[dict]:
    """Edit the base model three ways, timed and counted: text only, then its licence (twice)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from modelcards.cardfile import parse_card
    from modelcards.models import ModelCard
    from modelcards.workflow import update_card

    results = []
    stamp = time.time_ns()
    for what, licence in (
        ("text only", "apache-2.0"),
        ("licence", "cc-by-nc-4.0"),
        ("licence back", "apache-2.0"),
    ):
        card = ModelCard.objects.get(slug=LINEAGE_BASE)
        text = lineage_text(licence, title="Scale base", extra=f" Edit {what} {stamp}.")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            update_card(card, card_file=parse_card(text), user=moderator, summary=f"Edit: {what}")
            elapsed = (time.perf_counter() - started) * 1000
        results.append({"edit": what, "ms": elapsed, "queries": len(queries)})
    return results


# --------------------------------------------------------------------------------------
# Pages: queries per request and uncached time, in-process


def pages() -> list[tuple[str, str, str]]:
    """(name, role, path) of every page whose cost must not grow with the site."""
    return [
        ("home", "anonymous", "/"),
        ("card list", "anonymous", "/cards/"),
        (f"search '{COMMON_WORD}' (common)", "anonymous", f"/cards/?q={COMMON_WORD}"),
        (f"search '{RARE_WORD}' (rare)", "anonymous", f"/cards/?q={RARE_WORD}"),
        ("filter licence", "anonymous", "/cards/?license=apache-2.0"),
        ("filter task", "anonymous", "/cards/?pipeline_tag=text-generation"),
        ("filter tag", "anonymous", "/cards/?tag=causal-lm"),
        ("filter MOF class", "anonymous", "/cards/?mof=0"),
        ("filter licence type", "anonymous", "/cards/?licence_type=permissive"),
        ("filter flagged", "anonymous", "/cards/?flagged=1"),
        ("search + filters", "anonymous", f"/cards/?q={COMMON_WORD}&license=llama2&flagged=1"),
        ("/wanted/", "anonymous", "/wanted/"),
        ("/changes/", "anonymous", "/changes/"),
        ("/changes/?kind=suggestion", "anonymous", "/changes/?kind=suggestion"),
        ("site feed", "anonymous", "/changes/feed/"),
        ("card feed", "anonymous", f"/cards/{LINEAGE_BASE}/feed/"),
        ("card page", "anonymous", f"/cards/{LINEAGE_BASE}/"),
        ("card page, signed in", "reader", f"/cards/{LINEAGE_BASE}/"),
        ("history", "reader", f"/cards/{LINEAGE_BASE}/history/"),
        ("review queue", "moderator", "/suggestions/"),
        ("review queue, all", "moderator", "/suggestions/?status=all"),
        ("API card list", "anonymous", "/api/v1/cards/"),
        ("API search + filters", "anonymous", f"/api/v1/cards/?q={COMMON_WORD}&license=llama2&flagged=1"),
        ("API card list by slug, page 2", "anonymous", "/api/v1/cards/?sort=slug&cursor=WyJzbHVnIixbImIiXV0"),
        ("API card", "anonymous", f"/api/v1/cards/{LINEAGE_BASE}/"),
        ("API history", "anonymous", f"/api/v1/cards/{LINEAGE_BASE}/history/"),
        ("API versions", "anonymous", f"/api/v1/cards/{LINEAGE_BASE}/versions/"),
        ("API suggestions, all", "anonymous", "/api/v1/suggestions/?status=all"),
        ("API discussions", "anonymous", f"/api/v1/cards/{LINEAGE_BASE}/discussions/"),
    ]


@dataclass
class PageCost:
    queries: int
    ms: float


def page_costs(users: dict[str, str], *, repeat: int = 3) -> dict[str, PageCost]:
    """Queries and median milliseconds of each page rendered afresh (a cache key prefix of its own
    per request, so nothing is served from the cache), through Django's test client in this process."""
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache = caches["default"]
    prefix = cache.key_prefix
    clients = {"anonymous": Client(SERVER_NAME="127.0.0.1")}
    for role in ("reader", "moderator"):
        clients[role] = Client(SERVER_NAME="127.0.0.1")
        clients[role].force_login(get_user_model().objects.get(username=users[role]))
    costs = {}
    try:
        for number, (name, role, path) in enumerate(pages()):
            counts, timings = [], []
            for attempt in range(repeat + 1):  # the first warms process-wide caches, uncounted
                if attempt > 1 and sum(timings) > 10_000:
                    break  # a page this slow is measured once after its warm-up
                cache.key_prefix = f"{prefix}:costs{number}-{attempt}-{time.time_ns()}"
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = clients[role].get(path)
                    elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (path, response.status_code)
                if attempt:
                    counts.append(len(queries))
                    timings.append(elapsed)
            costs[name] = PageCost(queries=max(counts), ms=statistics.median(timings))
    finally:
        cache.key_prefix = prefix
    return costs


# --------------------------------------------------------------------------------------
# Importing many card files


def write_import_files(folder, count: int) -> None:
    seed.write_card_files(folder, count, prefix="import")
