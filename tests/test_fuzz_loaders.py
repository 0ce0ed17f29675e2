"""Property-based fuzzing: any input to a loader either loads or is a one-line
``UserInputError`` (exit 2). Never a traceback."""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewer.cli import main
from interviewer.contracts.humans import load_humans
from interviewer.contracts.persona_files import load_persona
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.errors import UserInputError

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
question = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=6), scalars),
        "text": st.one_of(st.text(max_size=20), scalars),
        "options": st.one_of(st.lists(scalars, max_size=5), scalars),
        "framing": st.one_of(st.sampled_from(["self", "meta", "x"]), scalars),
        "audience": st.one_of(
            st.lists(st.sampled_from(["Democrat", "Republican", "Green"])), scalars
        ),
        "orders": st.one_of(
            st.lists(st.lists(st.integers(-1, 4), max_size=4), max_size=3), scalars
        ),
    },
)
questionnaire = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=6), scalars),
        "title": scalars,
        "questions": st.one_of(st.lists(question, max_size=3), values),
        "orders": st.one_of(st.sampled_from(["reversed", "as_listed", "sideways"]), scalars),
    },
)


def write(text: str, suffix: str) -> Path:
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8") as handle:
        handle.write(text)
    return Path(handle.name)


def loads_or_user_error(load: object, path: Path) -> None:
    assert callable(load)
    try:
        load(path)
    except UserInputError:
        pass  # the one outcome besides loading: a message the CLI prints on one line
    finally:
        path.unlink(missing_ok=True)


@FUZZ
@given(questionnaire)
def test_questionnaire_structures(data: dict[str, object]) -> None:
    loads_or_user_error(load_questionnaire, write(yaml.safe_dump(data), ".yaml"))


@FUZZ
@given(st.text(alphabet=string.printable, max_size=200))
def test_questionnaire_raw_text(text: str) -> None:
    loads_or_user_error(load_questionnaire, write(text, ".yaml"))


CSV_COLUMNS = ["respondent_id", "weight", "age", "party", "q_trust", "q_fair", "other"]
cells = st.one_of(
    st.sampled_from(
        ["", "1", "0", "-1", "2.5", "nan", "inf", "30-49", "Democrat", "x,y", '"q', "3"]
    ),
    st.text(max_size=4),
)


@FUZZ
@given(
    st.lists(st.sampled_from(CSV_COLUMNS), min_size=0, max_size=6, unique=True),
    st.lists(st.lists(cells, min_size=0, max_size=7), max_size=5),
)
def test_human_csv(header: list[str], rows: list[list[str]]) -> None:
    body = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    fixture = Path(__file__).with_name("fixtures") / "trust.yaml"
    q = load_questionnaire(fixture)
    loads_or_user_error(lambda p: load_humans(p, q), write(body, ".csv"))


@FUZZ
@given(values)
def test_persona_json(data: object) -> None:
    loads_or_user_error(load_persona, write(json.dumps(data, allow_nan=True), ".json"))


@FUZZ
@given(st.binary(max_size=64))
def test_persona_bytes(data: bytes) -> None:
    path = Path(tempfile.mktemp(suffix=".json"))
    path.write_bytes(data)
    loads_or_user_error(load_persona, path)


def test_cli_validate_on_garbage_is_exit_2(tmp_path: Path, capsys: object) -> None:
    for name, body in (
        ("q.yaml", "questions: [{id: 1}]"),
        ("h.csv", "a,b\n1"),
        ("p.json", "{]"),
        ("r.jsonl", "not json\n"),
    ):
        path = tmp_path / name
        path.write_text(body)
        assert main(["validate", str(path)]) == 2
