"""Where setting values come from besides defaults, flags and the environment (the YAML config file), the
one-line error for a value out of range, and the cache folder policyqa derives from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

#: settings that only the environment may set
SECRETS = {"openai_api_key", "api_key"}


def cache_dir() -> Path:
    """Where policyqa keeps what it can always rebuild (jieba's dictionary, the tests' model):
    $XDG_CACHE_HOME/policyqa, else ~/.cache/policyqa."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policyqa"


class SettingsError(ValueError):
    """A setting with a value it cannot take; the message names it and what it may be."""


def describe_errors(exc: ValidationError, fields: dict[str, FieldInfo]) -> str:
    """One line for pydantic's errors, given the settings' fields: `embed_batch_size
    (POLICYQA_EMBED_BATCH_SIZE) = -3: must be from 1 to 4096`."""
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        field = fields.get(name)
        where = f"{name} (POLICYQA_{name.upper()}) = {error.get('input')!r}: " if field else ""
        parts.append(where + (_allowed_range(field) if field and _allowed_range(field) else error["msg"]))
    return "invalid setting: " + "; ".join(parts)


def _allowed_range(field: FieldInfo) -> str:
    """'must be from 1 to 4096' from a field's ge/gt/le/lt constraints; '' when it has none."""
    low = high = None
    for rule in field.metadata:
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        low = f"more than {rule.gt}" if getattr(rule, "gt", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
    kind = "an integer" if field.annotation is int else "a number"
    if low is None and high is None:
        return ""
    if isinstance(low, str):
        return f"must be {kind} {low}" + (f" and at most {high}" if high is not None else "")
    if high is None:
        return f"must be {kind} of at least {low}"
    return f"must be {kind} from {low} to {high}"


class YamlSource(PydanticBaseSettingsSource):
    """Reads `policyqa.yaml` (or $POLICYQA_CONFIG); a missing default file is simply no config."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        explicit = os.environ.get("POLICYQA_CONFIG")
        path = Path(explicit) if explicit else Path("policyqa.yaml")
        if not path.exists():
            if explicit:
                raise FileNotFoundError(f"POLICYQA_CONFIG points at {path}, which does not exist")
            return {}
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise ValueError(f"{path} is not valid YAML ({problem}{where}): fix that line or remove the "
                             "file") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of setting: value")
        data = {k.replace("-", "_"): v for k, v in data.items()}
        for key in SECRETS & set(data):
            raise ValueError(f"{path}: {key} must not be kept in a config file (it would be committed or "
                             f"shared); set the environment variable POLICYQA_{key.upper()} instead")
        return data

