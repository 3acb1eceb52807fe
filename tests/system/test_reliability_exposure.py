"""Exposure: what reaches the index, who may reach the server, and how uploads are told from curated text.

Real files and links on disk with a real ingest, a real `policyqa serve` answering real HTTP requests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest

from app_server import run_cli
from cli_runner import policyqa
from conftest import CORPUS
from policyqa.index.build import ingest
from policyqa.index.reader import open_index
from policyqa.retrieve.retriever import Retriever

SEED = CORPUS / "004_eee20c87307ce18c.txt"
SECRET = "root:x:0:0 SECRETWORD outside the corpus"


@pytest.fixture(scope="module")
def linked(tmp_path_factory, settings_factory):
    """A corpus with links in and out of it, a broken link and hidden entries, ingested once for real."""
    top = tmp_path_factory.mktemp("links")
    outside = top / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text(SECRET + "\n", encoding="utf-8")
    corpus = top / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(SEED, corpus / "sub" / "seed.txt")
    (corpus / "passwd.txt").symlink_to(outside / "passwd.txt")
    (corpus / "etc-passwd.txt").symlink_to("/etc/passwd")
    (corpus / "relative-escape.txt").symlink_to("../outside/passwd.txt")
    (corpus / "outside-folder").symlink_to(outside, target_is_directory=True)
    (corpus / "gone.txt").symlink_to(corpus / "missing.txt")
    (corpus / "inside-link.txt").symlink_to("sub/seed.txt")
    (corpus / ".hidden.txt").write_text(SECRET, encoding="utf-8")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "notes.md").write_text(SECRET, encoding="utf-8")
    settings = settings_factory(corpus)
    return settings, ingest(settings)


def test_links_out_of_the_corpus_are_reported_and_never_followed(linked) -> None:
    settings, result = linked
    report = {f.path: f for f in result.files}
    for name in ("passwd.txt", "etc-passwd.txt", "relative-escape.txt"):
        assert report[name].status == "skipped"
        assert "outside the corpus folder" in report[name].message
    assert report["outside-folder"].status == "skipped" and "not followed" in report["outside-folder"].message
    assert report["gone.txt"].status == "skipped" and "broken link" in report["gone.txt"].message
    index = open_index(settings)
    assert not any("SECRETWORD" in d.text or "root:x:0:0" in d.text for d in index.documents.values())
    hits = Retriever.open(settings).search("root:x:0:0 SECRETWORD", k=5, mode="bm25")
    assert all("SECRETWORD" not in h.text for h in hits)


def test_hidden_entries_appear_in_the_report(linked) -> None:
    report = {f.path: f for f in linked[1].files}
    assert report[".hidden.txt"].status == "skipped" and "hidden file" in report[".hidden.txt"].message
    assert report[".git"].status == "skipped" and "hidden folder" in report[".git"].message
    assert not any(path.startswith(".git/") for path in report)


def test_a_link_inside_the_corpus_is_followed(linked) -> None:
    report = {f.path: f for f in linked[1].files}
    # the link and its target have the same text: one is indexed, the other reported as its duplicate
    assert {report["inside-link.txt"].status, report["sub/seed.txt"].status} == {"added", "duplicate"}
    assert os.path.islink(Path(linked[0].corpus_dir) / "inside-link.txt")


# --------------------------------------------------------------------------- serving


@pytest.mark.parametrize("flags", [("--host", "0.0.0.0"), ("--host", "192.0.2.7"), ("--share",)])
def test_serve_refuses_an_exposed_bind_without_auth(tmp_path: Path, flags) -> None:
    done = run_cli("serve", "--index", str(tmp_path / "none"), *flags, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--auth" in lines[0] and "refusing" in lines[0], done.stderr
    assert not (tmp_path / "none").exists()  # refused before anything was loaded or built


def login(url: str, password: str, source: str = "127.0.0.1"):
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=30) as client:
        return client.post(url + "login", data={"username": "staff", "password": password})


def test_failed_logins_lock_the_client_out(built, tmp_path_factory) -> None:
    from app_server import start_server

    folder = tmp_path_factory.mktemp("serve-throttle")
    creds = folder / "users.txt"
    creds.write_text("staff:correct horse\n", encoding="utf-8")
    srv = start_server(built[0].corpus_dir, built[0].index_dir, folder, args=("--auth-file", str(creds)),
                       env={"POLICYQA_LOGIN_MAX_FAILURES": "5", "POLICYQA_LOGIN_LOCKOUT_SECONDS": "600"})
    try:
        assert login(srv.url, "correct horse").status_code == 200
        codes = [login(srv.url, f"guess {i}").status_code for i in range(30)]
        assert codes[:5] == [400] * 5 and codes[5:] == [429] * 25, codes
        refused = login(srv.url, "correct horse")  # locked: even the right password waits
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert "try again" in refused.json()["detail"]
        assert login(srv.url, "correct horse", source="127.0.0.2").status_code == 200  # per client
    finally:
        srv.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_lockout_doubles_and_a_correct_sign_in_clears_it() -> None:
    """The throttle's bookkeeping on a controlled clock (the real server test above cannot wait minutes)."""
    from policyqa.app.server import LoginThrottle

    clock = Clock()
    throttle = LoginThrottle(None, max_failures=3, lockout=2.0, max_lockout=5.0, clock=clock)
    for _ in range(3):
        assert throttle.admit("a") == 0
        throttle.record("a", 400)
    assert throttle.admit("a") == pytest.approx(2.0) and throttle.admit("b") == 0
    throttle.record("b", 200)
    clock.now += 2.0
    assert throttle.admit("a") == 0
    throttle.record("a", 400)
    assert throttle.admit("a") == pytest.approx(4.0)  # doubled
    clock.now += 4.0
    assert throttle.admit("a") == 0
    throttle.record("a", 400)
    assert throttle.admit("a") == pytest.approx(5.0)  # capped
    clock.now += 5.0
    assert throttle.admit("a") == 0 and throttle.admit("a") == 2.0  # one try in flight after a lockout
    throttle.record("a", 200)
    assert throttle.clients["a"]["failures"] == 0


# --------------------------------------------------------------------------- uploads against curated text

PLANTED = "The drug reimbursement catalogue is HACKED.\n"
QUESTION = "What is the drug reimbursement catalogue?"
NATIONAL = "nhsa-nhc-innovative-drug-measures-2025"


@pytest.fixture(scope="module")
def planted(built, tmp_path_factory):
    """The issue's planted upload, through the chat's own upload path, on a private copy of the index."""
    from app_server import private_copy
    from policyqa.app.service import Service
    from policyqa.app.uploads import ingest_uploads

    folder = tmp_path_factory.mktemp("planted")
    corpus, index = private_copy(built[0], folder)
    settings = built[0].model_copy(update={"corpus_dir": corpus, "index_dir": index})
    engine = Service.open(settings)
    upload = folder / "planted.txt"
    upload.write_text(PLANTED, encoding="utf-8")
    message, changed = ingest_uploads(engine, [str(upload)])
    assert changed and "✓" in message, message
    return engine


def test_bundled_documents_are_curated_and_uploads_are_marked(planted) -> None:
    documents = planted.current.documents
    upload = documents["uploads-planted"]
    assert upload.meta.uploaded_at.endswith("UTC") and not upload.meta.curated
    bundled = [d for k, d in documents.items() if k != "uploads-planted"]
    assert bundled and all(d.meta.curated and not d.meta.uploaded_at for d in bundled)


def test_a_planted_upload_is_labelled_wherever_it_is_quoted(planted) -> None:
    """It may still rank first (its wording matches the question exactly: hybrid 1.61 against 0.80), so
    every place that quotes it says it is an uncurated upload, and the curated passages stay listed."""
    from policyqa.app.render import document_view, source_card, sources_of
    from policyqa.app.service import api_ask

    reply = api_ask(planted, QUESTION)
    quoted = [c for c in reply["citations"] + reply["closest"] if "HACKED" in c["text"]]
    assert quoted and all(c["origin"] == "upload" and not c["curated"] and c["uploaded_at"] for c in quoted)
    cited = [c["n"] for c in reply["citations"] if c["origin"] == "upload"]
    if cited:
        assert "not from the curated corpus" in reply["notice"] and f"[{cited[0]}]" in reply["notice"]
    curated = [c for c in reply["closest"] if c["origin"] == "corpus"]
    assert any(c["document"] == NATIONAL and c["curated"] for c in curated)
    answer = planted.current.answerer.ask(QUESTION)
    sources = sources_of(answer, planted.current.documents)
    cards = [source_card(s) for s in sources if s.doc_id == "uploads-planted"]
    assert cards and all("not curated" in card and "pq-upload" in card for card in cards)
    view = document_view(planted.current.documents, "uploads-planted")
    assert "not curated" in view and "未经审核" in view
    assert "not curated" not in document_view(planted.current.documents, NATIONAL)


def test_the_command_line_marks_the_upload_too(planted, tmp_path: Path) -> None:
    settings = planted.settings
    done = policyqa("search", QUESTION, "--index", str(settings.index_dir), "--k", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    header = next(line for line in done.stdout.splitlines() if "uploads-planted" in line)
    assert "[uploaded " in header and "not curated]" in header
