"""rendering.py tested like a sanitiser: hostile payloads, surviving markup, section links, limits, cache."""

import pickle
import re
import time
from html.parser import HTMLParser

import bleach
import hypothesis
import markdown
import pytest
from bleach._vendor import html5lib  # the browser-grade parser bleach itself uses; not installed apart
from django.core.cache import cache
from django.utils.safestring import SafeString
from hypothesis import strategies as st

from modelcards import rendering
from modelcards.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    MarkdownRefused,
    RenderedMarkdown,
    TocEntry,
    check_renderable,
    render_markdown,
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


# --- The checker: parse the output like a browser and walk every element and attribute ------------

NEVER_ALLOWED = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "param", "form",
        "input", "button", "select", "textarea", "svg", "math", "meta", "base", "link", "template",
        "noscript", "noembed", "noframes", "xmp", "plaintext", "title", "video", "audio", "source",
        "animate", "set", "use", "foreignobject", "marquee", "isindex", "body", "html", "head",
    }
)  # fmt: skip
URL_ATTRIBUTE_NAMES = frozenset(
    {
        "href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset", "data",
        "cite", "codebase", "longdesc", "dynsrc", "lowsrc", "ping", "manifest", "icon", "usemap",
        "profile", "classid", "archive", "xml:base", "itemtype", "to", "from", "values",
    }
)  # fmt: skip
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
SECTION_LINK_ATTRIBUTES = frozenset({"class", "href", "aria-label"})


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in a parsed (entity-decoded) value, spaces and controls dropped."""
    squeezed = re.sub(r"[\x00-\x20\x7f-\x9f\u00a0\u2028\u2029]", "", value)
    found = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", squeezed)
    return found.group(1).lower() if found else None


def elements_of(output: str):
    """(tag, {attribute: value}) for every element, as html5lib builds the tree a browser would."""
    root = html5lib.parseFragment(output, treebuilder="etree", namespaceHTMLElements=False)
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        yield (
            element.tag.split("}")[-1].lower(),
            {name.split("}")[-1].lower(): v for name, v in element.items()},
        )


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def start_tags_by_stdlib(output: str):
    parser = _StartTags()
    parser.feed(output)
    parser.close()
    return parser.found


def problems_in(output: str) -> list[str]:
    """Everything about the output that breaks the sanitiser's promises, read by two parsers."""
    problems = []
    if re.search(r"<!--|<!\[CDATA\[|<\?", output):
        problems.append("a comment, CDATA section or processing instruction survived")
    for tag, attributes in [*elements_of(output), *start_tags_by_stdlib(output)]:
        if tag not in ALLOWED_TAGS or tag in NEVER_ALLOWED:
            problems.append(f"<{tag}> is not allowed")
        section_link = tag == "a" and attributes.get("class") == "section-edit"
        allowed = SECTION_LINK_ATTRIBUTES if section_link else ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name, value in attributes.items():
            if name not in allowed and not (tag == "a" and name == "rel"):
                problems.append(f"<{tag} {name}> is not allowed")
            if name.startswith("on") or name in ("style", "srcdoc", "formaction", "xmlns", "name"):
                problems.append(f"<{tag} {name}> must never appear")
            if name in URL_ATTRIBUTE_NAMES and url_scheme(value) not in (None, *SAFE_SCHEMES):
                problems.append(f"<{tag} {name}={value!r}> has an unsafe scheme")
            if name == "id" and not re.match(r"(h-|fn:|fnref[0-9]*:)", value):
                problems.append(f"<{tag} id={value!r}> could clobber a DOM global")
            if name == "class" and not section_link and value.startswith("section-edit"):
                problems.append("a forged section link")
    return problems


def test_the_checker_catches_what_it_is_meant_to_catch():
    assert problems_in('<a href="https://example.org" rel="nofollow">ok</a><p>fine</p>') == []
    for bad in (
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="&#106avascript:alert(1)">x</a>',
        '<img src="x" onerror="alert(1)">',
        "<script>alert(1)</script>",
        '<p style="color:red">x</p>',
        '<h2 id="cookie">x</h2>',
        "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
        "<!-- hidden -->",
    ):
        assert problems_in(bad), bad


# --- (a) Hostile payloads -------------------------------------------------------------------------

HOSTILE = [
    # javascript:, vbscript: and data: in inline Markdown links, in every disguise
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](&#106avascript:alert(1))",
    "[x](&#x6a&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3a;alert(1))",
    "[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#58alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](java&#x0D;script:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java\x00script:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x](<javascript:alert(1)>)",
    '[x](javascript:alert(1) "a title")',
    "[x](javascript://example.org/%0Aalert(1))",
    "[x](java\u00adscript:alert(1))",
    # reference-style links and images
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    '[x][evil]\n\n[evil]: JavaScript:alert(1) "title"',
    "[evil]\n\n[evil]: vbscript:msgbox(1)",
    "[x][evil]\n\n[evil]: &#106;avascript:alert(1)",
    "[x][evil]\n\n[evil]: <data:text/html,alert(1)>",
    "![x][img]\n\n[img]: javascript:alert(1)",
    # images
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](https://example.org/a.png "\\" onerror=\\"alert(1))',
    '![x](https://example.org/a.png"onerror="alert(1))',
    # autolinks
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,alert(1)>",
    "<javascript:alert(1)@example.org>",
    '<https://example.org/"onmouseover="alert(1)>',
    # breaking out of attributes through Markdown
    '[x](https://example.org "\\" onmouseover=\\"alert(1)")',
    "[x](https://example.org'onmouseover='alert(1))",
    '[<img src=x onerror="alert(1)">](https://example.org)',
    "*<img src=x onerror=alert(1)>*",
    "## <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    '[^a"><img src=x onerror=alert(1)>]\n\n[^a"><img src=x onerror=alert(1)>]: note',
    # raw HTML with event handlers and broken quoting
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<img/src="x"/onerror=alert(1)>',
    "<img src=x onerror\t=alert(1)>",
    '<img """><script>alert(1)</script>">',
    '<img src="https://example.org/a.png" alt="&quot; onerror=&quot;alert(1)">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">x</div>',
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<frameset onload=alert(1)>",
    '<a title="x" href="https://example.org" title="y" onclick=alert(1)>x</a>',
    # entity-encoded and whitespace-split URLs in raw HTML (OWASP filter evasion)
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
    "&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="javascript&#58alert(1)">x</a>',
    '<a href="&#0000106avascript:alert(1)">x</a>',
    '<a href="javas&Tab;cript:alert(1)">x</a>',
    '<a href="javas&NewLine;cript:alert(1)">x</a>',
    '<a href="&#1;javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="  JaVaScRiPt:alert(1)">x</a>',
    "<a href=javascript:alert(1)>x</a>",
    "<a href='javascript:alert(1)'>x</a>",
    '<a href="https://example.org" srcdoc="<script>alert(1)</script>">x</a>',
    '<a href="https://example.org" formaction="javascript:alert(1)">x</a>',
    '<a xlink:href="javascript:alert(1)">x</a>',
    '<a href="https://example.org" ping="https://tracker.example">x</a>',
    # style tags and style attributes
    "<style>@import 'javascript:alert(1)';</style>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<a href="https://example.org" style="position:fixed;top:0;left:0;width:100%;height:100%">x</a>',
    # script in every shape
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/.j></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<script/xss src="https://xss.example/x.js"></script>',
    "<<script>alert(1);//<</script>",
    # embedding, forms and document-level elements
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"><param name="x" value="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<input type=image src=x formaction=javascript:alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<table background="javascript:alert(1)"><tr><td background="javascript:alert(1)">x</td></tr></table>',
    '<blockquote cite="javascript:alert(1)">x</blockquote>',
    "<video poster=javascript:alert(1)></video>",
    '<img srcset="javascript:alert(1) 1x">',
    '<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">',
    # SVG and MathML
    "<svg onload=alert(1)>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate attributeName=href to=javascript:alert(1) /></svg>",
    '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCc+PC9zdmc+#x"/></svg>',
    '<math href="javascript:alert(1)">x</math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><style><img src=x onerror=alert(1)></style></math>",
    # mutation XSS through elements a browser parses as raw text
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>',
    '<noframes><img title="</noframes><img src onerror=alert(1)>"></noframes>',
    '<iframe><img title="</iframe><img src onerror=alert(1)>"></iframe>',
    '<xmp><img title="</xmp><img src onerror=alert(1)>"></xmp>',
    '<textarea><img title="</textarea><img src onerror=alert(1)>"></textarea>',
    "<title><img src=x onerror=alert(1)></title>",
    "<template><img src=x onerror=alert(1)></template>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<select><style></select><img src=x onerror=alert(1)>",
    "<table><td><style><img src=x onerror=alert(1)>",
    # comments, CDATA, processing instructions
    "<!--<img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '<?xml version="1.0"?><img src=x onerror=alert(1)>',
    "<div><!--</div><img src=x onerror=alert(1)>-->",
    # DOM clobbering and forged ids, classes and section links
    '<img name="cookie" src="https://example.org/a.png">',
    '<form name="location"><input name="href"></form>',
    '<a id="__proto__" href="#">x</a>',
    '<h2 id="location">x</h2>',
    '<div id="defaultView">x</div>',
    '<li id="cookie">x</li>',
    '<a class="section-edit" href="suggest/?section=1">forged</a>',
    '<h2 data-mcc-section="0-1">forged</h2>',
    '<a href="https://example.org" rel="opener" target="_blank">x</a>',
]


def test_there_are_at_least_ninety_distinct_hostile_payloads():
    assert len(set(HOSTILE)) == len(HOSTILE) >= 90


@pytest.mark.parametrize("payload", HOSTILE)
@pytest.mark.parametrize("section_links", [False, True], ids=["plain", "section-links"])
def test_hostile_payload_is_neutralised(payload, section_links):
    for text in (payload, f"## Heading\n\n{payload}\n\nafter", f"- item {payload}\n\n> {payload}"):
        output = render_markdown(text, section_links=section_links).html
        assert problems_in(output) == [], (text, output)


# --- (b) Legitimate markup that must survive ---------------------------------------------------------

LEGITIMATE = [
    pytest.param(
        "| Metric | Score |\n|:-------|------:|\n| accuracy | 0.91 |\n",
        [("table", {}), ("th", {"align": "left"}), ("td", {"align": "right"})],
        ["accuracy", "0.91"],
        id="table",
    ),
    pytest.param(
        "```python\nprint('<b>hi</b>')\n```\n",
        [("pre", {}), ("code", {"class": "language-python"})],
        ["print('<b>hi</b>')"],
        id="fenced-code-with-language",
    ),
    pytest.param(
        "Use `<script>alert(1)</script>` carefully.",
        [("code", {})],
        ["<script>alert(1)</script>"],
        id="inline-code",
    ),
    pytest.param(
        "Claim.[^1]\n\n[^1]: The source.\n",
        [
            ("sup", {"id": "fnref:1"}),
            ("a", {"href": "#fn:1", "class": "footnote-ref"}),
            ("li", {"id": "fn:1"}),
            ("a", {"href": "#fnref:1", "class": "footnote-backref"}),
        ],
        ["The source."],
        id="footnotes",
    ),
    pytest.param(
        "# Model card\n\n## Intended use\n\n### Out of scope\n",
        [("h1", {"id": "h-model-card"}), ("h2", {"id": "h-intended-use"}), ("h3", {"id": "h-out-of-scope"})],
        ["Intended use"],
        id="headings",
    ),
    pytest.param(
        '![Logo](https://example.org/logo.png "The logo")',
        [("img", {"src": "https://example.org/logo.png", "alt": "Logo", "title": "The logo"})],
        [],
        id="https-image",
    ),
    pytest.param(
        '<p align="center"><img src="https://example.org/logo.png" width="200" alt="Logo"></p>',
        [("p", {"align": "center"}), ("img", {"src": "https://example.org/logo.png", "width": "200"})],
        [],
        id="centred-html-image",
    ),
    pytest.param(
        "- one\n    - one point one\n        - deeper\n- two\n",
        [("ul", {}), ("li", {})],
        ["one point one", "deeper"],
        id="nested-lists",
    ),
    pytest.param("3. third\n4. fourth\n", [("ol", {"start": "3"})], ["fourth"], id="ordered-list-start"),
    pytest.param("> Quoted\n>\n> > nested quote\n", [("blockquote", {})], ["nested quote"], id="blockquotes"),
    pytest.param(
        "<details><summary>Training data</summary>\nThe details.\n</details>\n",
        [("details", {}), ("summary", {})],
        ["Training data", "The details."],
        id="details-summary",
    ),
    pytest.param(
        "[Write to us](mailto:team@example.org) or <team@example.org>",
        [("a", {"href": "mailto:team@example.org"})],
        ["Write to us"],
        id="mailto",
    ),
    pytest.param(
        "[card](/cards/other/) [up](../x) [top](#h-top) [query](?page=2)",
        [("a", {"href": "/cards/other/"}), ("a", {"href": "../x"}), ("a", {"href": "#h-top"})],
        ["card"],
        id="relative-links",
    ),
    pytest.param(
        "<https://example.org/paper> and [paper](https://example.org/p?a=1&b=2)",
        [("a", {"href": "https://example.org/paper"}), ("a", {"href": "https://example.org/p?a=1&b=2"})],
        [],
        id="autolink-and-query",
    ),
    pytest.param(
        "*emphasis*, **strong**, ***both***, H<sub>2</sub>O, x<sup>2</sup>, <kbd>Ctrl</kbd>, <del>old</del>",
        [("em", {}), ("strong", {}), ("sub", {}), ("sup", {}), ("kbd", {}), ("del", {})],
        ["emphasis", "strong", "Ctrl"],
        id="emphasis-and-inline-html",
    ),
    pytest.param(
        '<table><tr><th colspan="2">Scores</th></tr><tr><td>a</td><td>1</td></tr></table>',
        [("table", {}), ("th", {"colspan": "2"})],
        ["Scores"],
        id="html-table",
    ),
    pytest.param(
        "Above\n\n---\n\nBelow  \nnext line", [("hr", {}), ("br", {})], ["Below"], id="rule-and-break"
    ),
    pytest.param("Fish &amp; chips &lt;3 — 5 > 4", [("p", {})], ["Fish & chips <3 — 5 > 4"], id="entities"),
    pytest.param("Ünïcödé and 漢字 🙂", [("p", {})], ["Ünïcödé and 漢字 🙂"], id="unicode"),
]


def text_of(output: str) -> str:
    root = html5lib.parseFragment(output, treebuilder="etree", namespaceHTMLElements=False)
    return "".join(root.itertext())


@pytest.mark.parametrize(("source", "expected_elements", "expected_texts"), LEGITIMATE)
def test_legitimate_markup_survives(source, expected_elements, expected_texts):
    output = render_markdown(source).html
    assert problems_in(output) == []
    found = list(elements_of(output))
    for tag, attributes in expected_elements:
        assert any(
            found_tag == tag and attributes.items() <= found_attributes.items()
            for found_tag, found_attributes in found
        ), (tag, attributes, output)
    for text in expected_texts:
        assert text in text_of(output), (text, output)


def test_footnote_reference_and_note_link_to_each_other():
    elements = list(elements_of(render_markdown("Claim.[^why]\n\n[^why]: Because.\n").html))
    ids = {attributes["id"] for _tag, attributes in elements if "id" in attributes}
    targets = {
        attributes["href"][1:] for tag, attributes in elements if attributes.get("href", "").startswith("#")
    }
    assert targets == {"fn:why", "fnref:why"}
    assert targets <= ids


def test_headings_get_prefixed_unique_ids_and_a_table_of_contents():
    rendered = render_markdown(
        "# Card\n\n## Uses\n\n### Direct *use*\n\n#### Too deep for the toc\n\n"
        "## Uses\n\n## cookie\n\n## \\_\\_proto\\_\\_\n"
    )
    assert rendered.toc == (
        TocEntry(1, "h-card", "Card"),
        TocEntry(2, "h-uses", "Uses"),
        TocEntry(3, "h-direct-use", "Direct use"),
        TocEntry(2, "h-uses_1", "Uses"),
        TocEntry(2, "h-cookie", "cookie"),
        TocEntry(2, "h-__proto__", "__proto__"),
    )
    heading_ids = [attributes.get("id") for tag, attributes in elements_of(rendered.html) if tag[0] == "h"]
    assert heading_ids == [
        "h-card",
        "h-uses",
        "h-direct-use",
        "h-too-deep-for-the-toc",
        "h-uses_1",
        "h-cookie",
        "h-__proto__",
    ]


def test_toc_titles_are_plain_text_for_the_template_to_escape():
    rendered = render_markdown("## Fish &amp; <b>chips</b> `<code>`\n")
    assert rendered.toc == (TocEntry(2, "h-fish-chips-code", "Fish & chips <code>"),)


def test_output_is_a_safe_string_and_empty_text_renders_empty():
    rendered = render_markdown("")
    assert isinstance(rendered.html, SafeString)
    assert rendered == RenderedMarkdown(html=SafeString(""), toc=())


def test_allowlists_are_immutable_and_leave_out_the_dangerous():
    assert isinstance(ALLOWED_TAGS, frozenset)
    assert all(isinstance(names, frozenset) for names in ALLOWED_ATTRIBUTES.values())
    with pytest.raises(TypeError):
        ALLOWED_ATTRIBUTES["a"] = frozenset({"onclick"})  # type: ignore[index]
    assert not ALLOWED_TAGS & NEVER_ALLOWED
    every_attribute = frozenset().union(*ALLOWED_ATTRIBUTES.values())
    assert not {name for name in every_attribute if name.startswith("on")}
    assert not every_attribute & {"style", "name", "srcdoc", "formaction", "target", "rel"}
    assert rendering.ALLOWED_PROTOCOLS == SAFE_SCHEMES


# --- (c) Section links ------------------------------------------------------------------------------

SECTIONED = """# Card

## First

Setext second
-------------

### Not a section

```
## Not a section: fenced
```

    ## Not a section: indented code

<h2>Not a section: raw HTML</h2>

<div>
## Not a section: inside an HTML block
</div>

> ## Third, inside a quote

## Fourth &amp; <i>last</i> "quoted"
"""


def section_links_of(output: str) -> list[dict[str, str]]:
    return [
        attributes for tag, attributes in elements_of(output) if attributes.get("class") == "section-edit"
    ]


def test_each_markdown_h2_gets_a_numbered_edit_link_in_document_order():
    output = render_markdown(SECTIONED, section_links=True).html
    assert section_links_of(output) == [
        {
            "class": "section-edit",
            "href": f"suggest/?section={number}",
            "aria-label": f"Suggest an edit to the section {title}",
        }
        for number, title in enumerate(
            ["First", "Setext second", "Third, inside a quote", 'Fourth & last "quoted"'], 1
        )
    ]
    assert problems_in(output) == []


def test_the_edit_link_sits_at_the_end_of_its_heading_and_escapes_the_title():
    output = render_markdown('## A <b>"bold"</b> & brave one\n\ntext', section_links=True).html
    assert output.startswith(
        '<h2 id="h-a-bold-brave-one">A <b>"bold"</b> &amp; brave one <a class="section-edit" '
    )
    assert (
        'aria-label="Suggest an edit to the section A &quot;bold&quot; &amp; brave one">'
        "suggest an edit</a></h2>" in output
    )


def test_section_links_are_off_by_default_and_leave_no_marker():
    for output in (render_markdown(SECTIONED).html, render_markdown(SECTIONED, section_links=True).html):
        assert "data-mcc" not in output
        assert rendering.SECTION_MARKER_ATTRIBUTE not in output
    assert section_links_of(render_markdown(SECTIONED).html) == []


def test_section_markers_and_links_cannot_be_forged():
    forged = "\n\n".join(
        [
            "## Real",
            f'<h2 {rendering.SECTION_MARKER_ATTRIBUTE}="{"0" * 32}-7">fake</h2>',
            f'<h2 {rendering.SECTION_MARKER_ATTRIBUTE}="x-1">fake</h2>',
            '<a class="section-edit" href="suggest/?section=9" aria-label="x">forged</a>',
            '<p><a class="section-edit" href="https://evil.example/">forged</a></p>',
            "## Also real",
        ]
    )
    output = render_markdown(forged, section_links=True).html
    assert [link["href"] for link in section_links_of(output)] == ["suggest/?section=1", "suggest/?section=2"]
    assert rendering.SECTION_MARKER_ATTRIBUTE not in output


def test_raw_html_that_reshapes_headings_still_gets_each_link_once_at_its_headings_end():
    text = (
        "## One\n\n## Two <b><h2>raw</h2></b> tail\n\n## Three <h3>x</h3>\n\n"
        "## Four <table><tr><td>cell\n\n## Five\n"
    )
    output = render_markdown(text, section_links=True).html
    assert sorted(link["href"] for link in section_links_of(output)) == [
        f"suggest/?section={n}" for n in range(1, 6)
    ]
    assert '</b> tail <a class="section-edit" href="suggest/?section=2"' in output
    assert problems_in(output) == []


# --- (d) rel on every link --------------------------------------------------------------------------


def test_every_user_link_gets_rel_nofollow_ugc_noopener():
    text = (
        "[a](https://example.org) <https://example.org/b> [c][ref] <x@example.org> [^1] "
        '<a href="https://example.org/d" rel="opener">d</a> <a>no href</a>\n\n'
        "[ref]: https://example.org/c\n[^1]: note\n\n## Section"
    )
    links = [
        attrs for tag, attrs in elements_of(render_markdown(text, section_links=True).html) if tag == "a"
    ]
    user_links = [attrs for attrs in links if attrs.get("class") != "section-edit"]
    assert len(user_links) == 8
    assert all(attrs["rel"] == LINK_REL == "nofollow ugc noopener" for attrs in user_links)


# --- (e) Caching ------------------------------------------------------------------------------------


@pytest.fixture
def convert_calls(monkeypatch):
    calls = []
    original = markdown.Markdown.convert

    def spy(self, source):
        calls.append(source)
        return original(self, source)

    monkeypatch.setattr(markdown.Markdown, "convert", spy)
    return calls


def test_rendering_unchanged_text_again_does_not_run_markdown(convert_calls):
    first = render_markdown("## Cached\n\nbody", section_links=True)
    second = render_markdown("## Cached\n\nbody", section_links=True)
    assert second == first
    assert len(convert_calls) == 1


def test_cache_key_covers_text_options_and_renderer_version(convert_calls, monkeypatch):
    render_markdown("## A")
    render_markdown("## A", section_links=True)
    render_markdown("## B")
    assert len(convert_calls) == 3
    monkeypatch.setattr(rendering, "RENDERER_VERSION", rendering.RENDERER_VERSION + "-next")
    render_markdown("## A")
    assert len(convert_calls) == 4


def test_rendered_markdown_survives_pickling_as_safe_html():
    rendered = render_markdown("# T\n\n[x](https://example.org)")
    again = pickle.loads(pickle.dumps(rendered))  # noqa: S301 - our own object
    assert again == rendered
    assert isinstance(again.html, SafeString)


def test_a_broken_cache_does_not_break_rendering(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(rendering.cache, "get", broken)
    monkeypatch.setattr(rendering.cache, "set", broken)
    assert "<em>fine</em>" in render_markdown("*fine*").html


# --- (f) Pathological input: fast, or refused; never another exception ------------------------------

KB = 1024
PATHOLOGICAL = {
    "quotes nested 5000 deep": ">" * 5000 + " x",
    "spaced quotes nested 3000 deep": "> " * 3000 + "x",
    "list markers nested 2000 deep on one line": "- " * 2000 + "x",
    "ordered list markers nested 2000 deep": "1. " * 2000 + "x",
    "lists indented 300 levels": "\n".join("    " * level + "- x" for level in range(300)),
    "quotes and lists alternating": "> - " * 500 + "x",
    "unclosed brackets": "\n".join(["[" * 5000] * 20),
    "unclosed brackets on separate lines": "[\n" * 100_000,
    "nested balanced brackets": "[" * 10_000 + "]" * 10_000,
    "unclosed link destinations": "\n".join(["[a](" * 2000] * 10),
    "unclosed image and footnote brackets": "\n".join(["![" * 2000 + "[^" * 2000] * 10),
    "unclosed angle brackets": "\n".join(["<" * 10_000] * 20),
    "unclosed start tags": "\n".join(["<a " * 3000] * 20),
    "unclosed tags in paragraphs": "\n\n".join(["x <a b" * 500] * 40),
    "unclosed CDATA sections": "\n".join(["<![CDATA[" * 1000] * 20),
    "unclosed div tags": "\n".join(["<div>" * 200] * 100),
    "unclosed div blocks": "<div>\n\n" * 5000,
    "unclosed div tags on lines": "<div>\n" * 20_000,
    "unclosed formatting tags": "\n".join(["<b>" * 3000] * 20),
    "scope-dodging tags": "\n".join(["<div><object></div></object>" * 300] * 20),
    "one enormous line of 1 MB": "a" * (1024 * KB),
    "one 400 KB line": "word " * (80 * KB),
    "a huge table": "| a | b |\n|---|---|\n" + "| x | y |\n" * 40_000,
    "a wide table with many short rows": "|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n" + "|\n" * 50_000,
    "thousands of headings in one block": "## h\n" * 50_000,
    "thousands of separate headings": "## h\n\n" * 20_000,
    "thousands of setext headings": "a\n-\n" * 40_000,
    "thousands of rules": "---\n" * 50_000,
    "thousands of fences": "```\n" * 40_000,
    "fences never closed": "".join("`" * (3 + n) + "\n" + "code line\n" * 20 for n in range(200)),
    "a long list": "- item\n" * 60_000,
    "dense emphasis in one paragraph": "\n".join(["*a* _b_ `c` " * 800] * 40),
    "dense emphasis in long lines": "\n\n".join(["**" + "a*" * 9000] * 20),
    "emphasis markers alone": "\n\n".join(["*_" * 9000] * 20),
    "dense entities": "\n".join(["&amp;" * 3000] * 30),
    "dense backslashes": "\n".join(["\\" * 15_000] * 30),
    "many footnotes": "\n".join(f"[^{n}]: note {n}" for n in range(20_000)) + "\n\n" + "[^1] " * 3000,
    "control characters": "\n".join(["\x00\x01\x02\x03\x1b" * 2000] * 40),
    "lone surrogates": "\ud800\udfff" * 1000,
    "many unclosed comments": "<!--\n" * 50_000,
    "unclosed processing instructions": "\n".join(["<? " * 3000] * 20),
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_text_renders_fast_or_is_refused(text):
    started = time.perf_counter()
    try:
        rendered = render_markdown(text, section_links=True)
    except MarkdownRefused as refusal:
        assert str(refusal)
        assert time.perf_counter() - started < 1.0
    else:
        assert time.perf_counter() - started < 1.0
        assert problems_in(rendered.html) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("> " * 150 + "x", "The text nests lists or quotes 150 levels deep (line 1); the limit is 50."),
        ("x\n" + "    " * 60 + "- deep", "nests lists or quotes 61 levels deep (line 2)"),
        ("a" * 600 * KB, "The text is 600 KB; the limit is 512 KB."),
        ("a" * 30_000, "Line 1 is 30,000 characters long; the limit is 20,000."),
        ("[" * 5000, "unclosed brackets"),
        ("<b>" * 500, "HTML tags open inside each other"),
        ("<a " * 5000, "unclosed '<' tags"),
        ("| a |\n|---|\n" + "| x |\n" * 30_000, "cells"),
        ("```\n" * 1001, "The text has 1,001 code fences; the limit is 1,000."),
        (
            "".join("`" * (3 + n) + "\n" + "code line\n" * 20 for n in range(300)),
            "code fences (``` or ~~~) that are never closed",
        ),
        ("## h\n\n" * 2001, "The text has 2,001 headings; the limit is 2,000."),
        ("## h\n" * 3000, "holds 3000 headings or rules with no blank lines between them"),
        ("- item\n" * 31_000, "paragraphs and list items; the limit is 30,000"),
        ("`a` " * 4000 + "\n" + "*b* " * 2000, "Line 1 is long and dense with formatting"),
        ("&&\n" * 60_000, "The text has about 120,000 pieces of formatting"),
    ],
)
def test_check_renderable_says_what_is_wrong(text, message):
    with pytest.raises(MarkdownRefused, match=re.escape(message)):
        check_renderable(text)
    with pytest.raises(MarkdownRefused, match=re.escape(message)):
        render_markdown(text)


def test_check_renderable_passes_ordinary_cards_and_code_in_fences():
    card = "# Card\n\n" + "## Part\n\nSome *text* [link](https://example.org) and [0, 1) range.\n\n" * 200
    code = "```java\n" + ">" * 200 + "\n" + " " * 400 + "indented\n"
    code += "List<Map<String, List<Integer>>> x; // [unclosed\n" * 3000 + "# not a heading\n" * 3000 + "```\n"
    assert check_renderable(card + code) is None
    assert check_renderable("Indented code:\n\n" + " " * 19_000 + "x\n") is None


def test_a_large_but_ordinary_card_renders():
    part = (
        "## Evaluation\n\nThe model scores **0.91** on [GLUE](https://example.org/glue) (range [0, 1)).\n\n"
        "| Task | Score |\n|:-----|------:|\n| a | 1 |\n| b | 2 |\n\n"
        "```python\nprint(pipe('I <3 this & that')[0]['label'])\n```\n\n"
        '<p align="center"><img src="https://example.org/logo.png" width="200" alt="logo"></p>\n\n'
        "> Results may vary.[^1]\n\n[^1]: A note.\n\n"
    )
    # 40 KB with 120 tables, images and footnotes: about the most such a card can hold (MAX_RENDER_WORK).
    rendered = render_markdown(part * 120, section_links=True)
    assert rendered.html.count('class="section-edit"') == 120


def test_size_limit_comes_from_settings(settings):
    settings.MODELCARDS_MAX_CARD_BYTES = 1000
    with pytest.raises(MarkdownRefused, match="the limit is 1 KB"):
        render_markdown("é" * 600)
    assert render_markdown("é" * 400).html


@pytest.mark.parametrize("failure", [RecursionError("deep"), ValueError("odd"), KeyError("x"), MemoryError()])
def test_library_failures_become_refusals(monkeypatch, failure):
    def explode(self, source):
        raise failure

    monkeypatch.setattr(markdown.Markdown, "convert", explode)
    with pytest.raises(MarkdownRefused):
        render_markdown(f"text that fails with {type(failure).__name__}")


def test_a_render_over_its_time_budget_is_refused(monkeypatch):
    monkeypatch.setattr(rendering, "RENDER_SECONDS", -1.0)
    with pytest.raises(MarkdownRefused, match="too long to render"):
        render_markdown("## Slow\n\nbody")


def test_the_sanitisers_parser_still_reads_through_the_deadline():
    # The deadline reaches html5lib only because it reads a str with a read() method as a stream; a
    # bleach upgrade that stops doing so would silently drop that safety net, and fail here.
    expired = rendering._Deadline(-1.0)
    with pytest.raises(rendering._TooSlow):
        bleach.Cleaner().clean(rendering._TimedMarkup("<p>hello</p>", expired))
    assert bleach.Cleaner(tags={"p"}).clean(
        rendering._TimedMarkup("<p>hello</p>", rendering._Deadline(5))
    ) == ("<p>hello</p>")


MARKUP_ALPHABET = [
    "<", ">", "/", "=", '"', "'", "&", "#", ";", ":", "[", "]", "(", ")", "!", "*", "_", "`", "\\", "\n",
    " ", "-", "|", "^", "a", "x", "javascript:", "on", "src", "href", "img", "script", "svg", "style",
    "&#106;", "&#x09;", "<!--", "-->", "<![CDATA[", "]]>", "##", "> ", "    ", "```", "\x00", "\u2028",
]  # fmt: skip


@hypothesis.settings(max_examples=150, deadline=None, database=None, derandomize=True)
@hypothesis.given(st.lists(st.sampled_from(MARKUP_ALPHABET), max_size=80).map("".join), st.booleans())
def test_any_soup_of_markup_characters_renders_safely_or_is_refused(text, section_links):
    cache.clear()
    try:
        output = render_markdown(text, section_links=section_links).html
    except MarkdownRefused:
        return
    assert problems_in(output) == []
