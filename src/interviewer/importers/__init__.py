"""Importers: public survey data -> the human-responses contract (CSV + questionnaire YAML)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from interviewer.importers import anes, cces, gss
from interviewer.importers.common import Converted

IMPORTERS: dict[str, tuple[str, Callable[[Path], Converted]]] = {
    "cces": ("cces2018", cces.convert),
    "anes": ("anes1996", anes.convert),
    "gss": ("gss2022", gss.convert),
}
