"""Pages for requests refused before any view ran (a failed CSRF check, unstorable input, a body too
large to read, a form sent after its author's session ended).

The first two show the text the person typed in read-only boxes, so that a refusal never loses their
work; a body too large to read is still in the person's browser, and the page says so.
"""

import re

from django.conf import settings
from django.shortcuts import render

# Form fields that hold text a person wrote, in the order they are shown back, with their labels.
TYPED_FIELDS = {
    "title": "Title",
    "summary": "Summary",
    "text": "Text",
    "edited_text": "Edited text",
    "body": "Message",
    "note": "Note",
    "reason": "Reason",
}
_CONFLICT_TEXT = re.compile(r"conflict_([0-9]{1,3})_text")


def typed_text(request) -> list[tuple[str, str]]:
    """(label, text) for each non-empty field of a POST that holds writing, NULs removed."""
    if request.method != "POST":
        return []
    try:
        posted = request.POST
    except Exception:  # noqa: BLE001 - an unreadable body just means there is nothing to show back
        return []
    kept = [(label, posted.get(name, "")) for name, label in TYPED_FIELDS.items()]
    for name in posted:
        if match := _CONFLICT_TEXT.fullmatch(name):
            kept.append((f"Your text for conflict {int(match.group(1)) + 1}", posted.get(name, "")))
    return [(label, value.replace("\x00", "")) for label, value in kept if value.strip()]


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a friendly 403 that explains what happened and shows the text back."""
    return render(
        request,
        "request_refused.html",
        {
            "heading": "Your form could not be sent",
            "explanation": (
                "The page's security check failed, usually because it was open for a long time, you "
                "logged in or out in another tab, or your browser blocks cookies. Nothing was saved. "
                "Copy your text below, reload the form and send it again."
            ),
            "problems": [],
            "kept": typed_text(request),
        },
        status=403,
    )


def unstorable_input(request, problems: list[str]):
    """A 400 naming the characters that cannot be stored; the typed text is shown without them."""
    return render(
        request,
        "request_refused.html",
        {
            "heading": "This request contains characters that cannot be stored",
            "explanation": "Nothing was saved. Your text is below with those characters removed.",
            "problems": problems,
            "kept": typed_text(request),
        },
        status=400,
    )


def oversized_request(request, length: int, limit: int):
    """A 413 for a body too large to read: say how large it was and what the site takes."""
    card_limit = settings.MODELCARDS_MAX_CARD_BYTES
    return render(
        request,
        "request_refused.html",
        {
            "heading": "What you sent is too large",
            "explanation": (
                f"The form sent {length / 1024 / 1024:,.1f} MB; this site reads at most "
                f"{limit / 1024 / 1024:,.1f} MB in one request, and a card may be at most "
                f"{card_limit / 1024:,.0f} KB. Nothing was saved. Your text is still in the form: go "
                "back, shorten it or choose a smaller file, and send it again."
            ),
            "problems": [],
            "kept": [],
        },
        status=413,
    )


# Posted fields never shown back: the security token (the page makes a fresh one) and the marker.
_NOT_REPLAYED = frozenset({"csrfmiddlewaretoken", "_signed_in", "_resend_to", "username", "password"})


def signed_out_post(request, *, target: str = "", problem: str = ""):
    """A 401 for a form sent after its author was signed out: the form again, with what they typed,
    and a login that sends it (accounts.views.login_and_resend) in one step."""
    fields = []
    for name in request.POST:
        if name in _NOT_REPLAYED:
            continue
        for value in request.POST.getlist(name):
            value = value.replace("\x00", "")
            label = TYPED_FIELDS.get(name)
            long = bool(label) or "\n" in value
            fields.append({"name": name, "value": value, "label": label, "long": long})
    return render(
        request,
        "signed_out.html",
        {
            "target": target or request.get_full_path(),
            "fields": fields,
            "had_files": bool(request.FILES),
            "problem": problem,
            "username": request.POST.get("username", ""),
        },
        status=401,
    )
