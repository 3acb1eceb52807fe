"""`policyqa ingest` beside a running `policyqa serve`: the next question is answered from the new build,
with no restart (the fourth user audit found the server quoting a deleted document for as long as it ran)."""

from __future__ import annotations

import pytest

from app_server import private_copy, start_server
from cli_runner import policyqa

pytestmark = pytest.mark.slow

BIOBANKS = "How many tertiary hospitals in Beijing have established biological sample banks?"
SUIXINBAO = "How many off-catalogue drugs and devices does Guangzhou's Suixinbao insurance cover?"
#: the Guangzhou conference's report, the one on Suixinbao, and its file
GUANGZHOU, GUANGZHOU_FILE = "gz-innovative-drug-conference-2025", "000_64bdc41ee7122f23.txt"


def passages(reply: dict) -> set[str]:
    """The documents of a reply's cited and closest passages."""
    return {c["document"] for c in reply["citations"] + reply["closest"]}


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reingest")
    corpus, index = private_copy(built[0], folder)
    srv = start_server(corpus, index, folder)
    yield srv
    srv.stop()


def test_an_ingest_beside_the_server_is_answered_from_at_once(server) -> None:
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    before = client.predict(BIOBANKS, api_name="/ask")
    assert "35 tertiary hospitals" in before["answer"]
    assert GUANGZHOU in passages(client.predict(SUIXINBAO, api_name="/ask"))
    beijing = server.corpus / "003_cab44b4ed427dc7b.txt"
    text = beijing.read_text(encoding="utf-8")
    beijing.write_text(text.replace("35 tertiary hospitals", "47 tertiary hospitals"), encoding="utf-8")
    (server.corpus / GUANGZHOU_FILE).unlink()
    ingested = policyqa("ingest", "--corpus", str(server.corpus), "--index", str(server.index))
    assert ingested.returncode == 0, ingested.stderr
    after = client.predict(BIOBANKS, api_name="/ask")
    assert "47 tertiary hospitals" in after["answer"] and "35" not in after["answer"]
    assert GUANGZHOU not in passages(client.predict(SUIXINBAO, api_name="/ask"))
    assert "loading it" in server.output()
