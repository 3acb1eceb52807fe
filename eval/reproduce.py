"""Two-click reproductions: run every condition of eval/reproduce.yaml and check its numbers.

Each condition is one row of a README table: the command that writes a JSON report (`policyqa eval ...
--output {report}`, after its group's setup such as an ingest), and the expected value of every metric
the row shows. The runner prints one OK/FAIL line per metric (expected vs got) with the machine, corpus
and model, and exits 1 on any FAIL. The README's tables between `<!-- reproduce:NAME -->` and
`<!-- /reproduce:NAME -->` are made from the YAML's expected values, so nobody types them by hand
(as in pyserini's two-click reproductions).

    python eval/reproduce.py                  # the default groups; check, exit 1 on FAIL
    python eval/reproduce.py --group xquad    # an optional group (minutes)
    python eval/reproduce.py --update         # store the measured values as expected, rewrite the README
    python eval/reproduce.py --work D --reuse --update   # the same from the reports a run left in D
    python eval/reproduce.py --check-readme   # no run: the README's tables are the YAML's (exit 1 if not)
    python eval/reproduce.py --write-readme   # no run: rewrite the README's tables from the YAML
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "eval" / "reproduce.yaml"
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- reproduce:(?P<name>[\w-]+) -->\n).*?(<!-- /reproduce:(?P=name) -->)", re.S)


def load(path: Path = SPEC) -> tuple[str, dict]:
    """The spec, and its leading comment block (kept as it is when --update rewrites the rest)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    n = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")), len(lines))
    return "".join(lines[:n]), yaml.safe_load(text)


class Dumper(yaml.SafeDumper):
    """Mappings one key a line (a changed number is a one-line diff), lists of words on one line."""


Dumper.add_representer(list, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", value, flow_style=not any(isinstance(x, dict | list) for x in value)))


def save(header: str, spec: dict, path: Path = SPEC) -> None:
    body = yaml.dump(spec, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=110,
                     default_flow_style=False)
    path.write_text(header + body, encoding="utf-8")


def columns(spec: dict, table: str) -> dict[str, dict]:
    """A table's columns as {header: {keys, format, tolerance}}; `columns: NAME` takes another table's.

    A column is a metric path, a list of them (one cell, joined by ' / '), or a mapping with `keys`,
    `format` (default .3f) and `tolerance` (default the spec's; null = shown, never checked).
    """
    cols = spec["tables"][table]["columns"]
    if isinstance(cols, str):
        return columns(spec, cols)
    out = {}
    for head, col in cols.items():
        col = col if isinstance(col, dict) else {"keys": col}
        keys = [col["keys"]] if isinstance(col["keys"], str) else col["keys"]
        out[head] = {"keys": keys, "format": col.get("format", ".3f"),
                     "tolerance": col.get("tolerance", spec["tolerance"])}
    return out


def command_argv(command: str, work: Path, report: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """(environment, argv) of a spec command: leading NAME=value words set the environment, and
    `policyqa` and `python` are this interpreter's, so the runner measures the installed code."""
    words = shlex.split(command.format(work=work, report=report))
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    bindir = Path(sys.executable).parent
    words[0] = {"policyqa": str(bindir / "policyqa"), "python": sys.executable}.get(words[0], words[0])
    return env, words


def execute(command: str, work: Path, report: Path | None = None) -> None:
    env, argv = command_argv(command, work, report)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    print(f"$ {command}  ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if done.returncode:
        sys.exit(f"command failed ({done.returncode}):\n{done.stderr[-3000:]}")


def lookup(node, path: str):
    """`a.b.c` in a report; on a list, a segment `k=v&k2=v2` picks the element with those items."""
    for segment in path.split("."):
        if isinstance(node, list):
            want = dict(part.split("=", 1) for part in segment.split("&"))
            node = next(x for x in node if all(str(x.get(k)) == v for k, v in want.items()))
        else:
            node = node[segment]
    return node


def provenance(report: dict) -> dict[str, str]:
    """Machine, corpus and model of an eval report or of run_xquad.py's --results."""
    if "info" in report:
        info, chunker = report["info"], "one chunk per paragraph"
        corpus, embedder, cpu = info["corpus"], info["embedder"], info["machine"]
    else:
        s = report["settings"]
        corpus = f"{s['n_documents']} documents, {s['n_chunks']} chunks"
        embedder, cpu = s["embedder"], s["machine"]
        chunker = f"chunker v{s['chunker']['version']}, {s['chunker']['chunk_size']} tokens"
    machine = f"{cpu['cpu']} x{cpu['cores']}"
    return {"machine": machine, "corpus": corpus, "embedder": embedder, "chunker": chunker}


def check(spec: dict, cond: dict, report: dict) -> tuple[dict, int]:
    """Print one line per metric of a condition; returns the measured values and the number of FAILs."""
    table = spec["tables"][cond["table"]]
    root = cond.get("root", table.get("root", "metrics"))
    measured, failed = {}, 0
    for col in columns(spec, cond["table"]).values():
        for key in col["keys"]:
            got = measured[key] = lookup(report, f"{root}.{key}")
            want = cond["expected"].get(key)
            if col["tolerance"] is None:
                verdict = "INFO"
            elif got is None or want is None:
                verdict = "OK" if got == want else "FAIL"
            else:
                verdict = "OK" if abs(got - want) <= col["tolerance"] + 1e-9 else "FAIL"
            failed += verdict == "FAIL"
            print(f"{verdict:4} {cond['table']}: {' '.join(cond['row']):40.40} {key:36} "
                  f"expected {want!s:8} got {got}")
    return measured, failed


def run_group(spec: dict, group: str, work: Path, update: bool, reuse: bool) -> int:
    """Run a group's setup and each of its reports' commands once, check every condition; FAIL count.

    With `reuse`, a report already in `work` is read instead of made again (and the setup is skipped)."""
    for command in [] if reuse else spec["groups"][group].get("setup", []):
        execute(command, work)
    reports, failed = {}, 0
    for cond in spec["conditions"]:
        if spec["tables"][cond["table"]]["group"] != group:
            continue
        if cond["report"] not in reports:
            if not (reuse and (work / cond["report"]).exists()):
                execute(cond["command"], work, work / cond["report"])
            reports[cond["report"]] = json.loads((work / cond["report"]).read_text(encoding="utf-8"))
        measured, bad = check(spec, cond, reports[cond["report"]])
        failed += bad
        if update:
            cond["expected"] = measured
    where = provenance(next(iter(reports.values())))
    print(f"== {group}: {failed} FAIL; " + "; ".join(where.values()))
    if update:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        spec["groups"][group]["measured"] = {"date": stamp, **where}
    return failed


def fmt(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def render(spec: dict, name: str) -> str:
    """One README table from the YAML's expected values, with where they were measured under it."""
    table, cols = spec["tables"][name], columns(spec, name)
    head = table["head"] + list(cols)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for cond in (c for c in spec["conditions"] if c["table"] == name):
        cells = [" / ".join(fmt(cond["expected"].get(k), col["format"]) for k in col["keys"])
                 for col in cols.values()]
        cells = [f"**{c}**" for c in cells] if cond.get("bold") else cells
        lines.append("| " + " | ".join(list(cond["row"]) + cells) + " |")
    m = spec["groups"][table["group"]].get("measured", {})
    lines += ["", f"*Expected values of `make reproduce` (eval/reproduce.yaml), measured {m.get('date')} on "
              f"{m.get('machine')}; corpus: {m.get('corpus')}; {m.get('embedder')}, {m.get('chunker')}.*"]
    return "\n".join(lines)


def with_tables(spec: dict, text: str) -> str:
    """`text` (the README) with every reproduce block replaced by the table the YAML makes."""
    return BLOCK.sub(lambda m: m.group(1) + render(spec, m["name"]) + "\n" + m.group(3), text)


def readme(spec: dict, write: bool) -> int:
    """Rewrite the README's tables, or say whether they are current (0) or not (1)."""
    text = README.read_text(encoding="utf-8")
    missing = set(spec["tables"]) - {m["name"] for m in BLOCK.finditer(text)}
    if missing:
        print(f"README has no block for tables {sorted(missing)}")
        return 1
    new = with_tables(spec, text)
    if write:
        README.write_text(new, encoding="utf-8")
    print(f"README tables: {'written' if write else 'current' if new == text else 'STALE (--write-readme)'}")
    return int(new != text and not write)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    flag = parser.add_argument
    flag("--group", action="append", help="run this group (repeatable; default: the default groups)")
    flag("--update", action="store_true", help="store the measured values as the expected ones")
    flag("--check-readme", action="store_true", help="no run: exit 1 if the README tables differ")
    flag("--write-readme", action="store_true", help="no run: rewrite the README tables")
    flag("--work", type=Path, help="keep indexes and reports here (default: a temp folder)")
    flag("--reuse", action="store_true", help="read the reports already in --work instead of running again")
    args = parser.parse_args(argv)
    header, spec = load()
    if args.check_readme or args.write_readme:
        return readme(spec, write=args.write_readme)
    groups = args.group or [g for g, v in spec["groups"].items() if v.get("default", True)]
    with tempfile.TemporaryDirectory(prefix="reproduce-") as tmp:
        work = (args.work or Path(tmp)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        failed = sum(run_group(spec, group, work, args.update, args.reuse) for group in groups)
    if args.update:
        save(header, spec)
        return readme(spec, write=True)
    return int(bool(failed) | readme(spec, write=False))


if __name__ == "__main__":
    sys.exit(main())
