"""Headless Chromium for the browser tests (Debian's chromium, driven by Playwright).

Playwright's own browser download does not work everywhere; the system chromium does.
Keep ORM calls outside ``with sync_playwright()``: Playwright runs an event loop in the
thread, and Django refuses synchronous database calls from within one.
"""

import os
import shutil
from contextlib import contextmanager

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def require_chromium() -> None:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium)")


@contextmanager
def browser_page(width: int = 1280, height: int = 800):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.problems = problems
            yield page
        finally:
            browser.close()


def screenshot(page, name: str, directory) -> bytes:
    """Full-page PNG, kept in SCREENSHOT_DIR when it is set (for people to look at)."""
    from pathlib import Path

    target = Path(os.environ.get("SCREENSHOT_DIR") or directory)
    target.mkdir(parents=True, exist_ok=True)
    return page.screenshot(path=str(target / f"{name}.png"), full_page=True)
