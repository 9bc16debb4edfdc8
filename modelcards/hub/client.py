"""Talking to the Hugging Face Hub through huggingface_hub, with its failures turned into ours.

Every failure the Hub or the network can cause becomes a `HubError` whose text a moderator can read
("owner/name does not exist on the Hub"), so a command, a form or a background job can show it
as it is. Settings: HUB_ENDPOINT, HUB_TOKEN, HUB_TIMEOUT and HUB_README_MAX_BYTES.
"""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx2
from django.conf import settings
from huggingface_hub import HfApi, hf_hub_url
from huggingface_hub import errors as hf_errors
from huggingface_hub.utils import get_session, hf_raise_for_status, set_client_factory
from huggingface_hub.utils._http import default_client_factory

README = "README.md"
USER_AGENT = "model-card-commons"
# Used when a 429 names no Retry-After: a minute is the Hub's shortest rate-limit window.
DEFAULT_RETRY_AFTER = 60
_CHUNK = 64 * 1024

# huggingface_hub's own repository id rule (validate_repo_id), with the owner required: a card
# comes from one model repository, never from a bare legacy name.
_REPO_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_REPO_ID = re.compile(rf"\A{_REPO_PART}/{_REPO_PART}\Z")
_REVISION = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._/-]{0,199}\Z")


class HubError(Exception):
    """Something the Hub or the way to it refused; str() is a sentence for a moderator."""


class RepoNotFound(HubError):
    pass


class RevisionNotFound(RepoNotFound):
    """The repository exists, the branch, tag or commit asked for does not."""


class RepoGated(HubError):
    """The Hub refused to show a repository (401/403 on a read): gated, private or disabled."""


class ReadmeMissing(HubError):
    pass


class ReadmeTooLarge(HubError):
    pass


class ReadmeNotUtf8(HubError):
    pass


class RateLimited(HubError):
    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class HubUnavailable(HubError):
    """Timeouts, refused or reset connections, and the Hub's own 5xx answers: worth trying later."""


class TokenMissing(HubError):
    pass


class TokenRefused(HubError):
    """The token was refused (401/403 on a write, or an invalid token on any request)."""


@dataclass(frozen=True)
class HubReadme:
    repo_id: str  # as the Hub spells it (its model info's `id`)
    revision: str
    commit: str
    text: str


def parse_repo_ref(ref: str) -> tuple[str, str]:
    """A repository reference, `owner/name` or `owner/name@revision` (or the repository's address on
    the Hub), as (repo_id, revision); the revision is "main" unless one is given."""
    ref = (ref or "").strip()
    for prefix in {settings.HUB_ENDPOINT.rstrip("/") + "/", "https://huggingface.co/"}:
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
    repo_id, at, revision = ref.partition("@")
    if not _REPO_ID.match(repo_id) or "--" in repo_id or ".." in repo_id or len(repo_id) > 96:
        raise HubError(
            f"'{ref[:100]}' is not a Hub model repository: write owner/name, optionally followed by "
            "@revision (a branch, tag or commit), e.g. openai-community/gpt2@main."
        )
    if at and (not _REVISION.match(revision) or ".." in revision):
        raise HubError(f"'{revision[:100]}' is not a revision: give a branch, tag or commit after the @.")
    return repo_id, revision if at else "main"


def hub_url(repo_id: str) -> str:
    """The repository's page on the Hub this site talks to."""
    return f"{settings.HUB_ENDPOINT.rstrip('/')}/{repo_id}"


def api(*, token: str | None = None) -> HfApi:
    """An HfApi for HUB_ENDPOINT, authenticated with `token` or HUB_TOKEN, or not at all.

    Never falls back to a token saved on this machine or in HF_TOKEN behind the settings' back
    (token=False), so a request carries Authorization only when the site is configured to send it.
    """
    _use_timeout(settings.HUB_TIMEOUT)
    return HfApi(
        endpoint=settings.HUB_ENDPOINT, token=token or settings.HUB_TOKEN or False, library_name=USER_AGENT
    )


def write_api() -> HfApi:
    """An HfApi for writing (commits, pull requests); TokenMissing without HUB_TOKEN."""
    if not settings.HUB_TOKEN:
        raise TokenMissing("No Hub token is configured (HUB_TOKEN), so nothing can be proposed to the Hub.")
    return api()


@contextmanager
def translate_errors(*, repo_id: str = "", write: bool = False) -> Iterator[None]:
    """Turn huggingface_hub's and httpx's exceptions raised inside into HubError subclasses.

    `write` says the request was a change (a commit, a pull request, a comment): a 401/403 then means
    the token lacks the rights (TokenRefused) rather than a gated or private repository.
    """
    try:
        yield
    except HubError:
        raise
    except hf_errors.HfHubHTTPError as exc:
        raise _from_http_error(exc, repo_id=repo_id, write=write) from exc
    except httpx2.TimeoutException as exc:
        raise HubUnavailable(
            f"The Hub did not answer within {settings.HUB_TIMEOUT:g} seconds; try again later."
        ) from exc
    except (httpx2.TransportError, hf_errors.OfflineModeIsEnabled, ConnectionError) as exc:
        raise HubUnavailable(f"The Hub could not be reached ({_short(exc)}); try again later.") from exc
    except hf_errors.LocalTokenNotFoundError as exc:
        raise TokenMissing("No Hub token is configured (HUB_TOKEN).") from exc
    except hf_errors.HFValidationError as exc:
        raise HubError(f"The Hub refused the request: {_short(exc)}") from exc
    except ValueError as exc:
        # create_commit turns the Hub's refusal of a README's metadata (a 400) into a ValueError.
        if not isinstance(exc.__cause__, hf_errors.HfHubHTTPError):
            raise
        lines = [line.strip("- ") for line in str(exc).splitlines()[1:] if line.strip()]
        raise HubError(f"The Hub refused the README.md's metadata: {'; '.join(lines)[:300]}") from exc


def head_commit(repo_id: str, revision: str = "main") -> str:
    """The commit `revision` points at now, from one model-info request (only its `sha` expanded)."""
    with translate_errors(repo_id=repo_id):
        return _model_info(repo_id, revision).sha


def fetch_readme(repo_id: str, revision: str = "main") -> HubReadme:
    """The README.md at the commit `revision` points at now, read at that commit so the two agree.

    A file over HUB_README_MAX_BYTES is refused from its Content-Length before its body is read, and
    a body longer than it said is cut off at the limit; text that is not UTF-8 is refused. The text is
    kept exactly (a byte order mark too), as a file import keeps it, so an export gives it back.
    """
    with translate_errors(repo_id=repo_id):
        info = _model_info(repo_id, revision)
        name, commit = info.id or repo_id, info.sha
        client = api()
        url = hf_hub_url(name, README, revision=commit, endpoint=client.endpoint)
        headers = client._build_hf_headers()
        with get_session().stream("GET", url, headers=headers, timeout=settings.HUB_TIMEOUT) as response:
            if response.status_code >= 400:
                response.read()  # small error bodies, for the message
                try:
                    hf_raise_for_status(response)
                except hf_errors.RemoteEntryNotFoundError as exc:
                    raise ReadmeMissing(f"{name} has no README.md at {commit[:7]}.") from exc
            raw = _read_limited(response, name=name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadmeNotUtf8(
            f"The README.md of {name} at {commit[:7]} is not valid UTF-8 (byte {exc.start:,})."
        ) from exc
    return HubReadme(repo_id=name, revision=revision, commit=commit, text=text)


def _model_info(repo_id: str, revision: str):
    info = api().model_info(repo_id, revision=revision, expand=["sha"], timeout=settings.HUB_TIMEOUT)
    if not info.sha:
        raise HubError(f"The Hub did not say which commit {repo_id}@{revision} is at.")
    return info


def _read_limited(response, *, name: str) -> bytes:
    limit = settings.HUB_README_MAX_BYTES
    too_large = f"The README.md of {name} is {{size}} bytes; a card may be at most {limit:,} bytes."
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ReadmeTooLarge(too_large.format(size=f"{int(declared):,}"))
    body = bytearray()
    for chunk in response.iter_bytes(_CHUNK):
        body += chunk
        if len(body) > limit:
            raise ReadmeTooLarge(too_large.format(size=f"more than {limit:,}"))
    return bytes(body)


def _from_http_error(exc: hf_errors.HfHubHTTPError, *, repo_id: str, write: bool) -> HubError:
    response = exc.response
    status = response.status_code
    what = repo_id or "the repository"
    server = (exc.server_message or "").strip().splitlines()
    said = f" The Hub said: {server[0][:200]}" if server else ""
    if status == 429:
        retry_after = _retry_after(response.headers)
        return RateLimited(
            f"The Hub is limiting this site's requests; try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
    if status >= 500:
        return HubUnavailable(f"The Hub failed to answer (HTTP {status}); try again later.")
    if (
        status == 401
        and response.headers.get("X-Error-Message") == "Invalid credentials in Authorization header"
    ):
        return TokenRefused("The Hub refused the configured token (HUB_TOKEN): it is invalid or expired.")
    if write and status in (401, 403):
        if status == 401 and not response.request.headers.get("authorization"):
            return TokenMissing(
                "The Hub asks for a token to change a repository; none is configured (HUB_TOKEN)."
            )
        return TokenRefused(
            f"The Hub refused the change to {what} (HTTP {status}): the token (HUB_TOKEN) lacks the "
            f"rights it needs, such as write access.{said}"
        )
    if isinstance(exc, hf_errors.RevisionNotFoundError):
        return RevisionNotFound(f"{what} has no branch, tag or commit by that name.")
    if isinstance(exc, hf_errors.RemoteEntryNotFoundError):
        return ReadmeMissing(f"{what} has no README.md.")
    if isinstance(exc, hf_errors.GatedRepoError):
        return RepoGated(
            f"{what} is gated: the Hub shows its files only to accounts that were granted access, and "
            "this site's token (HUB_TOKEN) has not been."
        )
    if isinstance(exc, hf_errors.DisabledRepoError):
        return RepoGated(f"{what} has been disabled on the Hub.")
    if status == 404:
        return RepoNotFound(f"{what} does not exist on the Hub.")
    if status in (401, 403):
        return RepoGated(
            f"The Hub refused to show {what} (HTTP {status}): it is private or gated, or does not exist, "
            "and this site's token (HUB_TOKEN) gives no access to it."
        )
    return HubError(f"The Hub refused the request for {what} (HTTP {status}).{said}")


def _retry_after(headers) -> int:
    value = headers.get("Retry-After", "").strip()
    if value.isdigit():
        return max(int(value), 1)
    return DEFAULT_RETRY_AFTER


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


# huggingface_hub shares one httpx client with no timeout of its own; calls that take no `timeout`
# (create_commit, the discussions) would wait forever for a silent Hub, so its client gets HUB_TIMEOUT.
_timeout_lock = threading.Lock()
_configured_timeout: float | None = None


def _use_timeout(seconds: float) -> None:
    global _configured_timeout
    if _configured_timeout == seconds:
        return
    with _timeout_lock:
        if _configured_timeout != seconds:
            set_client_factory(lambda: _client_with_timeout(seconds))
            _configured_timeout = seconds


def _client_with_timeout(seconds: float) -> httpx2.Client:
    client = default_client_factory()
    client.timeout = httpx2.Timeout(seconds)
    return client
