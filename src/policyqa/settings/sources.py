"""Where setting values come from besides defaults, flags and the environment (the YAML config file), the
one-line error for a value out of range, and the cache folder policyqa derives from the environment."""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

#: settings that only the environment may set
SECRETS = {"openai_api_key", "api_key"}
#: POLICYQA_* variables policyqa reads that are not settings: the config file's path, the Milvus server's
#: token (never written to a manifest) and the browser tests' Chromium
OTHER_VARIABLES = {"POLICYQA_CONFIG", "POLICYQA_MILVUS_TOKEN", "POLICYQA_CHROMIUM"}


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
        parts.append(where + (allowed(field) if field and allowed(field) else error["msg"]))
    return "invalid setting: " + "; ".join(parts)


def allowed(field: FieldInfo) -> str:
    """What a setting may be, from its constraints or its choices ('must be dense, bm25 or hybrid');
    '' when it has neither."""
    if get_origin(field.annotation) is Literal:
        return "must be " + ", ".join(map(str, get_args(field.annotation)[:-1])) + \
            f" or {get_args(field.annotation)[-1]}"
    return _allowed_range(field)


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
        data = _parse(path, _read(path, explicit is not None))
        data = {str(k).replace("-", "_").lower(): v for k, v in data.items()}  # as POLICYQA_* are read
        for key in SECRETS & set(data):
            raise ValueError(f"{path}: {key} must not be kept in a config file (it would be committed or "
                             f"shared); set the environment variable POLICYQA_{key.upper()} instead")
        fields = self.settings_cls.model_fields
        for key in sorted(set(data) - set(fields)):  # a misspelt key was silently ignored
            raise ValueError(f"{path}: {key!r} is not a setting{_did_you_mean(key, fields)}; fix or remove "
                             "that line")
        return data


def _read(path: Path, explicit: bool) -> str:
    """The config file's text; a folder, an unreadable file or another encoding than UTF-8 is one line
    naming the file and the fix (a folder once gave IsADirectoryError's traceback)."""
    if path.is_dir():
        fix = "point POLICYQA_CONFIG at a file" if explicit else "rename or remove that folder"
        raise ValueError(f"{path} is a folder, not a config file: {fix}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                         f"{exc.start}): save it as UTF-8") from None
    except OSError as exc:
        raise ValueError(f"cannot read the config file {path} ({exc.strerror}): make it readable or set "
                         "POLICYQA_CONFIG to another file") from None


def _parse(path: Path, text: str) -> dict:
    """The YAML mapping of setting: value, or one line naming the line and column that are wrong."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise ValueError(f"{path} is not valid YAML ({problem}{where}): fix that line or remove the "
                         "file") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of setting: value")
    return data


def _did_you_mean(name: str, names: Collection[str], prefix: str = "") -> str:
    """' (did you mean mode?)' for the closest of `names` (difflib), '' when none is alike enough to be
    the one meant (a suggestion of an unrelated setting misleads more than none); `prefix` is shown
    before it and left out of the likeness (every variable starts POLICYQA_)."""
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return f" (did you mean {prefix}{close[0]}?)" if close else ""


def unknown_variables(environ: Mapping[str, str], fields: Collection[str]) -> list[str]:
    """A warning line for each POLICYQA_* variable that is no setting (POLICYQA_MDOE is silently ignored
    otherwise), naming the closest one. A warning, not an error: an environment carries variables of
    other tools and versions, and OTHER_VARIABLES are policyqa's own."""
    known = {f"POLICYQA_{name.upper()}" for name in fields} | OTHER_VARIABLES
    lines = []
    for name in sorted(environ):
        upper = name.upper()
        if upper.startswith("POLICYQA_") and upper not in known:
            lines.append(f"policyqa: warning: {name} is not a setting and is ignored"
                         f"{_did_you_mean(upper[9:], sorted(f.upper() for f in fields), 'POLICYQA_')}")
    return lines
