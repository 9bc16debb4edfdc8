"""Template helpers: user Markdown through the one rendering path, and byte-size changes."""

from django import template

from ..rendering import MarkdownRefused, render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    """Comments and other short user Markdown, sanitised by `render_markdown` like card bodies, their
    headings below the page's own <h1>."""
    try:
        return render_markdown(text or "", demote_headings=True).html
    except MarkdownRefused as exc:
        return f"[This text cannot be shown: {exc}]"


@register.filter
def signed(number: int) -> str:
    """+120 / −35, with a real minus sign, for size changes."""
    if number > 0:
        return f"+{number:,}"
    if number < 0:
        return f"−{abs(number):,}"
    return "0"


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template, or None: for dicts keyed by a variable."""
    return mapping.get(key) if isinstance(mapping, dict) else None
