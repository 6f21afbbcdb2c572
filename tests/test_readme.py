"""The README is for a parent and for whoever deploys the app; docs/results.md holds every number.

Its first screen says what the app is for, shows the Live page and gives the two commands; its
table and the results page are written by `python -m emotion.train.readme` from the model cards
and the saved benchmark results, never typed in, and the tests fail when either is out of date.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app_server import REPO
from emotion.train import readme

FIRST_SCREEN_LINES = 25
"""About what a browser shows of the README before the reader scrolls."""
README = REPO / "README.md"
RESULTS_PAGE = REPO / "docs" / "results.md"


def _first_screen() -> str:
    return "\n".join(README.read_text().splitlines()[:FIRST_SCREEN_LINES])


def _table_rows(block: str) -> list[list[str]]:
    """The cells of each row of a Markdown table in the block, header and rule left out."""
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in block.splitlines() if line.startswith("| ")]
    return rows[1:]


def test_readme_and_results_page_are_what_the_command_writes_from_the_committed_results():
    """The README's table and docs/results.md are generated from models/*.json and benchmarks/results/, never typed
    in by hand: a card or result committed without rerunning the command fails here."""
    done = subprocess.run([sys.executable, "-m", "emotion.train.readme", "--check"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert readme.summary_block() in README.read_text()
    assert readme.results_block() in RESULTS_PAGE.read_text()
    assert readme.results_block() not in README.read_text()  # the detail lives on its own page


def test_first_screen_says_what_it_is_for_shows_the_live_page_and_gives_the_two_commands():
    screen = _first_screen()
    assert "families" in screen and "teachers" in screen and "not a diagnosis" in screen
    picture = re.search(r"!\[([^\]]+)\]\(docs/screenshot-live\.png\)", screen)
    assert picture and len(picture.group(1).split()) >= 8, "the picture needs alt text that says what it shows"
    assert (REPO / "docs" / "screenshot-live.png").is_file()
    commands = re.findall(r"```bash\n(\S+)", screen)
    assert commands == ["./scripts/app", "./scripts/test"]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    test_command = re.findall(r"```bash\n(\S+)", _first_screen())[1]
    assert re.search(rf"^exec {re.escape(test_command)}$", ci, re.MULTILINE), ci


def test_readme_table_is_a_handful_of_rows_each_naming_its_source_and_linking_the_full_page():
    block = readme.summary_block()
    rows = _table_rows(block)
    assert 4 <= len(rows) <= 7
    assert all(len(row) == 3 and re.search(r"`(models|benchmarks/results)/\w+\.json`", row[2]) for row in rows), rows
    assert "[docs/results.md](docs/results.md)" in block
    face = readme.FACE.read_card()["metrics"]
    assert f"{face['accuracy']:.1%} right" in rows[0][1]  # the face always answers: accuracy alone


def test_a_missing_benchmark_leaves_its_row_out_and_a_missing_card_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(readme, "BENCHMARK_RESULTS", tmp_path)
    monkeypatch.setattr(readme, "FACE", readme.FACE._replace(card=tmp_path / "face.json"))
    rows = _table_rows(readme.summary_block())
    assert [row[0] for row in rows] == ["Face: the expression", "Voice: the feeling in speech",
                                        "Voice: speakers it never heard, in the other languages it learnt"]
    assert rows[0][1] == "not trained and evaluated yet"


def _pages_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Copies of both pages for the command to write instead of the real ones."""
    pages = tmp_path / "README.md", tmp_path / "results.md"
    for copy, page in zip(pages, (README, RESULTS_PAGE)):
        copy.write_text(page.read_text())
    monkeypatch.setattr(readme, "README", pages[0])
    monkeypatch.setattr(readme, "RESULTS_PAGE", pages[1])
    return pages


def test_check_names_a_stale_page_and_the_command_rewrites_only_its_block(tmp_path, monkeypatch, capsys):
    _, results = _pages_in(tmp_path, monkeypatch)
    fresh = results.read_text()
    results.write_text(fresh.replace(readme.START, readme.START + "\na number typed in by hand") + "kept\n")
    with pytest.raises(SystemExit) as stopped:
        readme.main(["--check"])
    assert stopped.value.code == 1 and str(results) in capsys.readouterr().err
    readme.main([])
    assert results.read_text() == fresh + "kept\n"
    readme.main(["--check"])


def test_a_page_without_the_markers_is_an_error(tmp_path, monkeypatch):
    page, _ = _pages_in(tmp_path, monkeypatch)
    page.write_text("# No results here\n")
    with pytest.raises(SystemExit, match="has no <!-- results:start -->"):
        readme.main([])


def test_links_between_the_readme_and_the_results_page_lead_somewhere():
    """The detail moved to docs/: each relative link on either page names a file that exists and, after a #,
    one of its headings (as GitHub spells a heading's anchor)."""
    def anchors(page: Path) -> set[str]:
        prose = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)  # a "# comment" is no heading
        headings = re.findall(r"^#+ (.+)$", prose, re.MULTILINE)
        return {re.sub(r"[^\w\- ]", "", heading.lower()).strip().replace(" ", "-") for heading in headings}

    for page in (README, RESULTS_PAGE):
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            assert linked.is_file(), f"{page.name}: {target}"
            assert not anchor or anchor in anchors(linked), f"{page.name}: {target}"
