"""A minimal HTTP client with cookies and CSRF tokens, from the standard library only."""

from __future__ import annotations

from http.cookiejar import CookieJar
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class Browser:
    """One visitor: keeps its cookies, never follows redirects, returns status codes instead of raising."""

    def __init__(self, base: str):
        if not base.startswith(("http://", "https://")):
            raise ValueError(f"not a web address: {base}")
        self.base = base
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), _NoRedirects())

    def _open(self, request: Request) -> tuple[int, dict, bytes]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        return self._open(Request(self.base + path, headers=headers or {}))  # noqa: S310 - http(s) only

    def status(self, path: str) -> int:
        try:
            return self.get(path)[0]
        except (URLError, ConnectionError):
            return 0

    def post(self, path: str, fields: dict) -> int:
        data = {**fields, "csrfmiddlewaretoken": self.csrf_token()}
        body = urlencode(data).encode("utf-8")
        request = Request(self.base + path, data=body, method="POST")  # noqa: S310 - http(s) only
        return self._open(request)[0]

    def csrf_token(self) -> str:
        for cookie in self.cookies:
            if cookie.name == "csrftoken":
                return cookie.value or ""
        self.get("/accounts/login/")  # any page with a form sets the cookie
        return next(cookie.value or "" for cookie in self.cookies if cookie.name == "csrftoken")

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def log_in(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        status = self.post("/accounts/login/", {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"logging in as {username} answered {status}")
