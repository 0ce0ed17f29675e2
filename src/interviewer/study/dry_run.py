"""``eval --suite FILE --dry-run``: the user's own suite, questionnaire and human file
against the simulated engine, at a few respondents per method, in seconds.

Every role is the simulated engine (``interviewer.simulated``), the response cache is
off, and each method makes at most ``PERSONAS`` personas and samples at most ``HUMANS``
humans: what is tested is the wiring, not the numbers. Every file the run writes
names the SIMULATED engine (manifests and responses by the model identity, report.json,
tables and plots by its note), so no simulated number can pass for a real one.
"""

from __future__ import annotations

from pathlib import Path

from interviewer.contracts.questionnaire import Questionnaire, load_questionnaire
from interviewer.contracts.responses import read_responses
from interviewer.settings import ROLES, Settings
from interviewer.simulated import SIMULATED_NOTE
from interviewer.storage import atomic_write_text
from interviewer.study.prepare import suite_questionnaire
from interviewer.study.schema import Suite

PERSONAS = 4
HUMANS = 16


def dry_run_suite(suite: Suite) -> Suite:
    """The suite at dry-run size: ``PERSONAS`` per method, ``HUMANS`` humans, few
    bootstrap resamples and splits."""
    methods = [m.model_copy(update={"n": min(m.n, PERSONAS)}) for m in suite.methods]
    sample = min(suite.sample or HUMANS, HUMANS)
    return suite.model_copy(
        update={
            "methods": methods,
            "sample": sample,
            "bootstrap": min(suite.bootstrap, 20),
            "splits": min(suite.splits, 4),
            "title": f"DRY RUN (SIMULATED engine): {suite.title or suite.id}",
        }
    )


def dry_run_settings(settings: Settings) -> Settings:
    """``settings`` with every role on the simulated engine and the cache off (a dry
    run's answers must never be read back as a model's). The engine speaks completions
    only, so every role's ``api`` becomes ``completions`` here too."""
    for name in ROLES:
        role = settings.role(name)
        role.backend = "simulated"
        role.base_url = None
        role.api = "completions"
    settings.cache = False
    return settings


MARKER = "SIMULATED_DRY_RUN.txt"


def mark_dry_run(out: Path) -> Path:
    """A file at the top of ``out`` saying what the folder is, written before the run
    so even a run that fails part-way is marked."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / MARKER
    atomic_write_text(path, f"{SIMULATED_NOTE}.\nWritten by interviewer eval --dry-run.\n")
    return path


def wiring_problems(suite: Suite, out: Path) -> list[str]:
    """What did not wire through: methods or questions nobody answered, personas that
    failed. Empty when every method answered every question it could be asked."""
    questionnaire = load_questionnaire(suite_questionnaire(suite, out))
    problems: list[str] = []
    for method in suite.methods:
        failed = out / method.run_label / "failed"
        if method.makes_personas and failed.is_dir() and any(failed.iterdir()):
            problems.append(f"{method.label}: {len(list(failed.iterdir()))} persona(s) failed")
        problems += _unanswered(
            method.label, out / f"responses_{method.label}.jsonl", questionnaire
        )
    return problems


def _unanswered(label: str, path: Path, questionnaire: Questionnaire) -> list[str]:
    if not path.exists():
        return [f"{label}: no responses file {path.name}"]
    answered = {r.question_id for r in read_responses(path, questionnaire)}
    missing = [q.id for q in questionnaire.questions if q.id not in answered]
    if missing:
        return [f"{label}: nobody answered {', '.join(missing)}"]
    return []
