"""Browser tests: Playwright's sync API drives the system Chromium against the live server.

Every test here is marked ``browser``. Chromium must be Debian's (no browser
downloads): without it the tests are skipped locally and fail under CI=true.
Each test gets fresh browser contexts that may only reach the live server,
that keep the strict Content-Security-Policy, and that fail the test on a
JavaScript error or a CSP violation. A failing test leaves a screenshot of each
open page in ``test-artifacts/``.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser.sign_in import sign_in_by_cookie

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
ARTIFACTS = REPO_ROOT / "test-artifacts"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    # Belt and braces with the request guard below: no name but localhost resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 900}
# Any web address whose host is not this machine. A regular expression, not a
# Python function, so Playwright matches in the browser and only these requests
# take the round trip through Python.
OUTSIDE = re.compile(r"^(?:https?|wss?)://(?!(?:localhost|127\.0\.0\.1|\[::1\])(?:[:/]|$))")

_reports_key = pytest.StashKey[dict]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: the marker must be there before `-m` deselects.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # new_context reads this at teardown to decide on screenshots.
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


def _no_browser(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} CI must not skip the browser tests.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        _no_browser(f"Browser tests need Chromium at {CHROMIUM} (apt-get install chromium).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Browser tests need the playwright package (pip install -e '.[dev]').")
    # Playwright's sync API keeps an event loop running in this thread, which
    # Django's async-safety check mistakes for async code calling the ORM.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_url(live_server, transactional_db):
    """The live server's address, over a database as `migrate` leaves it (the
    themes are put back by the suite's own fixture in tests/conftest.py)."""
    return live_server.url


class _Problems:
    """What went wrong inside the browser while a test ran."""

    def __init__(self):
        self.outside_requests: list[str] = []
        self.page_errors: list[str] = []
        self.csp_violations: list[str] = []

    def __bool__(self):
        return bool(self.outside_requests or self.page_errors or self.csp_violations)

    def __str__(self):
        lines = []
        for title, found in [
            ("Requests outside localhost (blocked)", self.outside_requests),
            ("JavaScript errors", self.page_errors),
            ("Content-Security-Policy violations", self.csp_violations),
        ]:
            if found:
                lines.append(f"{title}:")
                lines.extend(f"  - {entry}" for entry in found)
        return "\n".join(lines)


def _watch(page, problems: _Problems) -> None:
    page.on("pageerror", lambda error: problems.page_errors.append(f"{page.url}: {error}"))

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.csp_violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


@pytest.fixture
def new_context(browser, live_url, request):
    """Open a fresh browser context (its own cookies: a separate person).

    Contexts are closed after the test; if the test failed, each open page is
    first saved as a screenshot in test-artifacts/."""
    contexts = []
    problems = _Problems()

    def block(route):
        problems.outside_requests.append(route.request.url)
        route.abort("blockedbyclient")

    def make():
        context = browser.new_context(
            base_url=live_url, viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(10_000)
        context.route(OUTSIDE, block)
        context.on("page", lambda page: _watch(page, problems))
        contexts.append(context)
        return context

    yield make

    reports = request.node.stash.get(_reports_key, {})
    failed = any(r.failed for r in reports.values())
    if failed:
        _screenshots(request.node, contexts)
    for context in contexts:
        context.close()
    if problems:
        if failed:
            print(problems)  # shown with the failure, which comes first
        else:
            pytest.fail(str(problems), pytrace=False)


def _screenshots(node, contexts) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid)
    pages = [page for context in contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        suffix = f"-{number}" if len(pages) > 1 else ""
        try:
            page.screenshot(path=ARTIFACTS / f"{stem}{suffix}.png", full_page=True)
        except Exception as exc:  # A crashed page must not hide the real failure.
            print(f"No screenshot of {page.url}: {exc}")


@pytest.fixture
def page(new_context):
    """A page in a fresh context, at 1280×900, whose relative URLs go to the live server."""
    return new_context().new_page()


@pytest.fixture
def page_as(new_context, live_url):
    """A page in a fresh context, signed in as ``user`` by a session cookie (None: nobody)."""

    def make(user):
        context = new_context()
        if user is not None:
            sign_in_by_cookie(context, user, url=live_url)
        return context.new_page()

    return make


@pytest.fixture
def context_without_javascript(browser, new_context, monkeypatch):
    """A context from the ``new_context`` fixture (only the live server, screenshots
    on failure), opened with ``java_script_enabled=False``."""
    open_context = browser.new_context
    with monkeypatch.context() as patch:
        patch.setattr(
            browser,
            "new_context",
            lambda **options: open_context(java_script_enabled=False, **options),
        )
        context = new_context()
    return context
