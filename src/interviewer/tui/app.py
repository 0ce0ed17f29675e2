"""``interviewer inspect DIR``: browse a run's personas, transcripts and critic verdicts."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Static

from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_persona, no_personas, persona_files
from interviewer.contracts.responses import SimulatedResponse, read_responses
from interviewer.errors import UserInputError
from interviewer.tui.index import Summary, SummaryIndex
from interviewer.tui.render import demographics_table, responses_table, transcript_blocks

METHODS = ("all", "interview", "anthology")
BATCH = 500


class InspectApp(App[None]):
    """Persona list on the left, the open transcript in the middle, profile on the right."""

    TITLE = "interviewer inspect"
    CSS = """
    #left { width: 44; }
    #personas { height: 1fr; }
    #status { height: 2; color: $text-muted; }
    #transcript { width: 1fr; padding: 0 1; }
    #side { width: 34; padding: 0 1; }
    #side.hidden { display: none; }
    .turn { margin-top: 1; }
    .verdict { color: $text-muted; }
    .flag { background: $error 15%; }
    .contradicted { border-left: thick $warning; }
    .current { background: $accent 30%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("slash", "search", "Search"),
        Binding("f", "toggle_flagged", "Flagged only"),
        Binding("m", "cycle_method", "Method"),
        Binding("v", "next_verdict", "Next verdict"),
        Binding("r", "toggle_rejected", "Repairs"),
        Binding("d", "toggle_side", "Side panel"),
        Binding("escape", "focus_list", "List", show=False),
    ]

    def __init__(self, run_dir: Path, responses: Path | None = None) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.paths = persona_files(run_dir)
        if not self.paths:
            raise UserInputError(no_personas(run_dir))
        self.responses = _responses_by_persona(responses)
        self.summaries: dict[str, Summary] = {}
        self.flagged_only = False
        self.method = "all"
        self.matches: set[str] | None = None
        self.query_text = ""
        self.show_rejected = False
        self.open_id: str | None = None
        self._verdict_cursor = -1

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="left"):
                yield Input(placeholder="/ search transcripts, enter to apply", id="search")
                yield DataTable(id="personas", cursor_type="row", zebra_stripes=True)
                yield Static(id="status")
            yield VerticalScroll(id="transcript")
            with VerticalScroll(id="side"):
                yield Static(id="demographics")
                yield Static(id="answers")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#personas", DataTable)
        table.add_column("id", key="id")
        for column in ("method", "words", "flags", "fix", "demo"):
            table.add_column(column, key=column)
        table.focus()
        self.sub_title = str(self.run_dir)
        self._status()
        self.load_index()

    # ── loading ───────────────────────────────────────────────────────────────

    @work(thread=True, exclusive=True, group="index")
    def load_index(self) -> None:
        index = SummaryIndex(self.run_dir)
        batch: list[Summary] = []
        for summary in index.summaries(self.paths):
            batch.append(summary)
            if len(batch) >= BATCH:
                self.call_from_thread(self._add, batch)
                batch = []
        self.call_from_thread(self._add, batch)
        index.save()

    def _add(self, batch: list[Summary]) -> None:
        table = self.query_one("#personas", DataTable)
        for summary in batch:
            self.summaries[summary.id] = summary
            if self._shown(summary):
                table.add_row(*_row(summary), key=summary.id)
        self._status()

    # ── filtering ─────────────────────────────────────────────────────────────

    def _shown(self, summary: Summary) -> bool:
        if self.flagged_only and summary.flags == 0:
            return False
        if self.method != "all" and summary.method != self.method:
            return False
        return self.matches is None or summary.id in self.matches

    def _refilter(self) -> None:
        table = self.query_one("#personas", DataTable)
        table.clear()
        for summary in self.summaries.values():
            if self._shown(summary):
                table.add_row(*_row(summary), key=summary.id)
        self._status()

    def action_toggle_flagged(self) -> None:
        self.flagged_only = not self.flagged_only
        self._refilter()

    def action_cycle_method(self) -> None:
        self.method = METHODS[(METHODS.index(self.method) + 1) % len(METHODS)]
        self._refilter()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one("#personas", DataTable).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        if not self.query_text:
            self.matches = None
            self._refilter()
        else:
            self._status(f"searching {len(self.paths):,} transcripts for “{self.query_text}”…")
            self.search(self.query_text)
        self.action_focus_list()

    @work(thread=True, exclusive=True, group="search")
    def search(self, query: str) -> None:
        needle = query.lower()
        found = set()
        for path in self.paths:
            try:
                persona = load_persona(path)
            except UserInputError:
                continue
            if any(needle in turn.text.lower() for turn in persona.transcript):
                found.add(persona.id)
        self.call_from_thread(self._apply_search, found)

    def _apply_search(self, found: set[str]) -> None:
        self.matches = found
        self._refilter()

    def _status(self, message: str | None = None) -> None:
        table = self.query_one("#personas", DataTable)
        loaded = len(self.summaries)
        total = len(self.paths)
        parts = [f"{table.row_count:,} shown of {total:,}"]
        if loaded < total:
            parts.append(f"indexing {loaded:,}/{total:,}")
        parts.append(f"method: {self.method}")
        if self.flagged_only:
            parts.append("flagged only")
        if self.query_text:
            parts.append(f"search: “{self.query_text}”")
        self.query_one("#status", Static).update(message or " · ".join(parts))

    # ── the open persona ──────────────────────────────────────────────────────

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self.open_persona(event.row_key.value)

    def open_persona(self, persona_id: str) -> None:
        self.open_id = persona_id
        self._verdict_cursor = -1
        pane = self.query_one("#transcript", VerticalScroll)
        pane.remove_children()
        summary = self.summaries.get(persona_id)
        if summary is not None and summary.error:
            pane.mount(Static(Text(f"⚠ {persona_id}: {summary.error}", style="bold red")))
            self._side(None)
            return
        persona = load_persona(self.run_dir / f"{persona_id}.json")
        widgets = []
        for block in transcript_blocks(persona, self.show_rejected):
            classes: list[str] = [block.kind]
            if block.kind == "verdict" and "✗" in block.text.plain:
                classes.append("flag")
            if block.contradicted:
                classes.append("contradicted")
            widgets.append(Static(block.text, classes=" ".join(classes)))
        pane.mount_all(widgets)
        pane.scroll_home(animate=False)
        self._side(persona)

    def _side(self, persona: Persona | None) -> None:
        demographics = self.query_one("#demographics", Static)
        answers = self.query_one("#answers", Static)
        if persona is None:
            demographics.update("")
            answers.update("")
            return
        demographics.update(demographics_table(persona))
        mine = self.responses.get(persona.id, [])
        answers.update(responses_table(mine) if mine else "")

    def action_next_verdict(self) -> None:
        """Scroll to the next flagged verdict (or the next verdict when none is flagged)."""
        pane = self.query_one("#transcript", VerticalScroll)
        verdicts = list(pane.query(".flag")) or list(pane.query(".verdict"))
        if not verdicts:
            self.notify("no critic verdicts in this transcript")
            return
        for widget in verdicts:
            widget.remove_class("current")
        self._verdict_cursor = (self._verdict_cursor + 1) % len(verdicts)
        target = verdicts[self._verdict_cursor]
        target.add_class("current")
        pane.scroll_to_widget(target, animate=False)

    def action_toggle_rejected(self) -> None:
        self.show_rejected = not self.show_rejected
        if self.open_id:
            self.open_persona(self.open_id)

    def action_toggle_side(self) -> None:
        self.query_one("#side").toggle_class("hidden")


def _row(summary: Summary) -> tuple[str | Text, ...]:
    if summary.error:
        return (
            Text(f"⚠ {summary.id}", style="bold red"),
            Text("corrupt", style="red"),
            "",
            "",
            "",
            "",
        )
    flags = Text(str(summary.flags), style="bold red" if summary.flags else "dim")
    return (
        summary.id,
        summary.method,
        str(summary.words),
        flags,
        str(summary.repairs),
        summary.demographics,
    )


def _responses_by_persona(path: Path | None) -> dict[str, list[SimulatedResponse]]:
    grouped: dict[str, list[SimulatedResponse]] = defaultdict(list)
    if path is not None:
        for response in read_responses(path):
            grouped[response.persona_id].append(response)
    return dict(grouped)
