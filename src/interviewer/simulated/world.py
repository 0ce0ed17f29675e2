"""A world whose answer is known: a synthetic population and its response model.

Every person is drawn from a seed and an index alone (``person``): the canonical
demographic traits, independent, with fixed population shares, and three latent traits
(``LATENTS``, standard normal) that no demographic question reveals. Answers follow an
ordered logit (``item_probs``): an item's location is a sum of demographic effects and
latent loadings, its parameters fixed by a hash of the question text, so the humans
written here and the simulated respondent (``simulated.engine``) answer by the same
model without sharing a table. An unknown trait contributes 0, its population mean.

The humans are a weighted sample: young people are over-sampled (``INCLUSION``), and
their weights undo it, so an unweighted reading of the file is visibly off the
population (``population_truth``). The three higher-order studies get items whose
party terms plant gaps of known sign and size (``party_location``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from interviewer.contracts.demographics import traits
from interviewer.contracts.questionnaire import Questionnaire, load_questionnaire
from interviewer.paths import resource_dir

LATENTS = ("optimism", "trust", "resentment")
"""Latent traits: revealed by interviews, partly by Anthology, never by demographics."""

SHARES: dict[str, tuple[float, ...]] = {
    "age": (0.20, 0.33, 0.26, 0.21),
    "gender": (0.48, 0.50, 0.02),
    "race": (0.62, 0.12, 0.17, 0.06, 0.03),
    "education": (0.38, 0.28, 0.21, 0.13),
    "income": (0.26, 0.17, 0.30, 0.27),
    "party": (0.29, 0.33, 0.28, 0.10),
    "ideology": (0.10, 0.25, 0.35, 0.20, 0.10),
    "region": (0.17, 0.21, 0.38, 0.24),
    "religion": (0.40, 0.21, 0.08, 0.02, 0.06, 0.23),
}
"""Population share of each canonical option (demographics.yaml order)."""

INCLUSION = {"18-29": 1.0}
"""Chance a person of this age bracket is sampled (others: ``OTHER_INCLUSION``)."""
OTHER_INCLUSION = 0.5

DEMOGRAPHIC_SCALE = {"age": 1.2, "party": 0.9, "ideology": 0.9}
"""Spread of an item's effects per trait (others: 0.35): age moves answers, so weights
matter; party and ideology too."""
LOADING = {"optimism": (1.2, 1.8), "trust": (2.2, 3.2), "resentment": (2.2, 3.2)}
"""Range of an item's loading on each latent (in absolute value): Anthology backstories
reveal optimism only, so what they miss outweighs what they carry."""


@dataclass(frozen=True)
class Person:
    index: int
    traits: dict[str, str]
    latent: dict[str, float]

    @property
    def party(self) -> str | None:
        party = self.traits["party"]
        return party if party in ("Democrat", "Republican") else None


def options_of(trait: str) -> list[str]:
    return list(traits()[trait].options)


def person(seed: int, index: int) -> Person:
    """Person ``index`` of world ``seed``: the same person every time."""
    rng = np.random.default_rng([seed, index])
    drawn = {
        t: options_of(t)[int(rng.choice(len(shares), p=shares))] for t, shares in SHARES.items()
    }
    latent = {name: round(float(rng.normal()), 2) for name in LATENTS}
    return Person(index, drawn, latent)


def inclusion(p: Person) -> float:
    return INCLUSION.get(p.traits["age"], OTHER_INCLUSION)


@dataclass(frozen=True)
class Human:
    person: Person
    weight: float
    answers: dict[str, int]


def sample_humans(seed: int, n: int, questionnaire: Questionnaire) -> list[Human]:
    """``n`` humans, each kept with its ``inclusion`` chance, weighted by its inverse
    (scaled to mean 1), with answers drawn from the response model."""
    rng = np.random.default_rng([seed, 7])
    kept: list[Person] = []
    index = 0
    while len(kept) < n:
        candidate = person(seed, index)
        if rng.random() < inclusion(candidate):
            kept.append(candidate)
        index += 1
    raw = np.array([1.0 / inclusion(p) for p in kept])
    weights = raw / raw.mean()
    humans = []
    for p, w in zip(kept, weights, strict=True):
        answers = {}
        for q in questionnaire.questions:
            if not q.asks(p.party):
                continue
            probs = true_probs(q.resolve(p.party), q.options, p)
            answers[q.id] = int(rng.choice(len(q.options), p=probs))
        humans.append(Human(p, float(w), answers))
    return humans


# ── the response model ───────────────────────────────────────────────────────


@dataclass(frozen=True)
class Item:
    """An item's parameters over its options in ``scale`` order."""

    scale: tuple[str, ...]
    effects: dict[str, dict[str, float]]
    loadings: dict[str, float]
    cuts: tuple[float, ...]


def _rng_for(text: str, options: Sequence[str]) -> np.random.Generator:
    key = text + "\x1f" + "\x1e".join(sorted(options))
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return np.random.default_rng(int.from_bytes(digest, "big"))


@cache
def known_scales() -> dict[frozenset[str], tuple[str, ...]]:
    """Option sets of the shipped questionnaires -> their listed order: a model knows
    that "Strongly approve" comes before "Somewhat approve" whatever order it is shown."""
    scales: dict[frozenset[str], tuple[str, ...]] = {}
    root = resource_dir("evals")
    for path in sorted([*root.glob("questionnaires/*.yaml"), *root.glob("humans/*.yaml")]):
        for q in load_questionnaire(path).questions:
            scales.setdefault(frozenset(q.options), tuple(q.options))
    return scales


def scale_of(options: Sequence[str]) -> tuple[str, ...]:
    """The options in the order the response model orders them (unknown sets: sorted)."""
    return known_scales().get(frozenset(options)) or tuple(sorted(options))


@cache
def item(text: str, options: tuple[str, ...]) -> Item:
    rng = _rng_for(text, options)
    effects: dict[str, dict[str, float]] = {}
    for trait, shares in SHARES.items():
        raw = rng.normal(0.0, DEMOGRAPHIC_SCALE.get(trait, 0.35), len(shares))
        centred = raw - float(np.dot(raw, shares))  # an unknown value contributes 0
        effects[trait] = dict(zip(options_of(trait), centred.tolist(), strict=True))
    loadings = {
        name: float(rng.uniform(*LOADING[name]) * rng.choice((-1.0, 1.0))) for name in LATENTS
    }
    size = len(options)
    cuts = np.linspace(-1.6, 1.6, size - 1) * (size - 1) / 3 + rng.normal(0.0, 0.5)
    return Item(scale_of(options), effects, loadings, tuple(float(c) for c in cuts))


def ordered_logit(location: float, cuts: Sequence[float]) -> np.ndarray:
    """P(Y = k), k = 0..K-1, with P(Y <= k) = sigma(cut_k - location)."""
    below = 1.0 / (1.0 + np.exp(-(np.asarray(cuts) - location)))
    cumulative = np.concatenate([below, [1.0]])
    return np.diff(np.concatenate([[0.0], cumulative]))


def probs_given(
    text: str,
    options: Sequence[str],
    known: Mapping[str, str],
    latent: Mapping[str, float],
) -> list[float]:
    """The response model's distribution over ``options`` (in the order given) for a
    respondent of whom ``known`` traits and ``latent`` values are known; the rest
    count at their population mean. Items naming the parties get ``party_location``."""
    spec = item(text, tuple(options))
    party = known.get("party")
    special = party_location(text, party, latent)
    if special is not None:
        location, cuts = special
    else:
        location = sum(spec.effects[t].get(v, 0.0) for t, v in known.items() if t in spec.effects)
        location += sum(spec.loadings[n] * z for n, z in latent.items() if n in spec.loadings)
        cuts = spec.cuts
    on_scale = ordered_logit(location, cuts)
    by_text = dict(zip(spec.scale, on_scale.tolist(), strict=True))
    return [by_text[o] for o in options]


def true_probs(text: str, options: Sequence[str], p: Person) -> list[float]:
    return probs_given(text, options, p.traits, p.latent)


# ── the higher-order studies: planted party terms ───────────────────────────

PARTY_NOUN = {"Democrats": "Democrat", "Republicans": "Republican"}
PARTY_ADJ = {"Democratic": "Democrat", "Republican": "Republican"}
HOSTILITY = (1.0, 3.0)
"""Locations (on 0..4, higher = less favourable) of a rating of one's own party and of
the other party, before the latent resentment (loading 0.8) moves the out-party one."""
SUBVERSION = (-1.6, -0.2)
"""Locations of one's own support for subverting democracy (0 Never .. 3 Definitely)
and of the support one believes most of the other party has."""
WARMTH = (1.2, -1.2, -2.6)
"""Warmth toward one's own party, toward the other, and the warmth one believes the
other party feels toward one's own (colder than it is: the meta-perception gap)."""
_CUTS5 = (-1.5, -0.5, 0.5, 1.5)
_CUTS4 = (-1.0, 0.0, 1.0)


def _party(word: str) -> str | None:
    return PARTY_NOUN.get(word) or PARTY_ADJ.get(word)


def party_location(
    text: str, own: str | None, latent: Mapping[str, float]
) -> tuple[float, tuple[float, ...]] | None:
    """Location and cuts of an item of the three shipped higher-order studies, from
    the text a respondent sees; None for any other item (or an unknown own party)."""
    if own not in ("Democrat", "Republican"):
        return None
    resent = latent.get("resentment", 0.0)
    hostile = re.search(r"would you say (Democrats|Republicans) are", text)
    if hostile:
        if _party(hostile.group(1)) == own:
            return HOSTILITY[0] - 2.0, _CUTS5
        return HOSTILITY[1] - 2.0 + 0.8 * resent, _CUTS5
    if re.match(r"Would most (Democrats|Republicans) support", text):
        return SUBVERSION[1] + 0.5 * resent, _CUTS4
    if text.startswith("Would you support") and re.search(r"Democrat|Republican", text):
        return SUBVERSION[0] + 0.5 * resent, _CUTS4
    believed = re.search(r"do you think (Democrats|Republicans) feel towards (\w+)\?", text)
    if believed:
        them, toward = _party(believed.group(1)), _party(believed.group(2))
        if them != own and toward == own:
            return WARMTH[2], _CUTS5
        return (WARMTH[0] if them == toward else WARMTH[1]), _CUTS5
    feel = re.search(r"How warm or cold do you feel towards (Democrats|Republicans)\?", text)
    if feel:
        toward_own = _party(feel.group(1)) == own
        return (WARMTH[0] if toward_own else WARMTH[1] - 0.8 * resent), _CUTS5
    return None


def expected_rating(probs: Sequence[float]) -> float:
    """Mean rating 1..K of a distribution over options in listed order."""
    return float(sum((k + 1) * p for k, p in enumerate(probs)))


def population(seed: int, n: int, offset: int = 10_000_000) -> list[Person]:
    """``n`` people of the population itself (not the weighted sample): the truth."""
    return [person(seed, offset + i) for i in range(n)]


def population_truth(
    seed: int, questionnaire: Questionnaire, n: int = 20_000
) -> dict[str, list[float]]:
    """Each question's distribution in the population (Monte Carlo over ``n``
    people, exact within a person): what weighted humans estimate."""
    people = population(seed, n)
    out: dict[str, list[float]] = {}
    for q in questionnaire.questions:
        rows = [true_probs(q.text, q.options, p) for p in people]
        out[q.id] = np.mean(rows, axis=0).tolist()
    return out


def humans_csv(humans: Sequence[Human], questionnaire: Questionnaire) -> str:
    """The humans in the human-responses contract (respondent_id, weight, traits,
    one 0-based option index per question, blank where not asked)."""
    header = ["respondent_id", "weight", *SHARES, *(q.id for q in questionnaire.questions)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for h in humans:
        answers = [h.answers.get(q.id, "") for q in questionnaire.questions]
        row = [respondent_id(h.person), f"{h.weight:.6f}", *h.person.traits.values(), *answers]
        writer.writerow(row)
    return buffer.getvalue()


def respondent_id(p: Person) -> str:
    return f"h{p.index:06d}"


# ── planted gaps of the higher-order studies ────────────────────────────────


def expected_ratings(p: Person, questionnaire: Questionnaire) -> dict[str, float]:
    """Person ``p``'s expected rating 1..K of each item it is asked."""
    return {
        q.id: expected_rating(true_probs(q.resolve(p.party), q.options, p))
        for q in questionnaire.questions
        if q.asks(p.party)
    }


def planted_gap(seed: int, questionnaire: Questionnaire, party: str, n: int = 4000) -> float:
    """The population's gap for ``party`` in the study ``questionnaire`` is (docs of
    ``evaluation.higher_order``), in expectation over ``n`` people: computed here from
    the response model, not by the evaluation code it checks."""
    people = [p for p in population(seed, n) if p.party is not None]
    mine = [expected_ratings(p, questionnaire) for p in people if p.party == party]
    theirs = [expected_ratings(p, questionnaire) for p in people if p.party not in (party, None)]
    by = {q.id: q for q in questionnaire.questions}

    def mean_of(rows: list[dict[str, float]], keep: set[str]) -> float:
        return float(np.mean([np.mean([r[i] for i in keep]) for r in rows]))

    def framed(framing: str, contains: str = "") -> set[str]:
        return {i for i, q in by.items() if q.framing == framing and contains in q.text}

    size = len(questionnaire.questions[0].options) + 1
    if questionnaire.study == "hostility":
        return mean_of(mine, framed("outgroup")) - mean_of(mine, framed("ingroup"))
    if questionnaire.study == "subversion":
        return mean_of(theirs, framed("meta")) - mean_of(mine, framed("self"))
    if questionnaire.study == "meta_perception":
        believed = size - mean_of(mine, framed("meta", "towards {IN}"))
        return believed - (size - mean_of(theirs, framed("outgroup")))
    raise ValueError(f"{questionnaire.id} is not a higher-order study")


def shipped_humans_csv(seed: int = 0, n: int = 2000) -> str:
    """evals/humans/known_answer.csv, as evals/scripts/make_known_answer.py writes it."""
    path = resource_dir("evals") / "questionnaires" / "known_answer.yaml"
    questionnaire = load_questionnaire(path)
    return humans_csv(sample_humans(seed, n, questionnaire), questionnaire)
