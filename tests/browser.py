"""A headless browser for tests that must see a page as people do (layout, not markup).

The system's Chromium (`/usr/bin/chromium`) driven by Playwright; Playwright's own
browser download is never used. A missing browser is an error, not a skip: a test that
checks what readers see must not pass by seeing nothing.

    from browser import chromium_page

    with chromium_page() as page:
        page.goto(path.as_uri())
        page.screenshot(path=tmp_path / "page.png", full_page=True)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def chromium_page(width: int = 1280, height: int = 900) -> Iterator:
    """A fresh Playwright `Page` in headless system Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: the browser tests need Chromium")
    # Chromium writes its config, crash reports and a dconf cache under $HOME and XDG
    # folders: those go to a temp dir, never the user's home.
    with tempfile.TemporaryDirectory(prefix="chromium-home-") as home, sync_playwright() as pw:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_CACHE_HOME": f"{home}/cache",
            "XDG_DATA_HOME": f"{home}/data",
        }
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True, env=env
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()
