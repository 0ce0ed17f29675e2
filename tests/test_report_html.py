"""report.html: self-contained (no external URL), every plot embedded, every method in
the table, transcripts with critic verdicts, gaps with wrong signs marked."""

from __future__ import annotations

import base64
import io
from html.parser import HTMLParser
from pathlib import Path

from rich.console import Console

from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from interviewer.contracts.responses import append_responses
from interviewer.evaluation.report import MethodInput, evaluate
from interviewer.paths import resource_dir
from interviewer.study import run_suite
from interviewer.study.demo import DemoSizes, demo_suite
from tests.fakes import simulated

PNG = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """What a browser would load, and the text of each table."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.tags: set[str] = set()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src") or "")
        for name in ("src", "href", "action", "data"):
            if values.get(name):
                self.links.append(values[name] or "")
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(path: Path) -> tuple[Page, str]:
    text = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    return page, text


def assert_self_contained(page: Page, text: str) -> None:
    assert all(link.startswith("data:image/png;base64,") for link in page.links), page.links
    assert not {"script", "link", "iframe"} & page.tags
    assert "url(" not in text and "@import" not in text  # nothing loaded from the CSS


def test_demo_shaped_report_html(tmp_path: Path) -> None:
    suite = demo_suite(DemoSizes(interviews=2, backstories=2, humans=6, questions=2))
    with serving(LoadConfig(flag_rate=0.5)) as server:
        settings = load_server_settings(
            server.base_url, 8, interview={"questions": 2, "target_words": 100}
        )
        result = run_suite(suite, settings, tmp_path, Console(file=io.StringIO()))
    report = tmp_path / "report" / "report.html"
    assert report in result.evaluation.files
    page, text = parse(report)
    assert_self_contained(page, text)
    pngs = sorted((tmp_path / "report").glob("*.png"))
    assert len(pngs) == 2 and len(page.images) == len(pngs)
    embedded = {base64.b64decode(src.split(",", 1)[1]) for src in page.images}
    assert embedded == {p.read_bytes() for p in pngs} and all(e.startswith(PNG) for e in embedded)
    methods = page.tables[0]
    assert methods[0][:3] == ["method", "n", "WD mean"]
    assert [row[0] for row in methods[1:]] == [m.label for m in suite.methods] + ["human bound"]
    assert "[" in methods[1][2]  # the bootstrap interval
    assert "WD mean by party" in text
    assert "Gotten much better" in text  # option labels of the per-question distributions
    assert "Sample transcripts" in text and "critic:" in text
    assert "Provenance" in text and "prompt" in text


def test_gaps_mark_a_wrong_sign(tmp_path: Path) -> None:
    q = resource_dir("evals") / "questionnaires" / "meta_prejudice.yaml"
    humans = tmp_path / "h.csv"
    humans.write_text(
        "respondent_id,weight,party\nd1,1,Democrat\nr1,1,Republican\nr2,1,Republican\n"
    )
    # d1 thinks Republicans are warm to Democrats; they report being cold: Δ < 0, the
    # published target is > 0.
    rows = [("d1", "out_to_in_meta", 4), ("r1", "out_self", 0), ("r2", "out_self", 0)]
    responses = tmp_path / "r.jsonl"
    append_responses(
        responses, [simulated(p, qid, a, [0.2] * 5, "bio", "meta_prejudice") for p, qid, a in rows]
    )
    result = evaluate([MethodInput("bio", responses)], humans, q, tmp_path / "rep")
    page, text = parse(tmp_path / "rep" / "report.html")
    assert_self_contained(page, text)
    assert len(page.images) == 1  # gaps.png
    democrat = next(row for row in page.tables[0] if "Democrat" in row)
    assert democrat[-1] == "✗ wrong sign"
    assert 'class="wrong"' in text
    assert result.files[-1].name == "report.html"


def test_a_suites_ablation_plots_are_embedded_too(tmp_path: Path) -> None:
    from tests.test_study_graph import tiny_suite

    with serving(LoadConfig()) as server:
        settings = load_server_settings(
            server.base_url, 8, interview={"questions": 2, "target_words": 100}
        )
        run_suite(tiny_suite(), settings, tmp_path, Console(file=io.StringIO()))
    page, text = parse(tmp_path / "report" / "report.html")
    assert_self_contained(page, text)
    pngs = sorted((tmp_path / "report").glob("*.png"))
    assert {p.name for p in pngs} >= {"ablation_H1.png", "ablation_H3.png"}
    embedded = {base64.b64decode(src.split(",", 1)[1]) for src in page.images}
    assert embedded == {p.read_bytes() for p in pngs}
