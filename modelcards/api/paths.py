"""Where things are in the API and on the site, as paths: answers never depend on the Host asked."""

from urllib.parse import quote

ROOT = "/api/v1/"


def card(slug: str) -> str:
    return f"{ROOT}cards/{slug}/"


def card_readme(slug: str) -> str:
    return f"{ROOT}cards/{slug}/README.md"


def versions(slug: str) -> str:
    return f"{ROOT}cards/{slug}/versions/"


def version(slug: str, number: int) -> str:
    return f"{ROOT}cards/{slug}/versions/{number}/"


def version_readme(slug: str, number: int) -> str:
    return f"{ROOT}cards/{slug}/versions/{number}/README.md"


def history(slug: str) -> str:
    return f"{ROOT}cards/{slug}/history/"


def discussions(slug: str) -> str:
    return f"{ROOT}cards/{slug}/discussions/"


def thread(slug: str, pk: int) -> str:
    return f"{ROOT}cards/{slug}/discussions/{pk}/"


def suggestions_of(slug: str) -> str:
    return f"{ROOT}suggestions/?card={quote(slug)}&status=all"


def suggestion(pk: int) -> str:
    return f"{ROOT}suggestions/{pk}/"


def suggestion_comments(pk: int) -> str:
    return f"{ROOT}suggestions/{pk}/comments/"
