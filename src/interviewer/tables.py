"""Tidy tables (pandas DataFrames) of the project's files: personas, transcripts,
responses (long or wide), matches and every table of a report.

pandas is optional (``pip install 'interviewer[tables]'``); without it every function
here raises one ``MissingExtraError`` naming the extra. Tables are built from the
contracts (``Persona``, ``SimulatedResponse``, ``Questionnaire``) and from the dict that
``report.json`` holds, so a report read back from disk gives the same tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewer.contracts.demographics import most_likely
from interviewer.contracts.persona import Persona
from interviewer.contracts.questionnaire import Questionnaire
from interviewer.contracts.responses import SimulatedResponse
from interviewer.errors import InterviewerError, UserInputError
from interviewer.storage import read_user_text

if TYPE_CHECKING:
    import pandas as pd

TABLES_EXTRA = "interviewer[tables]"


class MissingExtraError(InterviewerError):
    """An optional dependency is not installed; the message names the extra."""

    exit_code = 2


def pandas() -> Any:
    """The pandas module, or a one-line error naming the extra that installs it."""
    try:
        import pandas as pd
    except ImportError:
        raise MissingExtraError(
            f"tables need pandas, which is not installed: pip install '{TABLES_EXTRA}'"
        ) from None
    return pd


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingExtraError(
            f"parquet needs pyarrow, which is not installed: pip install '{TABLES_EXTRA}'"
        ) from None


def personas_frame(personas: Iterable[Persona]) -> pd.DataFrame:
    """One row per persona: method, words, critic flags, repairs, and per trait the most
    likely value (``<trait>``) and its distribution (``<trait>_probs``, a dict)."""
    rows = [_persona_row(p) for p in personas]
    return _frame(rows, ["persona_id", "method", "words", "flags", "repairs", "seed"])


def _persona_row(persona: Persona) -> dict[str, Any]:
    row: dict[str, Any] = {
        "persona_id": persona.id,
        "method": persona.method,
        "words": persona.stats.words,
        "flags": sum(not v.consistent for v in persona.critic),
        "repairs": sum(v.action == "repaired" for v in persona.critic),
        "seed": persona.seed,
        "seed_text": persona.seed_text,
        "final_check_consistent": (
            persona.final_check.consistent if persona.final_check is not None else None
        ),
        "tokens": persona.stats.tokens,
        "seconds": persona.stats.seconds,
        "prompt_version": persona.prompt_version,
    }
    for trait, distribution in persona.demographics.items():
        row[trait] = most_likely(distribution)
        row[f"{trait}_probs"] = dict(distribution)
    return row


def transcripts_frame(personas: Iterable[Persona]) -> pd.DataFrame:
    """One row per turn: persona, turn index, role, kind, AVP question, text, and for an
    answer the critic's last verdict on it and how many drafts were rejected."""
    rows: list[dict[str, Any]] = []
    for persona in personas:
        verdicts: dict[int, list[Any]] = {}
        for verdict in persona.critic:
            verdicts.setdefault(verdict.turn, []).append(verdict)
        for index, turn in enumerate(persona.transcript):
            judged = verdicts.get(index, [])
            rows.append(
                {
                    "persona_id": persona.id,
                    "turn": index,
                    "role": turn.role,
                    "kind": turn.kind,
                    "question_id": turn.question_id,
                    "text": turn.text,
                    "words": len(turn.text.split()),
                    "critic_consistent": judged[-1].consistent if judged else None,
                    "repairs": sum(v.action == "repaired" for v in judged),
                }
            )
    columns = ["persona_id", "turn", "role", "kind", "question_id", "text", "words"]
    return _frame(rows, [*columns, "critic_consistent", "repairs"])


def responses_frame(
    responses: Sequence[SimulatedResponse],
    questionnaire: Questionnaire | None = None,
    *,
    wide: bool = False,
    labels: bool = False,
) -> pd.DataFrame:
    """Long: one row per respondent × question, ``probs`` a list and one ``p_<k>``
    column per option. Wide: one row per respondent, one column per question holding
    the answer's 0-based index, or with ``labels`` the option label (needs the
    questionnaire)."""
    if labels and questionnaire is None:
        raise UserInputError("labels need the questionnaire (the option labels live there)")
    if wide:
        return _wide(responses, questionnaire, labels)
    return _long(responses, questionnaire, labels)


def _long(
    responses: Sequence[SimulatedResponse], questionnaire: Questionnaire | None, labels: bool
) -> pd.DataFrame:
    width = max((len(r.probs) for r in responses), default=0)
    rows = []
    for r in responses:
        row: dict[str, Any] = {
            "persona_id": r.persona_id,
            "question_id": r.question_id,
            "answer": r.answer,
        }
        if labels and questionnaire is not None:
            row["answer_label"] = _label(questionnaire, r.question_id, r.answer)
        row |= {"probs": list(r.probs), "conditioning": r.conditioning, "model": r.model}
        row |= {"letter_mass": r.letter_mass, "mode": r.mode, "debias": r.debias}
        row |= {f"p_{k}": (r.probs[k] if k < len(r.probs) else None) for k in range(width)}
        rows.append(row)
    frame = _frame(rows, ["persona_id", "question_id", "answer", "probs"])
    return _typed(frame, ["persona_id", "question_id"], ["answer"])


def _wide(
    responses: Sequence[SimulatedResponse], questionnaire: Questionnaire | None, labels: bool
) -> pd.DataFrame:
    pdm = pandas()
    order = (
        [q.id for q in questionnaire.questions]
        if questionnaire is not None
        else list(dict.fromkeys(r.question_id for r in responses))
    )
    by_person: dict[str, dict[str, Any]] = {}
    for r in responses:
        value: Any = r.answer
        if labels and questionnaire is not None:
            value = _label(questionnaire, r.question_id, r.answer)
        by_person.setdefault(r.persona_id, {})[r.question_id] = value
    rows = [{"persona_id": pid, **answers} for pid, answers in sorted(by_person.items())]
    frame: pd.DataFrame = pdm.DataFrame(rows, columns=["persona_id", *order])
    frame["persona_id"] = frame["persona_id"].astype("string")
    for qid in order:
        # Unasked questions stay missing (pandas' <NA>), never 0 or "".
        frame[qid] = frame[qid].astype("string" if labels else "Int64")
    return frame


def _label(questionnaire: Questionnaire, question_id: str, answer: int) -> str:
    question = questionnaire.by_id.get(question_id)
    if question is None:
        raise UserInputError(f"question {question_id!r} is not in questionnaire {questionnaire.id}")
    return question.options[answer]


def matches_frame(path: Path) -> pd.DataFrame:
    """The match CSV: respondent_id, persona_id, log_weight (-inf: weight 0), objective."""
    text = read_user_text(path, "utf-8-sig")
    rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(text, newline="")))
    try:
        for row in rows:
            row["log_weight"] = float(row["log_weight"])
    except (KeyError, TypeError, ValueError):
        raise UserInputError(
            f"{path}: expected columns respondent_id, persona_id, log_weight (a number)"
        ) from None
    frame = _frame(rows, ["respondent_id", "persona_id", "log_weight", "objective"])
    return _typed(frame, ["respondent_id", "persona_id", "objective"], [])


REPORT_TABLES = ("methods", "subgroups", "questions", "distributions", "gaps")
"""The tables of a report, in the order ``report_tables`` returns them."""

_METRICS = (
    "n",
    "wd_mean",
    "fro",
    "alpha",
    "alpha_n",
    "corr_n",
    "representativeness",
    "simbench",
    "jsd",
    "dispersion",
    "extremity",
)


def report_tables(
    body: Mapping[str, Any], questionnaire: Questionnaire | None = None
) -> dict[str, pd.DataFrame]:
    """Every table of a report, from the dict ``report.json`` holds: ``methods`` (one
    row per method and the human bound, with intervals), ``subgroups`` (method × trait
    × value, bounds included), ``questions`` (per-question metrics), ``distributions``
    (source × question × option, labelled given the questionnaire) and ``gaps``
    (higher-order studies)."""
    return {
        "methods": _methods_table(body),
        "subgroups": _subgroups_table(body),
        "questions": _questions_table(body),
        "distributions": _distributions_table(body, questionnaire),
        "gaps": _gaps_table(body),
    }


def _scores_row(label: str, scores: Mapping[str, Any] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"method": label}
    scores = scores or {}
    for metric in _METRICS:
        row[metric] = scores.get(metric)
    for metric in ("wd_mean", "fro"):
        interval = scores.get(f"{metric}_ci") or (None, None)
        row[f"{metric}_lo"], row[f"{metric}_hi"] = interval
    return row


def _methods_table(body: Mapping[str, Any]) -> pd.DataFrame:
    rows = [_scores_row(m["label"], m["overall"]) for m in body.get("methods", [])]
    if body.get("methods"):
        rows.append(_scores_row("human bound", body.get("bound")))
    return _numeric(_frame(rows, ["method", *_METRICS]))


def _subgroups_table(body: Mapping[str, Any]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    sources = [(m["label"], m.get("subgroups", {})) for m in body.get("methods", [])]
    sources.append(("human bound", body.get("subgroup_bounds", {})))
    for label, traits in sources:
        for trait, values in traits.items():
            for value, scores in values.items():
                row = _scores_row(label, scores)
                # An empty subgroup is stated (scored False), never a row of zeros.
                rows.append({"trait": trait, "value": value, "scored": scores is not None, **row})
    return _numeric(_frame(rows, ["method", "trait", "value", "scored", *_METRICS]))


def _questions_table(body: Mapping[str, Any]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for m in body.get("methods", []):
        overall = m["overall"]
        for qid, wd in overall.get("wd", {}).items():
            rows.append(
                {"method": m["label"], "question_id": qid, "wd": wd}
                | dict(overall.get("questions", {}).get(qid, {}))
            )
    return _numeric(_frame(rows, ["method", "question_id", "wd"]))


def _distributions_table(
    body: Mapping[str, Any], questionnaire: Questionnaire | None
) -> pd.DataFrame:
    sources = [("human", body.get("human_distributions", {}))]
    sources += [(m["label"], m.get("distributions", {})) for m in body.get("methods", [])]
    rows: list[dict[str, Any]] = []
    for source, dists in sources:
        for qid, shares in dists.items():
            for option, share in enumerate(shares):
                label = (
                    questionnaire.by_id[qid].options[option]
                    if questionnaire is not None and qid in questionnaire.by_id
                    else None
                )
                rows.append(
                    {
                        "source": source,
                        "question_id": qid,
                        "option": option,
                        "option_label": label,
                        "share": share,
                    }
                )
    return _numeric(_frame(rows, ["source", "question_id", "option", "option_label", "share"]))


def _gaps_table(body: Mapping[str, Any]) -> pd.DataFrame:
    rows = [
        {"method": label, **gap}
        for label, found in body.get("higher_order", {}).items()
        for gap in found
    ]
    columns = ["method", "study", "party", "gap", "d", "n", "target_gap", "target_d"]
    return _numeric(_frame(rows, [*columns, "direction", "direction_ok"]))


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as a frame; the named columns first (and present even with no rows)."""
    pdm = pandas()
    extra = list(dict.fromkeys(k for row in rows for k in row if k not in columns))
    frame: pd.DataFrame = pdm.DataFrame(rows, columns=[*columns, *extra])
    return frame


def _typed(frame: pd.DataFrame, strings: list[str], integers: list[str]) -> pd.DataFrame:
    for column in strings:
        frame[column] = frame[column].astype("string")
    for column in integers:
        frame[column] = frame[column].astype("Int64")
    return frame


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """report.json writes an undefined value as null; as a number column it is NaN."""
    pdm = pandas()
    for column in frame.columns:
        if column in _COUNTS:
            frame[column] = pdm.to_numeric(frame[column], errors="raise").astype("Int64")
        elif column in _METRICS or column.endswith(("_lo", "_hi")) or column in _NUMBERS:
            frame[column] = pdm.to_numeric(frame[column], errors="raise").astype("float64")
    return frame


_COUNTS = frozenset({"n", "alpha_n", "corr_n", "option"})


_NUMBERS = frozenset(
    {"wd", "share", "gap", "d", "target_gap", "target_d"}
    | {"representativeness", "simbench", "jsd", "dispersion"}
)
