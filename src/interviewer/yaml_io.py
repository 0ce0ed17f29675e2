"""The project's one YAML reader and writer, without YAML 1.1's yes/no/on/off booleans.

Survey options are often literally "Yes" and "No"; PyYAML's SafeLoader would turn them
into True and False. Only ``true`` / ``false`` are booleans here, and what ``dump_yaml``
writes reads back through ``load_yaml`` as the same data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from interviewer.errors import UserInputError
from interviewer.storage import read_user_text


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def read_yaml_file(path: Path) -> Any:
    """A user's YAML file, or one ``UserInputError`` line naming it (and the line)."""
    text = read_user_text(path)
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise UserInputError(f"{path}{where}: not valid YAML") from None


def dump_yaml(data: Any) -> str:
    """YAML text that ``load_yaml`` reads back as ``data`` (SafeDumper quotes any string
    a YAML 1.1 reader could misread, such as 'Yes')."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
