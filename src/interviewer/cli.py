"""The ``interviewer`` command line.

Exit status: 0 done; 2 bad input or settings (one line on stderr, no traceback);
1 anything else; 130 interrupted.
"""

from __future__ import annotations

import errno
import functools
import inspect
import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
import yaml
from rich.console import Console
from rich.logging import RichHandler

from interviewer import __version__
from interviewer.errors import EndpointUnreachable, InterviewerError, UserInputError
from interviewer.paths import WRITABLE_FIX, writable_dir
from interviewer.settings import ROLES, Settings, deep_merge, dotted_overrides, load_settings
from interviewer.storage import DISK_FULL_HINT, DiskFullError, drop_stale_report_files
from interviewer.yaml_io import load_yaml

if TYPE_CHECKING:  # the heavy modules (langchain, scipy) load only in the commands that use them
    from interviewer.matching import Method as MatchMethod
    from interviewer.matching import Objective as MatchObjective
    from interviewer.settings import DebiasScheme
    from interviewer.survey.conditioning import Conditioning

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    help="Virtual personas from LLM interviews: generate, survey, match, evaluate.",
)
console = Console()

SettingsFile = Annotated[
    Path | None, typer.Option("--settings", "-s", help="YAML settings file.", dir_okay=False)
]
BackendOpt = Annotated[
    str | None, typer.Option("--backend", help="embedded | vllm | openai, for every role.")
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option("--base-url", help="Attach every role to this OpenAI-compatible URL (…/v1)."),
]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model name/path for every role.")]
ApiKeyOpt = Annotated[str | None, typer.Option("--api-key", help="API key for every role.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="KEY=VALUE for one setting, e.g. persona.temperature=0.9."),
]


@dataclass(frozen=True)
class GivenSettings:
    """What a command line explicitly gave: a settings file and the flags' overrides.

    Flags left unset are absent, so a flag equal to a default still beats a suite."""

    file: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def build(self, base: Mapping[str, Any] | None = None) -> Settings:
        """defaults < environment < ``base`` (a suite's block) < file < flags."""
        return load_settings(self.file, self.overrides, base=base)


def given_settings(
    settings_file: Path | None = None,
    backend: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    sets: list[str] | None = None,
) -> GivenSettings:
    every_role = {
        k: v
        for k, v in {
            "backend": backend,
            "base_url": base_url,
            "model": model,
            "api_key": api_key,
        }.items()
        if v is not None
    }
    overrides: dict[str, Any] = {role: dict(every_role) for role in ROLES} if every_role else {}
    overrides = deep_merge(overrides, dotted_overrides(_parse_sets(sets or [])))
    return GivenSettings(settings_file, overrides)


def _parse_sets(items: list[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UserInputError(f"--set {item!r}: expected KEY=VALUE")
        try:
            parsed[key] = load_yaml(raw) if raw else ""
        except yaml.YAMLError:
            parsed[key] = raw
    return parsed


_SETTINGS_PARAMS = (
    ("settings_file", SettingsFile),
    ("backend", BackendOpt),
    ("base_url", BaseUrlOpt),
    ("model", ModelOpt),
    ("api_key", ApiKeyOpt),
    ("sets", SetOpt),
)
F = TypeVar("F", bound=Callable[..., None])


def with_settings(command: F) -> F:
    """Give a command the shared settings flags and call it with the built ``settings``
    (or, when it takes ``given`` instead, with what the flags gave, to merge later)."""
    signature = inspect.signature(command, eval_str=True)
    wants_given = "given" in signature.parameters
    own = [p for p in signature.parameters.values() if p.name not in ("settings", "given")]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=hint)
        for name, hint in _SETTINGS_PARAMS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        given = given_settings(**{name: kwargs.pop(name) for name, _ in _SETTINGS_PARAMS})
        if wants_given:
            command(*args, given=given, **kwargs)
        else:
            command(*args, settings=given.build(), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*own, *shared]}
    return wrapper  # type: ignore[return-value]


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        console.print(f"interviewer {__version__}")
        raise typer.Exit()
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=False)],
    )


@app.command()
@with_settings
def backends(settings: Settings) -> None:
    """Show each configured backend: what it is, does it answer, does it return logprobs."""
    from interviewer.probe import probe_pool

    results = probe_pool(settings)
    failed = [r for r in results if r.error]
    if failed:
        first = failed[0]
        raise EndpointUnreachable(
            first.endpoint.base_url, f"{first.error} (roles: {', '.join(first.roles)})"
        )
    from interviewer.cli_views import backends_table

    console.print(backends_table(results))


@app.command()
@with_settings
def demo(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", file_okay=False, help="Where to write the run (default: runs/demo-<time>)."
        ),
    ] = None,
    interviews: Annotated[
        int, typer.Option("--interviews", min=1, help="Deep-binding interviews.")
    ] = 2,
    backstories: Annotated[
        int, typer.Option("--backstories", min=1, help="Anthology backstories.")
    ] = 4,
    humans: Annotated[
        int,
        typer.Option(
            "--humans",
            min=4,
            help="CCES respondents sampled (each also a QA/Bio/Portray respondent).",
        ),
    ] = 12,
    questions: Annotated[
        int, typer.Option("--questions", min=2, max=6, help="CCES items asked.")
    ] = 6,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    *,
    settings: Settings,
) -> None:
    """The main job, end to end, on the default (embedded) backend, in under ten minutes.

    Interviews personas and collects Anthology backstories, surveys their demographics,
    matches CCES 2018 respondents to them, surveys every method on CCES items (with the
    QA/Bio/Portray demographic baselines built from the same humans) and scores all of
    them against the humans' real answers: a table, report.json and PNG plots.
    """
    import datetime as dt

    from interviewer.cli_views import demo_report
    from interviewer.study.demo import DemoSizes, run_demo

    target = writable_dir(
        out or Path("runs") / f"demo-{dt.datetime.now():%Y%m%d-%H%M%S}", "--out", WRITABLE_FIX
    )
    started = time.perf_counter()
    sizes = DemoSizes(interviews, backstories, humans, questions, seed)
    result = run_demo(settings, target, sizes, console)
    console.print(demo_report(result, time.perf_counter() - started))


@app.command()
@with_settings
def interview(
    n: Annotated[int, typer.Option("--n", min=1, help="How many personas.")] = 2,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Run directory (default: personas/run-<time>).", file_okay=False
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="interview (deep binding, AVP "
            "questions + critic) or anthology (one open question).",
        ),
    ] = "interview",
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Finish the missing personas of an existing run directory."),
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, help="Interviews in flight (default: persona.concurrency)."
        ),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="I/N: make only every N-th "
            "persona starting at I (for several machines on shared storage).",
        ),
    ] = None,
    seed_texts: Annotated[
        Path | None,
        typer.Option(
            "--seed-texts",
            dir_okay=False,
            help="Text file, one steering description per line "
            "(e.g. 'a retired nurse in Ohio'); off by default.",
        ),
    ] = None,
    target_words: Annotated[
        int | None,
        typer.Option(
            "--target-words", min=50, help="Words per persona (default 2,500; 600 embedded)."
        ),
    ] = None,
    *,
    settings: Settings,
) -> None:
    """Interview N personas into DIR: one JSON file each, resumable."""
    from interviewer.interview.cli_run import run_interview_command

    if target_words is not None:
        settings.interview.target_words = target_words
    run_interview_command(
        settings,
        console,
        n=n,
        out=out,
        method=method,
        resume=resume,
        concurrency=concurrency,
        shard=shard,
        seed_texts=seed_texts,
    )


@app.command()
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Questionnaire YAML, settings YAML, "
            "human-responses CSV, persona JSON, responses JSONL or a run directory."
        ),
    ],
    questionnaire: Annotated[
        Path | None,
        typer.Option(
            "--questionnaire",
            dir_okay=False,
            help="Check a human CSV's question columns against this.",
        ),
    ] = None,
) -> None:
    """Check files before a run: every problem, each naming the file, question and field."""
    from interviewer.commands import validate_files

    bad = 0
    for path, kind, problems in validate_files(files, questionnaire):
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            bad += 1
        else:
            console.print(f"[green]ok[/] {path} ({kind})")
    if bad:
        raise typer.Exit(2)


@app.command()
@with_settings
def survey(
    run_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Personas' run directory (for --conditioning backstory).", file_okay=False
        ),
    ] = None,
    questionnaire: Annotated[
        Path, typer.Option("--questionnaire", "-q", dir_okay=False, help="Questionnaire YAML.")
    ] = Path("questionnaire.yaml"),
    out: Annotated[
        Path, typer.Option("--out", dir_okay=False, help="Responses JSONL to write.")
    ] = Path("responses.jsonl"),
    conditioning: Annotated[
        str,
        typer.Option(
            "--conditioning",
            help="backstory (the persona's "
            "transcript) or a demographic baseline: qa, bio, portray.",
        ),
    ] = "backstory",
    humans: Annotated[
        Path | None,
        typer.Option(
            "--humans",
            dir_okay=False,
            help="Human responses CSV: one profile per human for qa/bio/portray.",
        ),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an existing --out.")] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, help="Respondents in flight (default: respondent.concurrency)."
        ),
    ] = None,
    carry_answers: Annotated[
        bool,
        typer.Option(
            "--carry-answers", help="Show each respondent its earlier answers (sequential survey)."
        ),
    ] = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=1,
            help="Sampled answers per option order when the endpoint gives no logprobs.",
        ),
    ] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Seed for drawn answers.")] = 0,
    debias: Annotated[
        str | None,
        typer.Option(
            "--debias",
            help="Option orders against letter-position bias (setting survey.debias): "
            "reversed (listed + reversed, the papers'), cyclic (all K rotations: a position "
            "bias cancels; K calls per question) or random (one seeded order per answer, "
            "the Anthology code's). Default: the questionnaire's orders. A question's own "
            "orders always win; each answer records its scheme.",
        ),
    ] = None,
    *,
    settings: Settings,
) -> None:
    """Ask every respondent a questionnaire; write one JSONL line per respondent × question."""
    from interviewer import commands

    if debias is not None:
        settings.survey.debias = as_debias(debias)

    method = as_conditioning(conditioning)
    if resume and not out.is_file():
        raise UserInputError(f"--resume: {out} does not exist, nothing to resume; drop --resume")
    writable_dir(out.parent, "--out", WRITABLE_FIX)
    respondents = commands.respondents_for(method, run_dir, humans)
    summary = commands.survey(
        settings,
        console,
        respondents,
        questionnaire,
        out,
        method,
        resume=resume,
        concurrency=concurrency or settings.respondent.concurrency,
        carry_answers=carry_answers,
        samples=samples,
        seed=seed,
    )
    console.print(
        f"{summary.answered} answers from {summary.respondents - summary.skipped} "
        f"respondents in {summary.seconds:.0f} s → {out}"
    )
    _report_letter_mass(out)
    if summary.not_asked:
        console.print(
            f"[yellow]{summary.not_asked} respondent(s) not asked anything[/]: outside the "
            "questionnaire's audience, or no Democrat/Republican lean to fill {IN}/{OUT} "
            "(no demographics yet: run interviewer demographics; or an exact party tie)"
        )
    if summary.failed:
        for rid, reason in summary.failed.items():
            console.print(f"[red]failed[/] {rid}: {reason}")
        raise InterviewerError(
            f"{len(summary.failed)} respondent(s) failed; --resume asks them again"
        )


@app.command()
@with_settings
def demographics(
    run_dir: Annotated[Path, typer.Argument(help="Personas' run directory.", file_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Ask again where filled.")] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, help="Personas in flight (default: respondent.concurrency)."
        ),
    ] = None,
    samples: Annotated[int, typer.Option("--samples", min=1)] = 20,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    *,
    settings: Settings,
) -> None:
    """Ask each persona the demographic questions; store a distribution per trait."""
    from interviewer import commands

    summary = commands.demographics(
        settings,
        console,
        run_dir,
        force=force,
        concurrency=concurrency or settings.respondent.concurrency,
        samples=samples,
        seed=seed,
    )
    console.print(f"{summary.filled} personas filled, {summary.skipped} already had demographics")
    for pid, reason in summary.failed.items():
        console.print(f"[red]failed[/] {pid}: {reason}")
    if summary.failed:
        raise InterviewerError(f"{len(summary.failed)} persona(s) failed; run the command again")


@app.command(name="match")
def match_command(
    run_dir: Annotated[Path, typer.Argument(help="Personas' run directory.", file_okay=False)],
    humans: Annotated[
        Path, typer.Option("--humans", dir_okay=False, help="Human responses CSV.")
    ] = Path("humans.csv"),
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="maxweight (one-to-one, exact), greedy (best persona, reuse allowed) "
            "or random (seeded; every persona once before any twice).",
        ),
    ] = "maxweight",
    objective: Annotated[
        str,
        typer.Option(
            "--objective",
            help="What maxweight maximises: weight (sum of weights, the Anthology code's; "
            "default) or loglik (sum of log-weights, the joint likelihood). Written in "
            "the CSV's objective column.",
        ),
    ] = "weight",
    out: Annotated[Path, typer.Option("--out", dir_okay=False)] = Path("matches.csv"),
    seed: Annotated[int, typer.Option("--seed")] = 0,
    traits: Annotated[
        str | None,
        typer.Option(
            "--traits",
            help="Comma-separated traits (default: every canonical trait the human file has).",
        ),
    ] = None,
) -> None:
    """Match each human to a persona by demographics; write the pairs and log-weights."""
    from interviewer.commands import match_run

    names = [t.strip() for t in traits.split(",")] if traits else None
    writable_dir(out.parent, "--out", WRITABLE_FIX)
    result = match_run(
        run_dir, humans, as_match_method(method), out, seed, names, as_objective(objective)
    )
    console.print(
        f"{len(result.log_weight)} humans matched ({method}, objective {objective}), "
        f"mean log-weight {result.mean_log_weight:.3f} over the pairs with a positive weight, "
        f"{result.zero_pairs} with weight 0 → {out}"
    )


@app.command(name="inspect")
def inspect_command(
    run_dir: Annotated[
        Path, typer.Argument(help="A run directory of persona files.", file_okay=False)
    ],
    responses: Annotated[
        Path | None,
        typer.Option(
            "--responses",
            dir_okay=False,
            help="Survey responses JSONL to show beside each persona.",
        ),
    ] = None,
) -> None:
    """Browse personas in a terminal app: transcripts, critic verdicts, demographics."""
    from interviewer.tui.app import InspectApp

    if not run_dir.is_dir():
        raise UserInputError(f"{run_dir}: not a directory")
    InspectApp(run_dir, responses).run()


@app.command()
def show(
    persona_id: Annotated[str, typer.Argument(help="Persona id, e.g. p00042.")],
    run_dir: Annotated[
        Path, typer.Option("--dir", file_okay=False, help="The run directory.")
    ] = Path("."),
    responses: Annotated[Path | None, typer.Option("--responses", dir_okay=False)] = None,
) -> None:
    """Print one persona (transcript, verdicts, demographics) for pipes and logs."""
    from interviewer.contracts.persona_files import load_persona
    from interviewer.contracts.responses import read_responses
    from interviewer.tui.render import persona_view

    path = run_dir / f"{persona_id}.json"
    if not path.exists():
        raise UserInputError(f"{path}: no such persona")
    mine = [r for r in read_responses(responses) if r.persona_id == persona_id] if responses else []
    console.print(persona_view(load_persona(path), mine))


@app.command(name="import")
def import_command(
    dataset: Annotated[
        str,
        typer.Argument(
            help="cces (CCES 2018 sample), anes (ANES 1996), "
            "gss (GSS 2022), or atp (your own file + --mapping)."
        ),
    ],
    source: Annotated[
        Path,
        typer.Argument(
            help="The dataset's folder (e.g. ../shared/data/cces2018), or your .sav/.csv file."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", file_okay=False, help="Where to write NAME.csv and NAME.yaml.")
    ] = Path("evals/humans"),
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            dir_okay=False,
            help="For atp: YAML naming the id, weight, demographic and question columns "
            "(a commented example: evals/mappings/atp_example.yaml).",
        ),
    ] = None,
) -> None:
    """Convert survey data into a human-responses CSV and its questionnaire."""
    from interviewer.importers import IMPORTERS

    writable_dir(out, "--out", WRITABLE_FIX)
    if dataset == "atp":
        from interviewer.importers import mapped

        if mapping is None:
            raise UserInputError(
                "import atp needs --mapping MAP.yaml (see `interviewer import --help`)"
            )
        name, converted = mapped.convert(source, mapping)
        origin = f"Converted by `interviewer import atp {source.name} --mapping {mapping.name}`."
    elif dataset in IMPORTERS:
        name, convert = IMPORTERS[dataset]
        converted = convert(source)
        origin = f"Converted by `interviewer import {dataset}`; origin in evals/ORIGIN.md."
    else:
        raise UserInputError(f"dataset {dataset!r}: expected atp or one of {sorted(IMPORTERS)}")
    csv_path, yaml_path = converted.write(out, name, origin)
    console.print(f"{len(converted.rows):,} respondents → {csv_path} (+ {yaml_path})")


@app.command(name="eval")
@with_settings
def eval_command(
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="Report directory.")],
    suite: Annotated[
        Path | None,
        typer.Option(
            "--suite",
            dir_okay=False,
            help="Run a whole eval suite "
            "(evals/suites/*.yaml): personas, matching, surveys, report.",
        ),
    ] = None,
    responses: Annotated[
        list[str] | None,
        typer.Option(
            "--responses",
            help="LABEL=R.jsonl, one per method (qa, bio, portray, anthology, interview, ...).",
        ),
    ] = None,
    questionnaire: Annotated[
        Path | None, typer.Option("--questionnaire", "-q", dir_okay=False)
    ] = None,
    humans: Annotated[
        Path | None,
        typer.Option(
            "--humans",
            dir_okay=False,
            help="Human responses CSV (optional for the higher-order studies).",
        ),
    ] = None,
    matches: Annotated[
        list[str] | None,
        typer.Option(
            "--matches",
            help="LABEL=M.csv: weight that method's personas by the humans matched to them.",
        ),
    ] = None,
    personas: Annotated[
        list[Path] | None,
        typer.Option(
            "--personas", file_okay=False, help="Persona run dir(s), for parties and subgroups."
        ),
    ] = None,
    scale: Annotated[
        float,
        typer.Option(
            "--scale",
            min=0.0001,
            help="With --suite: multiply its persona counts "
            "and human sample (e.g. 0.02 for a toy run on a laptop).",
        ),
    ] = 1.0,
    splits: Annotated[
        int | None, typer.Option("--splits", min=2, help="Split-half splits (default 100).")
    ] = None,
    bootstrap: Annotated[
        int | None, typer.Option("--bootstrap", min=0, help="Bootstrap resamples (default 200).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed (default 0).")] = None,
    missing: Annotated[
        str | None,
        typer.Option(
            "--missing",
            help="Correlations and alpha over complete cases (default, as the papers) "
            "or pairwise-complete pairs (docs/metrics.md).",
        ),
    ] = None,
    sim_dist: Annotated[
        str | None,
        typer.Option(
            "--sim-dist",
            help="Simulated distribution: mean of probs (default) or histogram of "
            "sampled answers (as the Anthology code).",
        ),
    ] = None,
    *,
    given: GivenSettings,
) -> None:
    """Score simulated answers against humans: report.json, a table and PNG plots.

    Either score existing responses (--responses, --questionnaire, --humans) or run a
    whole suite (--suite), which makes and surveys the personas first; with a suite,
    --splits, --bootstrap and --seed given on the command line beat the suite's own.
    """
    from interviewer.cli_views import print_evaluation
    from interviewer.evaluation.report import MethodInput, evaluate, parse_labelled
    from interviewer.evaluation.scoring import DEFAULT_RULES, Rules

    writable_dir(out, "--out", WRITABLE_FIX)
    rules = Rules.parse(missing or DEFAULT_RULES.missing, sim_dist or DEFAULT_RULES.sim_dist)
    if suite is not None:
        from interviewer.study import load_suite, run_suite, scaled, with_flags

        ignored = {
            "--responses": responses,
            "--questionnaire": questionnaire,
            "--humans": humans,
            "--matches": matches,
            "--personas": personas,
        }
        named = [flag for flag, value in ignored.items() if value]
        if named:
            raise UserInputError(
                f"--suite names its own inputs; {', '.join(named)} cannot be combined with it"
            )
        flags: dict[str, object] = {"splits": splits, "bootstrap": bootstrap, "seed": seed}
        flags |= {
            "missing": rules.missing if missing else None,
            "sim_dist": rules.sim_dist if sim_dist else None,
        }
        spec = with_flags(scaled(load_suite(suite), scale), flags)
        settings = given.build(base=spec.settings)
        print_evaluation(console, run_suite(spec, settings, out, console).evaluation)
        return
    given.build()  # a bad flag or settings file fails here too, though scoring needs none
    if not responses or questionnaire is None:
        raise UserInputError("give --suite, or --responses and --questionnaire")
    files = parse_labelled(responses, "--responses")
    match_files = parse_labelled(matches or [], "--matches")
    unknown = set(match_files) - set(files)
    if unknown:
        raise UserInputError(f"--matches for unknown label(s) {sorted(unknown)}")
    methods = [MethodInput(label, path, match_files.get(label)) for label, path in files.items()]
    result = evaluate(
        methods,
        humans,
        questionnaire,
        out,
        personas=personas or [],
        splits=100 if splits is None else splits,  # the defaults --help states
        resamples=200 if bootstrap is None else bootstrap,
        seed=0 if seed is None else seed,
        rules=rules,
    )
    drop_stale_report_files(out, result.files)
    print_evaluation(console, result)


def _report_letter_mass(out: Path) -> None:
    from interviewer.contracts.responses import letter_mass_line, read_responses

    line = letter_mass_line(read_responses(out)) if out.exists() else None
    if line:
        console.print(line)


def as_match_method(text: str) -> MatchMethod:
    from interviewer.matching import METHODS as MATCH_METHODS

    for option in MATCH_METHODS:
        if text == option:
            return option
    raise UserInputError(f"--method {text!r}: expected one of {list(MATCH_METHODS)}")


def as_objective(text: str) -> MatchObjective:
    from interviewer.matching import OBJECTIVES

    for option in OBJECTIVES:
        if text == option:
            return option
    raise UserInputError(f"--objective {text!r}: expected one of {list(OBJECTIVES)}")


def as_debias(text: str) -> DebiasScheme:
    from typing import cast, get_args

    from interviewer.settings import DebiasScheme

    for option in get_args(DebiasScheme):
        if text == option:
            return cast(DebiasScheme, option)
    raise UserInputError(f"--debias {text!r}: expected one of {list(get_args(DebiasScheme))}")


def as_conditioning(text: str) -> Conditioning:
    from interviewer.survey.conditioning import CONDITIONINGS

    for option in CONDITIONINGS:
        if text == option:
            return option
    raise UserInputError(f"--conditioning {text!r}: expected one of {list(CONDITIONINGS)}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs a command and maps errors to exit statuses and one-line messages."""
    # No arguments: the help text (typer's no_args_is_help raises outside standalone mode).
    args = (sys.argv[1:] if argv is None else list(argv)) or ["--help"]
    command = _command_name(args)
    try:
        # Not standalone: typer would print usage errors as a multi-line panel and turn
        # Ctrl-C into a silent Exit(130); here each becomes one line.
        status = app(args=args, prog_name="interviewer", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: bad flag, value out of range, ...
        ctx = getattr(exc, "ctx", None)
        where = f" (see {ctx.command_path} --help)" if ctx is not None else ""
        print(f"interviewer: error: {_one_line(exc.format_message())}{where}", file=sys.stderr)
        return exc.exit_code
    except typer.Abort:
        print("interviewer: aborted", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        status = INTERRUPTED
    except DiskFullError as exc:
        text = str(exc).removesuffix(DISK_FULL_HINT) + _rerun_hint(command, "free space")
        print(f"interviewer: error: {_one_line(text)}", file=sys.stderr)
        return exc.exit_code
    except InterviewerError as exc:
        print(f"interviewer: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        # A read-only or missing folder, a permission: the user's to fix, so one line.
        name = f"{exc.filename}: " if exc.filename else ""
        print(f"interviewer: error: {name}{exc.strerror or exc}", file=sys.stderr)
        return 2 if exc.errno in _USER_ERRNOS else 1
    if status == INTERRUPTED:  # typer's own mapping of Ctrl-C, or ours above
        hint = _rerun_hint(command, "what was written is kept")
        print(f"interviewer: interrupted; {hint}", file=sys.stderr)
        return INTERRUPTED
    return status if isinstance(status, int) else 0


INTERRUPTED = 130
_USER_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.ENOENT, errno.EISDIR)
_RESUMABLE = ("interview", "survey")


def _command_name(args: list[str]) -> str:
    """The subcommand in ``args`` (the root options take no values)."""
    return next((a for a in args if not a.startswith("-")), "")


def _rerun_hint(command: str, first: str) -> str:
    """What to do after a stop: only interview and survey have --resume; eval --suite,
    demo and demographics keep finished work and carry on when run again."""
    if command in _RESUMABLE:
        return f"{first}, then the same command with --resume finishes it"
    return f"{first}, then run the command again"


def _one_line(text: str) -> str:
    return " ".join(text.split())


__all__ = ["app", "main"]
