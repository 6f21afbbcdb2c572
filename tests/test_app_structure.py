"""The app's pages run headless under Streamlit's AppTest, and emotion/ imports without Streamlit."""

from __future__ import annotations

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO


def test_emotion_package_does_not_import_streamlit():
    modules = [
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in (REPO / "emotion").rglob("*.py")
        if "ui" not in path.relative_to(REPO).parts
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "assert 'streamlit' not in sys.modules, 'emotion/ imported streamlit'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


@pytest.mark.parametrize("page", ["home", "upload", "models"])  # live needs a real server: see the browser tests
def test_page_script_runs(page):
    app = AppTest.from_file(str(REPO / "app_pages" / f"{page}.py"), default_timeout=60).run()
    assert not app.exception, app.exception
    assert app.title, "every page opens with a title"


def test_config_keeps_xsrf_on_and_usage_stats_off():
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] > 0


def test_readme_results_come_from_the_model_cards():
    """The README's numbers are generated from models/*.json, never typed in by hand."""
    done = subprocess.run([sys.executable, "-m", "emotion.train.readme", "--check"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
