"""Request checks that apply to every view: bodies in an encoding other than UTF-8, bodies too large
to be a card and input PostgreSQL cannot store are refused up front, and a form sent after its
author's session ended is sent back."""

import codecs

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from .views.refusals import oversized_request, signed_out_post, unstorable_input

NUL = "\x00"

# Methods whose requests carry no form: their Content-Type, if any, says nothing about the address.
_BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def declared_charset(request) -> str | None:
    """The charset named in the request's Content-Type, as sent, or None when it names none."""
    return request.content_params.get("charset") if request.content_params else None


def is_utf8(charset: str) -> bool:
    """Whether `charset` is a name of UTF-8 (`UTF-8`, `utf8`, `utf_8`), not UTF-8 with a BOM."""
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


class RefuseForeignCharsetMiddleware:
    """Every form of the site is read as UTF-8; a body declared in any other charset gets a 400.

    Django refuses a urlencoded body in another charset by raising BadRequest each time `request.POST`
    is read, and the 400 page it then renders checks the CSRF token, which reads `request.POST` again:
    a 500. A multipart body in UTF-7 or Latin-1 would instead be decoded as declared, so text could
    reach a form spelled in a way no page of the site shows. Both are refused here, before any
    middleware or view reads the body. A UTF-8 alias (`utf8`) is read as UTF-8.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = declared_charset(request)
        if charset is not None:
            if is_utf8(charset) or request.method in _BODILESS_METHODS:
                request.encoding = "utf-8"
            else:
                return foreign_charset(request, charset)
        return self.get_response(request)


def foreign_charset(request, charset: str):
    """A 400 saying which encoding was declared and which one the site reads."""
    shown = charset[:40]
    return render(
        request,
        "request_refused.html",
        {
            "heading": "This form was sent in an encoding the site does not read",
            "explanation": (
                f"The request says its text is in the “{shown}” encoding; this site reads forms only "
                "as UTF-8. Nothing was saved. Send the form again from the site's own page, or set "
                "your tool to send UTF-8."
            ),
            "problems": [],
            "kept": [],  # text decoded as the wrong encoding would only show garbled
        },
        status=400,
    )


def _line_of(value: str, offset: int) -> int:
    return value.count("\n", 0, offset) + 1


def nul_problems(request) -> list[str]:
    """Where the request carries a NUL character: path, query string, cookies or form fields.

    PostgreSQL text cannot hold U+0000, so a NUL that reached a query would be a database error
    (a 500) instead of a refusal. No form, link or cookie of the site ever contains one.
    """
    problems = []
    if NUL in request.path:
        problems.append("The address contains a NUL character (U+0000).")
    for source, label in ((request.GET, "address parameter"), (request.COOKIES, "cookie")):
        for name, value in _pairs(source):
            if NUL in name or NUL in value:
                problems.append(f"The {label} “{name.replace(NUL, '')}” contains a NUL character (U+0000).")
    if request.method == "POST":
        for name, value in _pairs(request.POST):
            if NUL in name:
                problems.append("A form field's name contains a NUL character (U+0000).")
            elif NUL in value:
                line = _line_of(value, value.index(NUL))
                problems.append(
                    f"line {line}: the field “{name}” contains a NUL character (U+0000), which cannot be "
                    "stored; remove it."
                )
    return problems


def _pairs(source):
    if hasattr(source, "lists"):
        return [(name, value) for name, values in source.lists() for value in values]
    return list(source.items())


class RefuseNulMiddleware:
    """Answer a request carrying NUL characters with a 400 that names them and keeps the typed text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problems = nul_problems(request)
        if problems:
            return unstorable_input(request, problems)
        return self.get_response(request)


def largest_request() -> int | None:
    """The largest body any form of the site needs: its text fields plus one card file, with room for
    the multipart framing. None when DATA_UPLOAD_MAX_MEMORY_SIZE lifts Django's own limit."""
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is None:
        return None
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + settings.MODELCARDS_MAX_CARD_BYTES + 64 * 1024


class RefuseOversizedMiddleware:
    """Answer a body larger than any form needs with a 413 before reading it.

    Django spools a large file upload to disk before any form can check its size, so without this a
    1 GB "card" would be written out in full only to be refused. (Under WSGI, as deployed with
    gunicorn; Django's ASGI handler reads the body before any middleware runs.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = largest_request()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        if limit is not None and length > limit:
            return oversized_request(request, length, limit)
        return self.get_response(request)


SIGNED_IN_FIELD = "_signed_in"


class SignedOutPostMiddleware:
    """A form filled in while signed in but sent after the session ended (it expired, or the person
    logged out in another tab) is never filed as anonymous: it comes back with the typed text and a
    request to log in. Every form a signed-in person is shown carries SIGNED_IN_FIELD (formguard's
    `csrf_token` tag adds it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and not request.user.is_authenticated
            and request.path != reverse("accounts:logout")
            and _posted(request, SIGNED_IN_FIELD)
        ):
            return signed_out_post(request)
        return self.get_response(request)


def _posted(request, name: str) -> bool:
    try:
        return bool(request.POST.get(name))
    except Exception:  # noqa: BLE001 - an unreadable body is refused further on, as before
        return False
