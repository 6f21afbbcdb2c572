"""Every page of the real app loads in a real browser with no exception, on screen or in the log."""

from __future__ import annotations

import re

import pytest

from accessibility import blocking_violations
from conftest import save_screenshot
from streamlit_page import exception_texts, open_app_page, wait_until_idle

pytestmark = pytest.mark.browser

PAGES = [("home", "Emotion Mirror"), ("live", "Live"), ("upload", "Upload"), ("practice", "Practice"), ("models", "Models")]
SERVER_ERROR = re.compile(r"Traceback|Exception|Error:", re.IGNORECASE)


@pytest.mark.parametrize(("url_path", "heading"), PAGES)
def test_page_loads_without_errors(app_server, page, url_path, heading):
    log_before = len(app_server.log())
    open_app_page(page, app_server.url, url_path, heading)
    save_screenshot(page, f"page-{url_path}")
    assert exception_texts(page) == []
    assert blocking_violations(page) == []  # axe-core: issue 42
    assert "Privacy" in page.inner_text('[data-testid="stSidebar"]')
    new_log = app_server.log()[log_before:]
    assert not SERVER_ERROR.search(new_log), new_log


def test_navigation_reaches_every_page(app_server, page):
    open_app_page(page, app_server.url, "", "Emotion Mirror")
    for url_path, heading in PAGES[1:]:
        page.locator('[data-testid="stSidebarNav"] a', has_text=heading).first.click()
        page.wait_for_url(re.compile(rf"/{url_path}(\?.*)?$"), timeout=30_000)  # Practice puts its deck in the address
        page.locator("h1", has_text=heading).first.wait_for(timeout=30_000)


def test_models_page_shows_every_card(app_server, page):
    from emotion.registry import ALL_MODELS

    open_app_page(page, app_server.url, "models", "Models")
    main = page.inner_text('[data-testid="stMain"]')
    for spec in ALL_MODELS:
        assert spec.title in main
        assert spec.read_card() is not None, f"{spec.card} is missing: the model has no card"
    assert main.count("Good at") == len(ALL_MODELS) and main.count("Weak at") == len(ALL_MODELS)  # plain words first
    experts = page.locator("[data-testid=\"stExpander\"] summary", has_text="Details for experts")
    assert experts.count() == len(ALL_MODELS)
    for i in range(len(ALL_MODELS)):
        experts.nth(i).click()  # the metrics, the matrix and the commands are one click away
    # Once (in a full CI run) the page text was read before the metric columns had drawn.
    f1 = page.locator('[data-testid="stMetricLabel"]', has_text="Macro-F1")
    f1.nth(len(ALL_MODELS) - 1).wait_for(timeout=30_000)
    assert f1.count() == len(ALL_MODELS)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.nth(2 * len(ALL_MODELS) - 1).wait_for(state="attached", timeout=30_000)
    assert charts.count() == 2 * len(ALL_MODELS)  # recall bars + confusion matrix per model
    save_screenshot(page, "page-models-cards")
    wait_until_idle(page)
    assert blocking_violations(page) == []


def test_the_server_started_as_the_readme_says_watches_no_folder_tree(page, tmp_path):
    """With the config's file watcher (as ./scripts/app starts the app), a visit leaves no
    recursive inotify watches on the project (.venv held thousands) and a quiet log."""
    from pathlib import Path

    from app_server import StreamlitServer

    with StreamlitServer(tmp_path / "streamlit.log", file_watcher=None) as server:
        open_app_page(page, server.url, "upload", "Upload")
        page.wait_for_timeout(2_000)
        watches = 0
        for info in Path(f"/proc/{server.process.pid}/fdinfo").iterdir():
            try:
                watches += sum(line.startswith("inotify wd:") for line in info.read_text().splitlines())
            except OSError:
                continue  # a descriptor closed while we read
        assert watches < 50, f"{watches} inotify watches"
        assert "Inotify" not in server.log() and not SERVER_ERROR.search(server.log()), server.log()
