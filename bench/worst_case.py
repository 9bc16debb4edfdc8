"""`python -m bench.worst_case`: the slowest page the largest accepted input can cause, against 2 s.

Each expensive shape of card text (many paragraphs, many list items, many links, many autolinks, long
lines, a card filed in reverse order, a huge table, a dense ordinary card, and metadata with many
evaluation results) is grown to the largest size the site accepts for it: the largest text the
suggestion form takes, found by asking the same checks the form runs. In a throwaway SQLite database
each shape then gets

- a card whose version 2 is that text, accepted from a suggestion (card, version, diff, blame, history
  and export pages, and the accepted suggestion's page);
- a pending suggestion of that text on an unchanged card, and a stale one on a card changed since;

and every page a visitor can reach with it is requested in-process through Django's test client, by an
anonymous visitor, a signed-in reader and a moderator: first with an empty cache (first view) and then
again (repeat view). Previews, the suggestion form's Preview and Submit, and a moderator accepting the
text are timed the same way. A table of the slowest first view of each page and shape is printed, then
the slowest figure of all against the budget; everything goes to bench-results/worst_case.json.
`WORST_CASE_SHAPES=paragraphs,table` times only the shapes named.

In-process figures leave out the network and the web server but include every middleware. Seconds
depend on what else the machine runs: each figure also records the process's CPU seconds.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results" / "worst_case.json"
BUDGET_SECONDS = 2.0
ROLES = ("anonymous", "signed in", "moderator")


def log(message: str) -> None:
    print(f"[worst case {time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201


# --------------------------------------------------------------------------------------
# The shapes, each grown to the largest text the site accepts


FRONT_MATTER = "license: apache-2.0\npipeline_tag: text-generation\nlanguage:\n- en\n"


def card_text(title: str, body: str, metadata: str = "") -> str:
    return f"---\n{FRONT_MATTER}{metadata}---\n# {title}\n\n{body}"


def _paragraphs(count: int) -> str:
    return "".join(f"Paragraph {number}.\n\n" for number in range(count))


def _list_items(count: int) -> str:
    return "".join(f"- item {number}\n" for number in range(count))


def _grouped(count: int, piece: Callable[[int], str], per_paragraph: int = 10) -> str:
    return "".join(
        piece(number) + ("\n\n" if number % per_paragraph == per_paragraph - 1 else " ")
        for number in range(count)
    )


def _links(count: int) -> str:
    return _grouped(count, lambda number: f"[link {number}](https://example.org/{number})")


def _autolinks(count: int) -> str:
    return _grouped(count, lambda number: f"<https://example.org/{number}>")


def _long_lines(count: int) -> str:
    # As long as a line may be, with some emphasis in it (each mark makes Markdown re-read the line).
    from modelcards.rendering import MAX_LINE_CHARS

    stretch = "word " * 60 + "*emphasis* "
    line = (stretch * (MAX_LINE_CHARS // len(stretch) + 1))[: MAX_LINE_CHARS - 1] + "."
    return (line + "\n\n") * count


def _numbered_lines(count: int) -> list[str]:
    """Short distinct lines in paragraphs of 50: as many lines as the size allows."""
    lines = []
    for number in range(count):
        lines.append(f"{number:05d}\n")
        if number % 50 == 49:
            lines.append("\n")
    return lines


def _forward(count: int) -> str:
    return "".join(_numbered_lines(count))


def _reversed(count: int) -> str:
    return "".join(reversed(_numbered_lines(count)))


def _table(count: int) -> str:
    rows = "".join(f"| row {number} | {number % 97} | {number % 89} | ok |\n" for number in range(count))
    return "| task | score | rank | note |\n|---|---:|---:|---|\n" + rows


def _evaluation_results(count: int) -> str:
    """`count` self-reported evaluation results in the metadata (model-index), as the Hub writes them."""
    results = "".join(
        f"  - task:\n      type: text-generation\n    dataset:\n      type: suite-{number}\n"
        f"      name: Suite {number}\n    metrics:\n    - type: accuracy\n      value: 0.{number % 97 + 1}\n"
        for number in range(count)
    )
    return f"model-index:\n- name: worst-case\n  results:\n{results}"


def _dense(count: int) -> str:
    """An ordinary card's sections (headings, emphasis, code, links, lists), `count` times."""
    return "".join(
        f"## Evaluation run {number}\n\n"
        f"Run {number} used the **held-out** split, the `seed={number}` setting and "
        f"[the log](https://example.org/runs/{number}).\n\n"
        f"- Accuracy: {50 + number % 47}.{number % 10}%\n- Tokens seen: {number * 1_000_003:,}\n\n"
        for number in range(count)
    )


@dataclass(frozen=True)
class Shape:
    """A kind of text that is costly to show; `body(n)` grows with n, `before(n)` is what it replaces."""

    name: str
    label: str
    body: Callable[[int], str]
    before: Callable[[int], str] | None = None  # None: an ordinary small card
    metadata: Callable[[int], str] | None = None  # grows the front matter instead, with `body(1)`

    def text(self, count: int) -> str:
        if self.metadata is not None:
            return card_text(self.label.capitalize(), self.body(1), self.metadata(count))
        return card_text(self.label.capitalize(), self.body(count))

    def before_text(self, count: int) -> str:
        if self.before is None:
            return card_text(self.label.capitalize(), "A small card, before the big change.\n")
        return card_text(self.label.capitalize(), self.before(count))


SHAPES = (
    Shape("paragraphs", "many paragraphs", _paragraphs),
    Shape("list_items", "many list items", _list_items),
    Shape("links", "many links", _links),
    Shape("autolinks", "many autolinks", _autolinks),
    Shape("long_lines", "long lines", _long_lines),
    Shape("reversed", "a card filed in reverse order", _reversed, before=_forward),
    Shape("table", "a huge table", _table),
    Shape("dense", "a dense ordinary card", _dense),
    Shape("metadata", "many evaluation results", _dense, metadata=_evaluation_results),
)


def accepted(text: str) -> bool:
    """Whether a suggestion form takes `text`: the same parse and checks it runs."""
    from modelcards.cardfile import parse_or_problems

    return not parse_or_problems(text)[1]


def largest_accepted(shape: Shape, *, start: int = 64) -> int:
    """The largest count whose text (and, for a reordering, the text it replaces) is accepted."""

    def ok(count: int) -> bool:
        return accepted(shape.text(count)) and (shape.before is None or accepted(shape.before_text(count)))

    if not ok(1):
        raise ValueError(f"even the smallest {shape.label} is refused")
    low, high = 1, start
    while ok(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if ok(middle) else (low, middle)
    return low


# --------------------------------------------------------------------------------------
# Seeding


@dataclass
class Seeded:
    """Where one shape's pages are: its card's slug and its three suggestions' numbers."""

    shape: Shape
    count: int
    bytes: int
    slug: str
    accepted_pk: int
    pending_pk: int
    stale_pk: int
    pending_slug: str


def seed_shape(shape: Shape, users: dict, count: int) -> Seeded:
    from modelcards.cardfile import parse_card
    from modelcards.workflow import accept_suggestion, create_card, submit_suggestion, update_card

    worst, before = shape.text(count), shape.before_text(count)

    def card(slug: str):
        return create_card(
            slug=slug, card_file=parse_card(before), user=None, summary="Worst-case bench card"
        )

    def suggest(target, base_version: int):
        return submit_suggestion(
            card=target,
            text=worst,
            summary=f"The largest accepted text: {shape.label}",
            base_version=base_version,
            author=None,
            author_name="worst-case bench",
        )

    slug = f"wc-{shape.name.replace('_', '-')}"
    main = card(slug)
    accepted_suggestion = suggest(main, 1)
    accept_suggestion(accepted_suggestion, reviewer=users["moderator"])
    pending = suggest(card(f"{slug}-pending"), 1)
    stale_card = card(f"{slug}-stale")
    title = before.index("\n# ") + 3  # a change since the suggestion's base, the same size
    changed = before[:title] + before[title].swapcase() + before[title + 1 :]
    update_card(stale_card, card_file=parse_card(changed), user=None, summary="A change since")
    stale = suggest(stale_card, 1)
    return Seeded(
        shape=shape,
        count=count,
        bytes=len(worst.encode("utf-8")),
        slug=slug,
        accepted_pk=accepted_suggestion.pk,
        pending_pk=pending.pk,
        stale_pk=stale.pk,
        pending_slug=f"{slug}-pending",
    )


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    path: str
    data: dict | None = None


def pages_for(seeded: Seeded) -> list[Page]:
    slug, text = seeded.slug, seeded.shape.text(seeded.count)
    return [
        Page("card", "GET", f"/cards/{slug}/"),
        Page("version", "GET", f"/cards/{slug}/v/2/"),
        Page("version .md", "GET", f"/cards/{slug}/v/2.md"),
        Page("diff", "GET", f"/cards/{slug}/diff/1/2/"),
        Page("diff, unified", "GET", f"/cards/{slug}/diff/1/2/?view=unified"),
        Page("blame", "GET", f"/cards/{slug}/blame/"),
        Page("history", "GET", f"/cards/{slug}/history/"),
        Page("README.md", "GET", f"/cards/{slug}.md"),
        Page("card .json", "GET", f"/cards/{slug}.json"),
        Page("openness.json", "GET", f"/cards/{slug}/openness.json"),
        Page("openness.yaml", "GET", f"/cards/{slug}/openness.yaml"),
        Page("card feed", "GET", f"/cards/{slug}/feed/"),
        Page("suggest form", "GET", f"/cards/{slug}/suggest/"),
        Page("edit form", "GET", f"/cards/{slug}/edit/"),
        Page("suggestion, accepted", "GET", f"/suggestions/{seeded.accepted_pk}/"),
        Page("suggestion, pending", "GET", f"/suggestions/{seeded.pending_pk}/"),
        Page("suggestion, stale", "GET", f"/suggestions/{seeded.stale_pk}/"),
        Page("preview", "POST", "/preview/", {"mode": "raw", "text": text}),
        Page(
            "suggest, submitted",
            "POST",
            f"/cards/{seeded.pending_slug}/suggest/",
            {"mode": "raw", "text": text, "base_version": "1", "summary": "Filed", "author_name": "bench"},
        ),
        Page(
            "suggest, Preview button",
            "POST",
            f"/cards/{seeded.pending_slug}/suggest/",
            {
                "mode": "raw",
                "text": text,
                "base_version": "1",
                "summary": "Previewed",
                "author_name": "worst-case bench",
                "preview": "1",
            },
        ),
    ]


# --------------------------------------------------------------------------------------
# Timing


@dataclass
class Timing:
    status: int
    seconds: float
    cpu_seconds: float
    bytes: int

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "seconds": round(self.seconds, 4),
            "cpu_seconds": round(self.cpu_seconds, 4),
            "bytes": self.bytes,
        }


def request(client, page: Page) -> Timing:
    started, cpu_started = time.perf_counter(), time.process_time()
    if page.method == "POST":
        response = client.post(page.path, page.data)
    else:
        response = client.get(page.path)
    content = b"".join(response) if response.streaming else response.content
    return Timing(
        response.status_code, time.perf_counter() - started, time.process_time() - cpu_started, len(content)
    )


def clients(users: dict) -> dict:
    from django.test import Client

    made = {"anonymous": Client()}
    for role, user in (("signed in", users["reader"]), ("moderator", users["moderator"])):
        made[role] = Client()
        made[role].force_login(user)
    return made


def warm_up(by_role: dict, users: dict) -> None:
    """Every page once on an ordinary card, so templates are compiled before anything is timed."""
    from modelcards.cardfile import parse_card
    from modelcards.workflow import accept_suggestion, create_card, submit_suggestion

    small = Shape("warm", "warm-up", lambda count: "An ordinary paragraph.\n\n" * count)
    card = create_card(slug="wc-warm", card_file=parse_card(small.before_text(1)), user=None, summary="Warm")
    accepted_suggestion = submit_suggestion(
        card=card, text=small.text(3), summary="Warm", base_version=1, author=None, author_name="bench"
    )
    accept_suggestion(accepted_suggestion, reviewer=users["moderator"])
    seeded = Seeded(small, 3, 0, "wc-warm", accepted_suggestion.pk, accepted_suggestion.pk, 0, "wc-warm")
    for client in by_role.values():
        for page in pages_for(seeded):
            if "stale" not in page.name:
                request(client, page)


def measure(seeded: Seeded, by_role: dict) -> list[dict]:
    from django.core.cache import cache

    rows = []
    for page in pages_for(seeded):
        for role, client in by_role.items():
            cache.clear()  # nothing rendered, diffed or kept from an earlier page: a true first view
            first = request(client, page)
            repeat = request(client, page)
            rows.append(
                {
                    "shape": seeded.shape.name,
                    "page": page.name,
                    "path": page.path,
                    "role": role,
                    "first": first.as_dict(),
                    "repeat": repeat.as_dict(),
                }
            )
    rows.append(accept_row(seeded, by_role["moderator"]))
    return rows


def accept_row(seeded: Seeded, client) -> dict:
    """A moderator accepting the text as suggested, twice (each on a card of its own)."""
    from django.core.cache import cache

    from modelcards.cardfile import parse_card
    from modelcards.workflow import create_card, submit_suggestion, text_fingerprint

    shape, timings = seeded.shape, []
    for number in (1, 2):
        slug = f"{seeded.slug}-accept-{number}"
        before = parse_card(shape.before_text(seeded.count))
        card = create_card(slug=slug, card_file=before, user=None, summary="Worst-case bench card")
        text = shape.text(seeded.count)
        suggestion = submit_suggestion(
            card=card, text=text, summary="To accept", base_version=1, author=None, author_name="bench"
        )
        fields = {"note": "", "seen_fingerprint": text_fingerprint(text), "seen_version": 1}
        if number == 1:
            cache.clear()
        timings.append(
            request(client, Page("accept", "POST", f"/suggestions/{suggestion.pk}/accept/", fields))
        )
    first, repeat = timings
    return {
        "shape": shape.name,
        "page": "accept (POST)",
        "path": "/suggestions/<pk>/accept/",
        "role": "moderator",
        "first": first.as_dict(),
        "repeat": repeat.as_dict(),
    }


# --------------------------------------------------------------------------------------
# Report


def print_report(report: dict) -> None:
    out = sys.stdout
    setup = report["setup"]
    out.write(
        f"\nWorst-case pages: {setup['database']}, local-memory cache, page cache on, in-process, "
        f"{setup['cpus']} CPUs, load average {setup['load_before']:.1f} before and {setup['load_after']:.1f} "
        "after.\nThe slowest first view of each page over the three roles: seconds / CPU seconds\n\n"
    )
    shapes = [shape["name"] for shape in report["shapes"]]
    width = max(12, *(len(name) + 2 for name in shapes))
    out.write(f"{'':<24}" + "".join(f"{name:>{width}}" for name in shapes) + "\n")
    counts = "".join(f"{shape['count']:>{width},}" for shape in report["shapes"])
    sizes = "".join(f"{shape['bytes'] / 1024:>{width}.0f}" for shape in report["shapes"])
    out.write(f"{'pieces':<24}{counts}\n{'size (KB)':<24}{sizes}\n")
    rows = report["rows"]
    for page in dict.fromkeys(row["page"] for row in rows):
        cells = []
        for shape in shapes:
            mine = [row for row in rows if row["page"] == page and row["shape"] == shape]
            worst = max(mine, key=lambda row: row["first"]["seconds"])["first"]
            mark = "!" if worst["status"] >= 500 else " "
            cells.append(f"{worst['seconds']:.2f}/{worst['cpu_seconds']:.2f}{mark}".rjust(width))
        out.write(f"{page:<24}" + "".join(cells) + "\n")
    slowest, busiest, repeat = report["slowest"], report["slowest_cpu"], report["slowest_repeat"]
    met = "met" if slowest["first"]["seconds"] < BUDGET_SECONDS else "MISSED"

    def where(row: dict) -> str:
        return f"{row['page']} of {row['shape']} as {row['role']}"

    first = slowest["first"]
    out.write(
        f"\nslowest first view: {first['seconds']:.2f} s ({first['cpu_seconds']:.2f} s CPU), "
        f"{where(slowest)}; budget {BUDGET_SECONDS:g} s: {met}\n"
        f"most CPU for a first view: {busiest['first']['cpu_seconds']:.2f} s, {where(busiest)}\n"
        f"slowest repeat view: {repeat['repeat']['seconds']:.2f} s, {where(repeat)}\n"
    )
    errors = [row for row in rows if row["first"]["status"] >= 500 or row["repeat"]["status"] >= 500]
    if errors:
        out.write(f"{len(errors)} requests failed with a server error (marked !)\n")
    out.write(f"written to {RESULTS.relative_to(ROOT)} in {report['seconds']:.0f} s\n")


def configure(folder: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(40),
        DEBUG="0",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=f"sqlite:///{folder / 'worst_case.sqlite3'}",
        STATIC_ROOT=str(folder / "static"),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="ERROR",
        # One process: the local-memory cache is shared by every request, so the page cache is safe.
        PAGE_CACHE="1",
        # Every preview and suggestion comes from one address; the limits themselves are tested, not benched.
        RATE_LIMIT_PREVIEW="1000000000/m",
        RATE_LIMIT_SUGGEST="1000000000/m",
        RATE_LIMIT_SUGGEST_PER_ADDRESS="1000000000/m",
    )
    for name in ("REDIS_URL", "DATABASE_REPLICA_URLS", "CACHE_KEY_PREFIX"):
        os.environ.pop(name, None)


def main() -> int:
    started, load_before = time.monotonic(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mcc-worst-") as folder:
        configure(Path(folder))
        import django

        django.setup()
        from django.core.management import call_command

        from bench import seed

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        seed.make_users(password=secrets.token_urlsafe(12))
        from django.contrib.auth import get_user_model

        users = {
            role: get_user_model().objects.get(username=name)
            for role, name in (("moderator", "bench-moderator"), ("reader", "bench-reader"))
        }
        by_role = clients(users)
        warm_up(by_role, users)
        shapes, rows = [], []
        chosen = os.environ.get("WORST_CASE_SHAPES", "")
        for shape in [shape for shape in SHAPES if not chosen or shape.name in chosen.split(",")]:
            count = largest_accepted(shape)
            seeded = seed_shape(shape, users, count)
            log(f"{shape.label}: {count:,} pieces, {seeded.bytes / 1024:,.0f} KB; timing every page")
            shapes.append({"name": shape.name, "label": shape.label, "count": count, "bytes": seeded.bytes})
            rows.extend(measure(seeded, by_role))
        from django.db import connection

        report = {
            "setup": {
                "database": connection.vendor,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "budget_seconds": BUDGET_SECONDS,
                "load_before": load_before,
                "load_after": os.getloadavg()[0],
            },
            "shapes": shapes,
            "rows": rows,
            "slowest": max(rows, key=lambda row: row["first"]["seconds"]),
            "slowest_cpu": max(rows, key=lambda row: row["first"]["cpu_seconds"]),
            "slowest_repeat": max(rows, key=lambda row: row["repeat"]["seconds"]),
        }
        report["seconds"] = time.monotonic() - started
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
