"""Loading data files (profiles, forms): TOML validated by a pydantic model, errors that name the key.

A typo in a data file must stop the bot at start with the file, the key and what was
expected, in one sentence a staff member can act on.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def where(loc: tuple[int | str, ...], raw: Any) -> str:
    """``fields[3] (kind).type`` from a pydantic location, naming list items that have an id or name."""
    text = ""
    node = raw
    for item in loc:
        if isinstance(item, int):
            text += f"[{item}]"
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
            label = node.get("name") or node.get("id") if isinstance(node, dict) else None
            if isinstance(label, str):
                text += f" ({label})"
        else:
            text += f".{item}" if text else str(item)
            node = node.get(item) if isinstance(node, dict) else None
    return text or "(top level)"


def load_validated(path: Path, model: type[Model], error: type[ValueError]) -> tuple[Model, dict[str, Any]]:
    """The file parsed and validated; every problem is reported as ``file: key: what was expected``."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path.name}: not valid TOML: {exc}") from None
    try:
        return model.model_validate(raw), raw
    except ValidationError as exc:
        problems = [f"{path.name}: {where(tuple(e['loc']), raw)}: {e['msg']}" for e in exc.errors()]
        raise error("\n".join(problems)) from None
