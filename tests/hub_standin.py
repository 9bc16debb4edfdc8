"""A stand-in for the Hugging Face Hub: a real HTTP server on 127.0.0.1 that the real huggingface_hub
client talks to, with the Hub's response shapes for the few endpoints this site uses, state held in
memory, controls for every fault the site must survive, and a log of what it received.

Use the `hub` fixture (exposed in tests/conftest.py): it starts a stand-in on a random port, points
HUB_ENDPOINT at it (HUB_TOKEN empty, HUB_TIMEOUT 2 seconds) and stops it after the test.

    commit = hub.add_repo("acme/tiny-model", SAMPLE_README)   # a commit on main
    hub.set_readme("acme/tiny-model", new_text)                # the next commit on main
    hub.add_repo("acme/secret", text, private=True)            # 401 without a reader's token
    hub.add_repo("acme/gated", text, gated=True)               # model info 200, README 401/403
    hub.fail("429", retry_after=30)                            # the next request answers 429
    hub.fail("slow", seconds=5, path="/resolve/")              # the next README read hangs
    hub.fail("reset") / hub.fail("503")                        # connection reset / a 5xx
    hub.tokens["hf_write"] = "write"; hub.tokens["hf_read"] = "read"
    hub.merge_pr("acme/tiny-model", 1) / hub.close_pr(...)     # a pull request decided upstream
    hub.repos["acme/tiny-model"].private = True / del hub.repos[...]  # later changes of state
    hub.readme_without_length = True; hub.yaml_errors = ["..."]  # no Content-Length; metadata refused
    hub.received / hub.requests(path="/api/models/")           # what the client sent

Writes (commit, pull request, comment, status) need a token the stand-in knows with "write";
no token gives 401, a read token 403, an unknown token 401 "Invalid credentials" as the Hub does.
"""

import base64
import hashlib
import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

README = "README.md"


def git_blob_oid(content: bytes) -> str:
    """The git object id of a file, as the Hub gives it in ETag and preupload's `oid`."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


@dataclass
class Commit:
    oid: str
    parent: str | None
    title: str
    files: dict[str, bytes]
    date: str
    author: str = "standin"
    message: str = ""


@dataclass
class Discussion:
    num: int
    title: str
    author: str
    is_pull_request: bool
    created_at: str
    description: str = ""
    status: str = "open"  # open, closed, merged, draft
    branch: str = ""  # refs/pr/N for a pull request
    base: str = "refs/heads/main"
    merge_commit: str | None = None
    comments: list[dict] = field(default_factory=list)


@dataclass
class Repo:
    repo_id: str
    private: bool = False
    gated: bool = False
    disabled: bool = False
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)  # name -> head commit oid ("refs/pr/1" too)
    tags: dict[str, str] = field(default_factory=dict)
    discussions: list[Discussion] = field(default_factory=list)
    readers: set[str] = field(default_factory=set)  # tokens granted access when private or gated

    def resolve(self, revision: str) -> str | None:
        revision = revision.removeprefix("refs/heads/")
        if revision in self.branches:
            return self.branches[revision]
        if revision in self.tags:
            return self.tags[revision]
        if revision in self.commits:
            return revision
        matches = [oid for oid in self.commits if len(revision) >= 7 and oid.startswith(revision)]
        return matches[0] if len(matches) == 1 else None

    def history(self, oid: str) -> list[Commit]:
        found = []
        while oid:
            commit = self.commits[oid]
            found.append(commit)
            oid = commit.parent
        return found


@dataclass
class Received:
    method: str
    path: str  # as sent, still quoted
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def token(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value.removeprefix("Bearer ") if value.startswith("Bearer ") else None


@dataclass
class Fault:
    kind: str  # "429", "500", "502", "503", "slow", "reset"
    path: str = ""  # applies to requests whose path contains this
    times: int = 1
    retry_after: int | None = 30
    seconds: float = 5.0


class HubStandIn:
    def __init__(self):
        self.repos: dict[str, Repo] = {}
        self.tokens: dict[str, str] = {}  # token -> "read" or "write"
        self.received: list[Received] = []
        self.faults: list[Fault] = []
        self.readme_without_length = False  # send README bodies with no Content-Length
        self.yaml_errors: list[str] = []  # /api/validate-yaml refuses every README with these
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._counter = 0
        self._server: ThreadingHTTPServer | None = None

    # ---- lifecycle

    def start(self) -> "HubStandIn":
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._stop.set()  # slow answers give up at once
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ---- controls

    def add_repo(
        self, repo_id: str, readme: str | bytes | None = None, *, private=False, gated=False, readers=()
    ) -> str:
        """A repository with one commit on main (holding README.md unless `readme` is None); its oid."""
        with self._lock:
            repo = self.repos[repo_id] = Repo(repo_id, private=private, gated=gated, readers=set(readers))
            files = {} if readme is None else {README: _bytes(readme)}
            return self._commit(repo, "main", files, "Initial commit")

    def set_readme(
        self, repo_id: str, readme: str | bytes, *, branch: str = "main", title="Update README.md"
    ) -> str:
        """A new commit on `branch` changing README.md; its oid."""
        with self._lock:
            repo = self.repos[repo_id]
            files = dict(repo.commits[repo.branches[branch]].files) if branch in repo.branches else {}
            files[README] = _bytes(readme)
            return self._commit(repo, branch, files, title)

    def delete_readme(self, repo_id: str, *, branch: str = "main") -> str:
        with self._lock:
            repo = self.repos[repo_id]
            files = dict(repo.commits[repo.branches[branch]].files)
            files.pop(README, None)
            return self._commit(repo, branch, files, "Delete README.md")

    def readme(self, repo_id: str, revision: str = "main") -> str | None:
        repo = self.repos[repo_id]
        content = repo.commits[repo.resolve(revision)].files.get(README)
        return None if content is None else content.decode("utf-8", "replace")

    def head(self, repo_id: str, branch: str = "main") -> str:
        return self.repos[repo_id].branches[branch]

    def fail(
        self, kind: str, *, path: str = "", times: int = 1, retry_after: int | None = 30, seconds=5.0
    ) -> None:
        """The next `times` requests whose path contains `path` fail as `kind`: "429" (with
        Retry-After unless retry_after is None), "500"/"502"/"503", "slow" (answer after `seconds`)
        or "reset" (the connection is reset without an answer)."""
        with self._lock:
            self.faults.append(Fault(kind, path, times, retry_after, seconds))

    def pull_requests(self, repo_id: str) -> list[Discussion]:
        return [d for d in self.repos[repo_id].discussions if d.is_pull_request]

    def merge_pr(self, repo_id: str, num: int) -> str:
        """Merge pull request `num` into its base branch, as a maintainer would on the Hub."""
        with self._lock:
            repo = self.repos[repo_id]
            pr = repo.discussions[num - 1]
            base = pr.base.removeprefix("refs/heads/")
            files = dict(repo.commits[repo.branches[pr.branch]].files)
            oid = self._commit(repo, base, files, f"Merge pull request #{num}")
            pr.status, pr.merge_commit = "merged", oid
            return oid

    def close_pr(self, repo_id: str, num: int) -> None:
        with self._lock:
            self.repos[repo_id].discussions[num - 1].status = "closed"

    def requests(self, *, method: str | None = None, path: str = "") -> list[Received]:
        return [r for r in self.received if (method is None or r.method == method) and path in r.path]

    # ---- state

    def _commit(
        self, repo: Repo, branch: str, files: dict[str, bytes], title: str, author="standin", message=""
    ) -> str:
        self._counter += 1
        parent = repo.branches.get(branch)
        seed = f"{repo.repo_id}:{branch}:{parent}:{self._counter}".encode()
        oid = hashlib.sha1(seed + b"".join(sorted(files.values())), usedforsecurity=False).hexdigest()
        repo.commits[oid] = Commit(oid, parent, title, files, _now(), author, message)
        repo.branches[branch] = oid
        return oid

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path in path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a reset connection is a fault the test asked for


class _Answer(Exception):
    def __init__(self, status: int, body=None, headers=None):
        self.status, self.body, self.headers = status, body, headers or {}


def _error(status: int, code: str | None, message: str) -> _Answer:
    headers = {"X-Error-Message": message}
    if code:
        headers["X-Error-Code"] = code
    return _Answer(status, {"error": message}, headers)


class _Handler(BaseHTTPRequestHandler):
    standin: HubStandIn
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def _handle(self):
        hub = self.standin
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        received = Received(self.command, parts.path, parse_qs(parts.query), headers, body)
        with hub._lock:
            hub.received.append(received)
        fault = hub._take_fault(parts.path)
        if fault and fault.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if fault and fault.kind == "slow":
            hub._stop.wait(fault.seconds)
        try:
            if fault and fault.kind == "429":
                raise _Answer(
                    429,
                    {"error": "Too many requests"},
                    {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {},
                )
            if fault and fault.kind.isdigit():
                raise _Answer(int(fault.kind), {"error": "Internal Error"})
            with hub._lock:
                answer = _route(hub, self.command, parts.path, received)
        except _Answer as exc:
            answer = exc
        self._send(answer)

    def _send(self, answer: _Answer):
        body = answer.body
        headers = {"X-Request-Id": "standin-request", **answer.headers}
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        body = body or b""
        without_length = headers.pop("_no_length", None)
        try:
            self.send_response(answer.status)
            for name, value in headers.items():
                self.send_header(name, value)
            if not without_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


def _route(hub: HubStandIn, method: str, path: str, received: Received) -> _Answer:
    segments = path.strip("/").split("/")
    if path == "/api/validate-yaml" and method == "POST":
        errors = [{"message": message} for message in hub.yaml_errors]
        return _Answer(400 if errors else 200, {"errors": errors, "warnings": []})
    if segments[:2] == ["api", "models"] and len(segments) >= 4:
        repo_id, rest = "/".join(segments[2:4]), segments[4:]
        repo = _readable_repo(hub, repo_id, received, metadata=True)
        if method == "GET" and not rest:
            return _model_info(hub, repo, "main", received)
        if method == "GET" and rest[0] == "revision" and len(rest) == 2:
            return _model_info(hub, repo, unquote(rest[1]), received)
        if method == "GET" and rest[0] == "commits" and len(rest) == 2:
            return _commits(repo, unquote(rest[1]))
        if method == "POST" and rest[0] == "preupload" and len(rest) == 2:
            _require_writer(hub, received)
            return _preupload(repo, unquote(rest[1]), received)
        if method == "POST" and rest[0] == "commit" and len(rest) == 2:
            _require_writer(hub, received)
            return _create_commit(hub, repo, unquote(rest[1]), received)
        if method == "GET" and rest == ["discussions"]:
            return _discussion_list(repo, received)
        if rest[:1] == ["discussions"] and len(rest) >= 2 and rest[1].isdigit():
            discussion = _discussion(repo, int(rest[1]))
            if method == "GET" and len(rest) == 2:
                return _Answer(200, _discussion_details(hub, repo, discussion))
            if method == "POST" and len(rest) == 3:
                writer = _require_writer(hub, received)
                return _change_discussion(discussion, rest[2], received, writer)
    if len(segments) >= 5 and segments[2] == "resolve" and method in ("GET", "HEAD"):
        repo = _readable_repo(hub, "/".join(segments[:2]), received, metadata=False)
        return _resolve(hub, repo, unquote(segments[3]), "/".join(segments[4:]))
    raise _error(404, None, f"The stand-in has no endpoint {method} {path}")


def _token_role(hub: HubStandIn, received: Received) -> str | None:
    token = received.token
    if token is None:
        return None
    if token not in hub.tokens:
        raise _error(401, None, "Invalid credentials in Authorization header")
    return hub.tokens[token]


def _readable_repo(hub: HubStandIn, repo_id: str, received: Received, *, metadata: bool) -> Repo:
    """The repository, or the Hub's refusal: 404 when it does not exist, 401 (no token) or 404 (a token
    without access) when private, and for gated ones 401/403 on files only: their metadata is public."""
    _token_role(hub, received)
    repo = hub.repos.get(repo_id)
    if repo is None:
        raise _error(404, "RepoNotFound", "Repository not found")
    has_access = received.token in repo.readers
    if repo.private and not has_access:
        raise _error(401 if received.token is None else 404, "RepoNotFound", "Repository not found")
    if repo.gated and not has_access and not metadata:
        message = (
            f"Access to model {repo_id} is restricted. You must have access to it and be authenticated "
            "to access it. Please log in."
        )
        raise _error(401 if received.token is None else 403, "GatedRepo", message)
    return repo


def _require_writer(hub: HubStandIn, received: Received) -> str:
    role = _token_role(hub, received)
    if role is None:
        raise _error(401, None, "You must be authenticated to access this resource")
    if role != "write":
        raise _error(403, None, "You don't have the rights to create a pull request: your token is read-only")
    return received.token


def _resolved(repo: Repo, revision: str) -> Commit:
    oid = repo.resolve(revision)
    if oid is None:
        raise _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
    return repo.commits[oid]


def _model_info(hub: HubStandIn, repo: Repo, revision: str, received: Received) -> _Answer:
    commit = _resolved(repo, revision)
    full = {
        "_id": hashlib.md5(repo.repo_id.encode(), usedforsecurity=False).hexdigest()[:24],
        "id": repo.repo_id,
        "modelId": repo.repo_id,
        "author": repo.repo_id.split("/")[0],
        "sha": commit.oid,
        "lastModified": commit.date,
        "private": repo.private,
        "gated": "manual" if repo.gated else False,
        "disabled": repo.disabled,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "siblings": [{"rfilename": name} for name in sorted(commit.files)],
        "createdAt": repo.history(commit.oid)[-1].date,
    }
    expand = received.query.get("expand", []) + received.query.get("expand[]", [])
    if expand:
        full = {key: value for key, value in full.items() if key in ("_id", "id", *expand)}
    return _Answer(200, full)


def _resolve(hub: HubStandIn, repo: Repo, revision: str, filename: str) -> _Answer:
    commit = _resolved(repo, revision)
    content = commit.files.get(filename)
    if content is None:
        raise _error(404, "EntryNotFound", "Entry not found")
    headers = {
        "Content-Type": "text/plain; charset=utf-8",
        "ETag": f'"{git_blob_oid(content)}"',
        "X-Repo-Commit": commit.oid,
        "Accept-Ranges": "bytes",
    }
    if hub.readme_without_length:
        headers["_no_length"] = "1"
    return _Answer(200, content, headers)


def _commits(repo: Repo, revision: str) -> _Answer:
    commit = _resolved(repo, revision)
    return _Answer(
        200,
        [
            {
                "id": c.oid,
                "title": c.title,
                "message": c.message,
                "date": c.date,
                "authors": [{"user": c.author, "avatar": ""}],
            }
            for c in repo.history(commit.oid)
        ],
    )


def _preupload(repo: Repo, revision: str, received: Received) -> _Answer:
    payload = json.loads(received.body)
    oid = repo.resolve(revision)
    files = repo.commits[oid].files if oid else {}
    return _Answer(
        200,
        {
            "files": [
                {
                    "path": item["path"],
                    "uploadMode": "regular",
                    "shouldIgnore": False,
                    "oid": git_blob_oid(files[item["path"]]) if item["path"] in files else None,
                }
                for item in payload["files"]
            ],
            "commitOid": oid,
        },
    )


def _create_commit(hub: HubStandIn, repo: Repo, revision: str, received: Received) -> _Answer:
    lines = [json.loads(line) for line in received.body.decode().splitlines() if line.strip()]
    header = next(line["value"] for line in lines if line["key"] == "header")
    base_oid = header.get("parentCommit") or repo.resolve(revision)
    if base_oid is None or base_oid not in repo.commits:
        raise _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
    create_pr = received.query.get("create_pr") == ["1"]
    if not create_pr and header.get("parentCommit") and repo.resolve(revision) != base_oid:
        raise _error(412, None, "A commit has happened since. Please refresh and try again.")
    files = dict(repo.commits[base_oid].files)
    for line in lines:
        if line["key"] == "file":
            files[line["value"]["path"]] = base64.b64decode(line["value"]["content"])
        elif line["key"] == "deletedFile":
            files.pop(line["value"]["path"], None)
        elif line["key"] != "header":
            raise _error(400, None, f"The stand-in does not take {line['key']} lines")
    author = f"user-{received.token[:6]}"
    answer = {"success": True}
    if create_pr:
        num = len(repo.discussions) + 1
        branch = f"refs/pr/{num}"
        repo.branches[branch] = base_oid
        oid = hub._commit(repo, branch, files, header["summary"], author, header.get("description", ""))
        base = revision.removeprefix("refs/heads/")
        repo.discussions.append(
            Discussion(
                num=num,
                title=header["summary"],
                author=author,
                is_pull_request=True,
                created_at=_now(),
                description=header.get("description", ""),
                branch=branch,
                base=f"refs/heads/{base if base in repo.branches else 'main'}",
            )
        )
        answer["pullRequestUrl"] = f"{hub.url}/{repo.repo_id}/discussions/{num}"
    else:
        oid = hub._commit(repo, revision, files, header["summary"], author, header.get("description", ""))
    answer.update(commitUrl=f"{hub.url}/{repo.repo_id}/commit/{oid}", commitOid=oid)
    return _Answer(200, answer)


def _discussion(repo: Repo, num: int) -> Discussion:
    if not 1 <= num <= len(repo.discussions):
        raise _error(404, None, "Discussion not found")
    return repo.discussions[num - 1]


def _discussion_summary(repo: Repo, discussion: Discussion) -> dict:
    return {
        "num": discussion.num,
        "title": discussion.title,
        "status": discussion.status,
        "isPullRequest": discussion.is_pull_request,
        "createdAt": discussion.created_at,
        "author": {"name": discussion.author},
        "repo": {"name": repo.repo_id, "type": "model"},
        "numComments": 1 + len(discussion.comments),
        "pinned": False,
    }


def _discussion_list(repo: Repo, received: Received) -> _Answer:
    query = {key: values[0] for key, values in received.query.items()}
    found = list(reversed(repo.discussions))  # newest first, as the Hub lists them
    if query.get("type") == "pull_request":
        found = [d for d in found if d.is_pull_request]
    elif query.get("type") == "discussion":
        found = [d for d in found if not d.is_pull_request]
    if query.get("status") in ("open", "closed"):
        found = [d for d in found if (d.status in ("open", "draft")) == (query["status"] == "open")]
    if query.get("author"):
        found = [d for d in found if d.author == query["author"]]
    page, size = int(query.get("p", 0)), 50
    items = found[page * size : (page + 1) * size]
    return _Answer(
        200,
        {
            "discussions": [_discussion_summary(repo, d) for d in items],
            "count": len(found),
            "start": page * size,
            "numItems": len(items),
            "numClosedDiscussions": sum(d.status != "open" for d in found),
        },
    )


def _discussion_details(hub: HubStandIn, repo: Repo, discussion: Discussion) -> dict:
    details = _discussion_summary(repo, discussion)
    opening = {
        "id": f"{discussion.num:024x}",
        "type": "comment",
        "createdAt": discussion.created_at,
        "author": {"name": discussion.author},
        "data": {"edited": False, "hidden": False, "latest": {"raw": discussion.description}},
    }
    details["events"] = [opening, *discussion.comments]
    if discussion.is_pull_request:
        details["changes"] = {"base": discussion.base}
        if discussion.merge_commit:
            details["changes"]["mergeCommitId"] = discussion.merge_commit
        details["filesWithConflicts"] = []
        details["diff"] = ""
    return details


def _change_discussion(discussion: Discussion, resource: str, received: Received, token: str) -> _Answer:
    body = json.loads(received.body or b"{}")
    event = {
        "id": f"{discussion.num:012x}{len(discussion.comments):012x}",
        "createdAt": _now(),
        "author": {"name": f"user-{token[:6]}"},
    }
    if resource == "comment":
        event.update(
            type="comment", data={"edited": False, "hidden": False, "latest": {"raw": body["comment"]}}
        )
        discussion.comments.append(event)
        return _Answer(200, {"newMessage": event})
    if resource == "status":
        discussion.status = body["status"]
        event.update(type="status-change", data={"status": body["status"]})
        discussion.comments.append(event)
        return _Answer(200, {"newStatus": event})
    raise _error(404, None, f"The stand-in has no discussion action {resource}")


def _bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def hub(settings):
    """A running stand-in Hub; the site's HUB_* settings point at it for the test."""
    from huggingface_hub.utils import close_session

    standin = HubStandIn().start()
    settings.HUB_ENDPOINT = standin.url
    settings.HUB_TOKEN = ""
    settings.HUB_TIMEOUT = 2.0
    settings.HUB_SYNC_ENABLED = True
    yield standin
    standin.stop()
    close_session()  # no pooled connection to a stopped server outlives the test
