"""Browser journeys: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium (or the playwright package) these tests are skipped with the reason shown;
under CI (the CI environment variable set) that is a failure instead, so CI never passes by skipping.
Every page a journey opens is watched for JavaScript errors and Content-Security-Policy violations,
and a failing journey leaves a screenshot in test-artifacts/.
"""

import os
import re
from pathlib import Path

import pytest

# Debian's Chromium; CHROMIUM names another build (a test of the skip, a developer's own machine).
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    # Without these Chromium keeps trying to reach outside hosts, which the network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
TEST_PASSWORD = "pw-for-tests-1"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
_ASYNC_UNSAFE_BEFORE = pytest.StashKey[str | None]()

# Reported by a listener added before any page script runs, so a blocked inline script is caught too.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline code";
  console.error("CSP violation: " + event.violatedDirective + " blocked " + blocked);
});
"""


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so the page fixture knows whether to take a screenshot."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _unavailable(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser journeys cannot run, and CI must run them: {what}", pytrace=False)
    pytest.skip(f"browser journeys skipped: {what}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Playwright's sync API keeps an event loop running in this thread, so Django would refuse the
    ORM calls a journey makes between browser steps. Allowed for the browser tests alone, from before
    their fixtures start to after the last one ends: the variable must never reach other tests'
    subprocesses (`check --deploy` rightly refuses it)."""
    item.stash[_ASYNC_UNSAFE_BEFORE] = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        before = item.stash.get(_ASYNC_UNSAFE_BEFORE, None)
        if before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = before


@pytest.fixture(scope="package")
def browser(django_db_setup, live_server):
    """Chromium, started after the test database and live server so their setup runs loop-free, and
    stopped with the last browser test: Playwright's event loop must not outlive them, or other
    tests' database calls would be refused as coming from an async context."""
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable(
            "browser journeys skipped: playwright is not installed (pip install -r requirements-test.txt)"
        )
    # Assertions wait as long as actions do: on a loaded 2-core machine a debounced preview
    # round trip can take longer than Playwright's 5-second default.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """What went wrong in the browser while a journey ran: console errors, uncaught exceptions, CSP."""

    def __init__(self):
        self.problems: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Expect a console error matching `pattern`, such as the 400 of a form sent back with errors."""
        self.allowed.append(re.compile(pattern))

    def console(self, message) -> None:
        if message.type == "error" and not any(p.search(message.text) for p in self.allowed):
            self.problems.append(f"console error: {message.text}")

    def page_error(self, error) -> None:
        self.problems.append(f"uncaught exception: {error}")


@pytest.fixture
def watch():
    return PageWatch()


@pytest.fixture
def page(request, live_server, browser, watch, transactional_db):
    """A fresh browser context on the live server; fails the journey on any console error or CSP report."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(script=_REPORT_CSP_VIOLATIONS)
    tab = context.new_page()
    tab.on("console", watch.console)
    tab.on("pageerror", watch.page_error)
    yield tab
    failed = any(
        getattr(request.node, f"report_{when}", None) and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    if failed or watch.problems:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for number, open_page in enumerate(context.pages):
            suffix = f"-{number}" if number else ""
            open_page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
    context.close()
    if watch.problems and not failed:
        pytest.fail("the browser reported problems:\n" + "\n".join(watch.problems), pytrace=False)


@pytest.fixture
def log_in(page):
    """Log in through the real login form, as a person would."""

    def log_in_as(user, *, next_url: str = "/"):
        page.goto(f"/accounts/login/?next={next_url}")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**{next_url}")

    return log_in_as


@pytest.fixture
def axe_violations(page):
    """Run axe-core on the open page; the serious and critical violations, each described in a line."""
    source = AXE.read_text(encoding="utf-8")

    def run() -> list[str]:
        # Evaluated through the DevTools protocol, which the page's CSP does not govern, so the
        # policy needs no exception for a test tool.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            for violation in results["violations"]
            if violation["impact"] in ("serious", "critical")
        ]

    return run
