"""A parser-based check that a page holds nothing active: the property the CSP and escaping protect.

Used by the escaping, front-matter and bad-input tests on whole pages built from hostile data.
"""

import re
from html.parser import HTMLParser

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "srcset", "poster", "data", "cite", "background", "xlink:href"}
)
FORBIDDEN_ELEMENTS = frozenset(
    {"style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base", "portal"}
)
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag == "head":
            self.in_head = True
        if tag == "body":
            self.in_head = False
        if tag == "script":
            source = attributes.get("src") or ""
            if not (source.startswith("/static/") or attributes.get("type") == "application/json"):
                self.problems.append(f"inline <script> {attributes}")
        if tag == "meta" and ("http-equiv" in attributes or not self.in_head):
            self.problems.append(f"<meta> {attributes}")
        if tag == "link" and not (
            self.in_head
            and attributes.get("rel") in {"stylesheet", "alternate", "icon"}
            and self._same_site(attributes.get("href") or "")
        ):
            self.problems.append(f"<link> {attributes}")
        if tag == "form" and not self._same_site(attributes.get("action") or ""):
            self.problems.append(f"<form> posting to {attributes.get('action')!r}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            elif name == "style":
                self.problems.append(f"style= on <{tag}>")
            elif name in URL_ATTRIBUTES and value is not None:
                squeezed = re.sub(r"[\x00-\x20\x7f]+", "", value)
                scheme = _SCHEME.match(squeezed)
                if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)

    @staticmethod
    def _same_site(action: str) -> bool:
        return (
            action == "" or action.startswith("/") and not action.startswith("//") or action.startswith("?")
        )


def active_content(page: str) -> list[str]:
    """Everything in `page` that could run script, restyle, frame or post elsewhere; [] when inert."""
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector.problems


def page_text(page: str) -> str:
    """The page's text as a reader sees it (entities decoded), for checking that escaped text is shown."""
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return "".join(collector.text)
