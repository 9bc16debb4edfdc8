"""Cursor pages: each page is one indexed range query after the last row of the page before.

A cursor is opaque to clients (base64 of the ordering's name and the last row's sort key). A row
inserted meanwhile is either before the cursor, so the walk has passed it, or after it, so the walk
will meet it: nothing already seen comes again and nothing is skipped. The sort keys end with a
unique column, so rows that tie on the others still have one order.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Q

from .errors import ApiError

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 1000
_TYPES = {"int": int, "str": str, "float": float, "datetime": datetime}


@dataclass(frozen=True)
class Ordering:
    """A named sort order: (field, descending, type) from the most significant field down."""

    name: str
    keys: tuple[tuple[str, bool, str], ...]

    def order_by(self) -> list[str]:
        return [f"-{field}" if descending else field for field, descending, _type in self.keys]

    def key_of(self, row) -> list:
        values = []
        for field, _descending, kind in self.keys:
            value = getattr(row, field)
            values.append(value.isoformat() if kind == "datetime" else value)
        return values

    def after(self, values: list) -> Q:
        """Rows strictly after the row whose sort key is `values`: beyond it on the first field, or tied
        on the first fields and beyond it on the next."""
        condition = Q()
        for position, (field, descending, _kind) in enumerate(self.keys):
            ties = {tied: value for (tied, _d, _k), value in zip(self.keys, values[:position], strict=False)}
            condition |= Q(**ties, **{f"{field}__{'lt' if descending else 'gt'}": values[position]})
        return condition

    def encode(self, values: list) -> str:
        raw = json.dumps([self.name, values], separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def decode(self, cursor: str) -> list:
        """The sort key in `cursor`; a cursor of another ordering, or garbage, is a 400."""
        try:
            if len(cursor) > MAX_CURSOR_CHARS:
                raise ValueError
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            name, values = json.loads(raw)
            if name != self.name or not isinstance(values, list) or len(values) != len(self.keys):
                raise ValueError
            return [_typed(value, kind) for value, (_f, _d, kind) in zip(values, self.keys, strict=True)]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError) as exc:
            raise ApiError(
                400,
                "invalid_cursor",
                "This cursor is not one this list gave out (or it belongs to another sort order or "
                "filter); start again from the first page.",
                fields={"cursor": ["Not a cursor of this list."]},
            ) from exc


def _typed(value, kind: str):
    if kind == "datetime":
        if not isinstance(value, str):
            raise ValueError
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError
        return float(value)
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63):
        raise ValueError
    if kind == "str" and not isinstance(value, str):
        raise ValueError
    return value


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None


def page_of(queryset, ordering: Ordering, *, cursor: str | None, limit: int) -> Page:
    """Up to `limit` rows of `queryset` in `ordering`, after `cursor`; one query."""
    rows = queryset.order_by(*ordering.order_by())
    if cursor:
        rows = rows.filter(ordering.after(ordering.decode(cursor)))
    found = list(rows[: limit + 1])
    shown = found[:limit]
    more = len(found) > limit
    return Page(shown, ordering.encode(ordering.key_of(shown[-1])) if more and shown else None)


def envelope(request, page: Page, results: list) -> dict:
    """The list body every paged endpoint sends: its rows and where the next page is."""
    following = None
    if page.next_cursor:
        params = {key: value for key, value in request.GET.items() if key != "cursor"}
        params["cursor"] = page.next_cursor
        following = f"{request.path}?{urlencode(params)}"
    return {"results": results, "next_cursor": page.next_cursor, "next": following}
