"""Running wrk as a separate process and reading its report."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

INSTALL_HINT = (
    "wrk is not installed; `make bench` needs it to load the server. Install it with "
    "`sudo apt-get install -y wrk` (Debian, Ubuntu) or `brew install wrk` (macOS), "
    "then run `make bench` again."
)

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses plus socket errors

    def as_dict(self) -> dict:
        return asdict(self)


def wrk_path() -> str | None:
    return shutil.which("wrk")


def post_script(folder: Path, *, body: str, cookie: str) -> Path:
    """A wrk Lua script that POSTs `body` (form-encoded) with `cookie` on every request."""
    script = folder / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {_lua_string(body)}\n"
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = {_lua_string(cookie)}\n',
        encoding="utf-8",
    )
    return script


def _lua_string(value: str) -> str:
    # A long bracket string: no escapes needed, as long as the closing bracket never occurs inside.
    level = "=" * 4
    assert f"]{level}]" not in value
    return f"[{level}[{value}]{level}]"


def run(
    url: str,
    *,
    seconds: float,
    connections: int,
    cookie: str = "",
    script: Path | None = None,
) -> Load:
    """Load `url` for `seconds` with one wrk thread and `connections` open connections."""
    command = [
        wrk_path() or "wrk",
        "--latency",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
    ]
    if cookie and script is None:
        command += ["-H", f"Cookie: {cookie}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    report = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout  # noqa: S603
    return parse(report)


def parse(report: str) -> Load:
    latencies = {percent: float(value) * _UNITS[unit] for percent, value, unit in _LATENCY.findall(report)}
    sockets = _SOCKET.search(report)
    non_2xx = _NON_2XX.search(report)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(count) for count in sockets.groups()) if sockets else 0
    )
    return Load(
        requests_per_second=float(_RPS.search(report).group(1)),
        p50_ms=latencies["50"],
        p99_ms=latencies["99"],
        requests=int(_TOTAL.search(report).group(1)),
        errors=errors,
    )
