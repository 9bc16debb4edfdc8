"""Slugs a new card may not take, although they are well-formed: each would be read as something else.

- Windows device names (CON, NUL, COM1 ...), with or without an extension: a card exported or
  mirrored as `con.md` or into a folder `nul` cannot be written on Windows.
- Slugs ending like an export (`.md`, `.json`, `.yaml`, `.yml`): `/cards/x.md` is the export of the
  card `x`, so a card named `x.md` would have addresses that read as another card's files.
- Fixed segments of the site's own addresses under /cards/ (`import`, `import-mof`, `new` ...): a card
  with that slug would be hidden behind the page. They are read from the URL configuration, so a page
  added later is reserved without anyone remembering to list it here.

Cards stored before a name was reserved keep it; only new names are checked.
"""

import functools
import re

_DEVICE_NAME = re.compile(r"(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:\..*)?", re.IGNORECASE)
EXPORT_ENDINGS = (".md", ".json", ".yaml", ".yml")
CARDS_PREFIX = "cards/"
# Names reserved whatever the URL configuration says: pages that exist or are planned under /cards/
# and top-level pages whose names would confuse as card slugs.
ALWAYS_RESERVED = frozenset({"import", "import-mof", "new", "suggest", "wanted"})


def reserved_slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a new card, or None when it may."""
    if _DEVICE_NAME.fullmatch(slug):
        device = slug.split(".", 1)[0].upper()
        return (
            f"'{slug}' cannot be a card slug: Windows reserves the name {device} for a device, so the "
            "card could not be saved as a file there; choose another slug."
        )
    if slug.lower().endswith(EXPORT_ENDINGS):
        ending = "." + slug.rsplit(".", 1)[1].lower()
        return (
            f"'{slug}' cannot be a card slug: it ends in {ending}, like the addresses of a card's "
            "exports; choose a slug without it."
        )
    if slug.lower() in site_segments():
        return (
            f"'{slug}' cannot be a card slug: one of the site's own pages has that address; choose another."
        )
    return None


@functools.cache
def site_segments() -> frozenset[str]:
    """Every fixed first segment after /cards/ in the URL configuration, with ALWAYS_RESERVED."""
    from django.urls import URLResolver, get_resolver  # late: the URLconf imports the models

    segments = set(ALWAYS_RESERVED)
    pending = [("", pattern) for pattern in get_resolver().url_patterns]
    while pending:
        prefix, pattern = pending.pop()
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            pending.extend((route, child) for child in pattern.url_patterns)
        elif route.startswith(CARDS_PREFIX):
            segment = route[len(CARDS_PREFIX) :].split("/", 1)[0]
            if segment and "<" not in segment and not segment.startswith(("^", "(")):
                segments.add(segment.lower())
    return frozenset(segments)
