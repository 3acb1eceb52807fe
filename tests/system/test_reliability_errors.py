"""Expected failures give one line on stderr, exit code 2 and what to do; never a traceback.

Every case runs the real `policyqa` command on real files: a bad config, a damaged build, a read-only
mount, a taken port, an empty corpus, filters that can never match. The commands run in the test process
(cli_runner); `serve` runs in a subprocess, since a regression there would serve instead of refusing.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from app_server import run_cli
from cli_runner import policyqa
from conftest import free_port, missing
from policyqa.app.service import make_filters


def one_line_error(done: subprocess.CompletedProcess, *needles: str) -> str:
    """The single stderr line of a refused command, checked for exit 2 and the words that say what to do."""
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("policyqa ")]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def index_copy(built, tmp_path: Path) -> Path:
    """A private copy of the session's index that a test may damage."""
    target = tmp_path / "index"
    shutil.copytree(built[0].index_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def current(index: Path) -> Path:
    return index / "builds" / (index / "CURRENT").read_text().strip()


def test_bad_yaml_in_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "policyqa.yaml").write_text("k: 5\nmode: [hybrid\n", encoding="utf-8")
    done = policyqa("search", "x", "--index", str(tmp_path / "ix"), cwd=tmp_path)
    one_line_error(done, "policyqa.yaml is not valid YAML", "line 3", "fix")


def test_missing_vector_file_names_it_and_the_rebuild_flag(built, index_copy: Path, tmp_path: Path) -> None:
    (current(index_copy) / "vectors.faiss").unlink()
    done = policyqa("search", "药品目录", "--index", str(index_copy), cwd=tmp_path)
    one_line_error(done, "vectors.faiss missing", "policyqa ingest --rebuild")


def test_corrupt_manifest_is_named_and_rebuild_repairs_it(built, index_copy: Path, tmp_path: Path) -> None:
    (current(index_copy) / "manifest.json").write_text('{"embedder": ', encoding="utf-8")
    corpus = str(built[0].corpus_dir)
    done = policyqa("ingest", "--corpus", corpus, "--index", str(index_copy), cwd=tmp_path)
    one_line_error(done, "manifest.json is corrupt", "--rebuild")
    rebuilt = policyqa("ingest", "--rebuild", "--corpus", corpus, "--index", str(index_copy), cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    found = policyqa("search", "药品目录", "--index", str(index_copy), "--k", "1", cwd=tmp_path)
    assert found.returncode == 0 and "[1]" in found.stdout, found.stderr[-2000:]


@pytest.fixture
def read_only_mount(tmp_path: Path):
    """A real read-only file system (tmpfs remounted ro); as root, permission bits would not stop writes."""
    mount = tmp_path / "ro"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True)
    if made.returncode != 0:
        missing(f"cannot mount a tmpfs here (needs root): {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_read_only_index_folder(built, read_only_mount: Path, tmp_path: Path) -> None:
    shutil.copytree(built[0].index_dir, read_only_mount / "index", ignore=shutil.ignore_patterns(".lock"))
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_mount)], check=True)
    corpus, index = str(built[0].corpus_dir), str(read_only_mount / "index")
    done = policyqa("ingest", "--corpus", corpus, "--index", index, cwd=tmp_path)
    one_line_error(done, "Read-only file system", index, "--index")
    found = policyqa("search", "药品目录", "--index", index, "--k", "1", cwd=tmp_path)
    assert found.returncode == 0 and "[1]" in found.stdout, found.stderr[-2000:]  # reading still works


def test_port_in_use(built, tmp_path: Path) -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        done = run_cli("serve", "--index", str(built[0].index_dir), "--port", str(port), cwd=tmp_path)
    one_line_error(done, f"127.0.0.1:{port}", "--port")


def test_serve_with_no_index_and_no_corpus_names_the_folder_and_the_ingest_command(tmp_path: Path) -> None:
    """`serve --index` of a folder with no index, run where no corpus/ is: said in those words with the
    command that builds one, not "corpus folder corpus does not exist" from a build nobody asked for."""
    missing = tmp_path / "nothere"
    done = run_cli("serve", "--index", str(missing), "--port", str(free_port()), cwd=tmp_path)
    line = one_line_error(done, f"no index in {missing}", f"policyqa ingest --corpus DIR --index {missing}")
    assert "does not exist" not in line and not missing.exists()


def test_empty_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    done = policyqa("ingest", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), cwd=tmp_path)
    one_line_error(done, "nothing to index", "add documents")
    (corpus / "blank.txt").write_text("  \n", encoding="utf-8")
    done = policyqa("ingest", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), cwd=tmp_path)
    one_line_error(done, "nothing to index", "blank.txt", "empty file")


@pytest.mark.parametrize(("flags", "needle"), [
    (("--date-from", "2025-13-45"), "'2025-13-45' is not a date"),
    (("--date-to", "2023-02-29"), "'2023-02-29' is not a date"),
    (("--lang", "xx"), "invalid choice: 'xx'"),
])
def test_filters_that_can_never_match_are_refused(tmp_path: Path, flags, needle) -> None:
    done = policyqa("search", "药品目录", "--index", str(tmp_path / "none"), *flags, cwd=tmp_path)
    assert done.returncode == 2 and needle in done.stderr, done.stderr


def test_api_filters_that_can_never_match_are_refused() -> None:
    with pytest.raises(ValueError, match="not a date"):
        make_filters(date_from="2025-13-45")
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        make_filters(languages=["xx"])
    with pytest.raises(ValueError, match="date_from 2026 is after date_to 2020: swap them"):
        make_filters(date_from="2026", date_to="2020")
    assert make_filters(date_from="2025-06", date_to="2025").date_to == "2025"  # to the shorter precision
    assert make_filters(date_from="2024-02-29", languages=["zh"]).date_from == "2024-02-29"


# --------------------------------------------------------------------------- the config file and variables


@pytest.mark.parametrize("where", ["POLICYQA_CONFIG", "working folder"])
def test_a_config_path_that_is_a_folder_is_one_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "policyqa.yaml").mkdir()
    env = {"POLICYQA_CONFIG": str(tmp_path / "policyqa.yaml")} if where == "POLICYQA_CONFIG" else {}
    done = policyqa("ask", "x", "--index", str(tmp_path / "ix"), cwd=tmp_path, env=env)
    one_line_error(done, "policyqa.yaml is a folder", "POLICYQA_CONFIG" if env else "rename or remove")


def test_a_config_file_in_another_encoding_names_the_file_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "policyqa.yaml").write_bytes("k: 5  # 检索段落数\n".encode("gbk"))
    done = policyqa("ask", "x", "--index", str(tmp_path / "ix"), cwd=tmp_path)
    one_line_error(done, "policyqa.yaml is not UTF-8", "save it as UTF-8")


def test_an_unknown_config_key_is_refused_naming_the_closest_setting(tmp_path: Path) -> None:
    (tmp_path / "policyqa.yaml").write_text("k: 3\nmdoe: bm25\n", encoding="utf-8")
    done = policyqa("search", "x", "--index", str(tmp_path / "ix"), cwd=tmp_path)
    one_line_error(done, "policyqa.yaml", "'mdoe' is not a setting", "did you mean mode?")


def test_an_unknown_variable_is_one_warning_naming_the_closest_setting(tmp_path: Path) -> None:
    env = {"POLICYQA_MDOE": "bm25", "POLICYQA_CONFIG": str(tmp_path / "policyqa.yaml"),
           "POLICYQA_MILVUS_TOKEN": "t", "POLICYQA_CHROMIUM": "/usr/bin/chromium"}
    (tmp_path / "policyqa.yaml").write_text("k: 3\n", encoding="utf-8")
    done = policyqa("search", "x", "--index", str(tmp_path / "ix"), cwd=tmp_path, env=env)
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert warnings == ["policyqa: warning: POLICYQA_MDOE is not a setting and is ignored (did you mean "
                        "POLICYQA_MODE?)"], done.stderr
    one_line_error(done, "no index")  # a warning, not an error: the command went on


# --------------------------------------------------------------------------- filters, questions, files


@pytest.mark.parametrize(("flags", "needles"), [
    (("--doc", "nosuchdoc"), ("no document has the id 'nosuchdoc'", "beijing-innovative-medicine-measures")),
    (("--region", "Atlantis"), ("no document's region matches 'Atlantis'", "Beijing", "Guangdong")),
    (("--place", "Atlantis"), ("no passage is about the place 'Atlantis'", "Hainan", "National")),
    (("--date-from", "2026", "--date-to", "2020"), ("date_from 2026 is after date_to 2020",)),
    (("--date-from", "2031"), ("no passage passes these filters (date_from)", "dated")),
])
@pytest.mark.parametrize("command", ["search", "ask", "compare"])
def test_filters_the_index_can_never_match_are_refused_with_its_values(built, tmp_path: Path, command, flags,
                                                                        needles) -> None:
    done = policyqa(command, "创新药", "--index", str(built[0].index_dir), *flags, cwd=tmp_path)
    one_line_error(done, *needles)
    assert not done.stdout


def test_filters_the_index_can_match_still_search(built, tmp_path: Path) -> None:
    only = "beijing-innovative-medicine-measures-2025"
    done = policyqa("search", "创新药", "--index", str(built[0].index_dir), "--doc", only, "--region",
                    "beijing", "--place", "北京", "--date-from", "2025", "--json", cwd=tmp_path)
    assert done.returncode == 0 and not done.stderr, done.stderr
    hits = json.loads(done.stdout)
    assert hits and {h["citation"]["doc_id"] for h in hits} == {only}


@pytest.mark.parametrize("json_flag", [(), ("--json",)])
def test_an_empty_question_is_one_line_and_exit_2(tmp_path: Path, json_flag) -> None:
    done = policyqa("ask", " ", "--index", str(tmp_path / "none"), *json_flag, cwd=tmp_path)
    one_line_error(done, "the question is empty", 'policyqa ask "')
    assert not done.stdout


@pytest.mark.parametrize("command", ["search", "ask", "compare"])
def test_a_question_without_words_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    """search found five passages for "???", ask printed its reply twice, compare refused: all refuse now."""
    done = policyqa(command, "？？? 🙂", "--index", str(tmp_path / "none"), cwd=tmp_path)
    one_line_error(done, "the question has no words", f'policyqa {command} "')
    assert not done.stdout


@pytest.mark.parametrize("command", ["search", "ask", "compare"])
def test_a_question_over_the_limit_is_refused_as_the_apis_refuse_it(tmp_path: Path, command: str) -> None:
    """Cut to its first 2,000 characters, a long question kept its background and lost the question at its
    end; the chat and both APIs refuse it, and so does the command line now."""
    done = policyqa(command, "创新药" * 700 + "？", "--index", str(tmp_path / "none"), cwd=tmp_path)
    one_line_error(done, "Your question has 2,101 characters; the limit is 2,000")
    assert not done.stdout


@pytest.mark.parametrize(("lines", "needle"), [
    (['{"id": "a", "question": "x"', '{"id": "b"}'], "bad.jsonl:1: not valid JSON"),
    (['{"id": "a", "question": "x", "lang": "en", "groups": {"Beijing": ["x"]}}', '{"id": "b",'],
     "bad.jsonl:2: Invalid JSON"),
    (["", "  "], "bad.jsonl: no questions"),  # had scored nothing into a table of dashes, exit 0
])
def test_a_bad_question_file_names_the_file_and_the_line(built, tmp_path: Path, lines, needle) -> None:
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = policyqa("eval", "bad.jsonl", "--index", str(built[0].index_dir), cwd=tmp_path)
    one_line_error(done, needle)


def test_evidence_no_passage_holds_is_named(built, tmp_path: Path) -> None:
    """A mistyped evidence string can never be hit: the report lists the question and stderr names it."""
    good = {"question": "What is the NRDL?", "lang": "en", "evidence_lang": "en", "answerable": True}
    lines = [json.dumps({**good, "id": "typo", "evidence": ["a sentence that no document holds"]}),
             json.dumps({**good, "id": "fine", "evidence": ["医保药品目录"]})]
    (tmp_path / "q.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = policyqa("eval", "q.jsonl", "--index", str(built[0].index_dir), "--output", "r.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning: 1 answerable question(s) have evidence that no passage" in done.stderr
    assert done.stderr.rstrip().endswith(": typo")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["unreachable"] == ["typo"]


def test_an_unknown_reranker_names_every_choice(built, tmp_path: Path) -> None:
    done = policyqa("search", "x", "--reranker", "foo", "--index", str(built[0].index_dir), cwd=tmp_path)
    one_line_error(done, "unknown reranker 'foo'", "answer-type, none or cross-encoder:")


def test_the_top_level_help_names_every_command(tmp_path: Path) -> None:
    done = policyqa("--help", cwd=tmp_path)
    assert done.returncode == 0 and "ingest | search | ask | compare | eval | serve" in done.stdout
