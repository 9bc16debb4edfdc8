"""Query parameters: an unknown one is refused, so a misspelt filter (`licence=` for `license=`)
never silently returns everything."""

from .errors import ApiError

PAGING = ("cursor", "limit")


def only_params(request, allowed) -> None:
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            "invalid_request",
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)[:200]}. "
            f"This address takes: {', '.join(sorted(allowed)) or 'none'}.",
            fields={name[:100]: ["Not a parameter of this address."] for name in unknown[:20]},
        )
