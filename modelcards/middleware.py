"""Request checks that apply to every view: input PostgreSQL cannot store is refused up front."""

from .views.refusals import unstorable_input

NUL = "\x00"


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
