"""policyqa as a model: the real `policyqa serve` (real index, real model, --auth and an API key) used
through the official `openai` Python client on /v1/chat/completions, streaming and not."""

from __future__ import annotations

import re

import httpx
import pytest

from app_server import private_copy, start_server
from conftest import load_questions, normalise

pytestmark = pytest.mark.slow

QUESTIONS = {q["id"]: q for q in load_questions()}
ZH, EN = "q001", "q024"
OFF_TOPIC = "How many moons does Jupiter have?"  # nothing in the corpus is about astronomy
API_KEY = "sk-policyqa-test-81c2"
SIGN_IN = ("analyst", "correct horse battery")
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    folder = tmp_path_factory.mktemp("openai-api")
    corpus, index = private_copy(built[0], folder)
    # a lockout long enough that the throttle test never races its expiry on a busy machine
    srv = start_server(corpus, index, folder, args=("--auth", ":".join(SIGN_IN)),
                       env={"POLICYQA_API_KEY": API_KEY, "POLICYQA_LOGIN_LOCKOUT_SECONDS": "600"})
    yield srv
    srv.stop()


def client(server, key: str = API_KEY):
    from openai import OpenAI

    return OpenAI(base_url=server.url + "v1", api_key=key, max_retries=0, timeout=600)


def ask(server, question: str, **kw):
    return client(server).chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": question}], **kw)


def check_citations(message: dict, index) -> None:
    """Every [n] is a listed citation and every citation is the document's own text at its span."""
    citations = message["citations"]
    assert citations and not message["declined"]
    assert {int(n) for n in MARKER.findall(message["content"])} <= {c["n"] for c in citations}
    for c in citations:
        document = index.documents[c["doc_id"]]
        assert c["text"] == document.text[c["start"] : c["end"]]
        assert c["title"] == document.meta.title
        assert not c["sentence"] or c["sentence"] in c["text"]


def test_models_lists_policyqa(server) -> None:
    assert [m.id for m in client(server).models.list().data] == ["policyqa"]


def test_a_question_is_answered_with_cited_passages(server, index) -> None:
    reply = ask(server, QUESTIONS[ZH]["question"]).model_dump()
    message = reply["choices"][0]["message"]
    assert reply["model"] == "policyqa" and reply["choices"][0]["finish_reason"] == "stop"
    check_citations(message, index)
    wanted = [normalise(e) for e in QUESTIONS[ZH]["evidence"]]
    assert any(w in normalise(c["text"]) for c in message["citations"] for w in wanted)
    assert reply["policyqa"]["backend"] == "extractive" and reply["policyqa"]["timings_ms"]


def test_streaming_sends_the_same_answer_in_chunks_and_the_citations_last(server, index) -> None:
    question = QUESTIONS[EN]["question"]
    whole = ask(server, question).model_dump()["choices"][0]["message"]
    chunks = [c.model_dump() for c in ask(server, question, stream=True)]
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0]["role"] == "assistant"
    assert "".join(d.get("content") or "" for d in deltas) == whole["content"]
    assert [c["choices"][0]["finish_reason"] for c in chunks][-1] == "stop"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    last = {**deltas[-1], "content": whole["content"]}
    check_citations(last, index)
    assert last["citations"] == whole["citations"]


def test_an_unanswerable_question_is_declined_with_the_closest_passages(server, index) -> None:
    reply = ask(server, OFF_TOPIC).model_dump()
    message = reply["choices"][0]["message"]
    assert message["declined"] and message["citations"] == [] and message["content"]
    for c in reply["policyqa"]["closest"]:
        assert c["text"] == index.documents[c["doc_id"]].text[c["start"] : c["end"]]
    # the refusal says the closest passages are listed below: the text itself lists them, where they are
    listed = message["content"].split("Closest passages (not an answer):\n", 1)[1].splitlines()
    first = reply["policyqa"]["closest"][0]
    (start, end), name = first["source_span"], first["source_file"]
    span = f"[{first['doc_id']}: {name} chars {start}-{end}]"  # as `policyqa ask` prints it: the file opens
    assert listed[0].startswith("(1) ") and span in listed[0], listed
    opened = (server.corpus / name).read_text(encoding="utf-8")[start:end]
    assert "".join(opened.split())[:20] == "".join(first["text"].split())[:20]  # cleaning drops a date line
    streamed = [c.model_dump() for c in ask(server, OFF_TOPIC, stream=True)]
    assert streamed[-1]["choices"][0]["delta"]["declined"] is True


def test_a_place_filter_keeps_only_passages_about_the_place(server) -> None:
    """`places`, as `/ask` and `--place` take it: the digest's passages split by the region they are about."""
    reply = ask(server, "funding rewards for clinical trials", extra_body={"policyqa": {"places": ["海南"]}})
    closest = reply.model_dump()["policyqa"]["closest"]
    assert closest and all("Hainan" in c["places"] for c in closest)


def test_a_question_without_words_is_answered_once(server) -> None:
    """The reply to "???" is its own notice; the message says it once, as the chat does."""
    message = ask(server, "???").model_dump()["choices"][0]["message"]
    assert message["declined"] and message["content"].count("Please ask your question in words") == 1


def test_a_follow_up_is_resolved_from_the_earlier_user_turn(server) -> None:
    messages = [{"role": "user", "content": "广东计划建设多少个综合性生物医药产业园区？"},
                {"role": "assistant", "content": "……"}, {"role": "user", "content": "那北京呢？"}]
    reply = client(server).chat.completions.create(model="policyqa", messages=messages).model_dump()
    assert reply["policyqa"]["resolved_question"] == "北京计划建设多少个综合性生物医药产业园区？"


def test_the_api_wants_the_key_or_a_sign_in(server) -> None:
    from openai import AuthenticationError

    for key in ("", "sk-wrong", SIGN_IN[1]):
        with pytest.raises(AuthenticationError) as refused:
            client(server, key or "none").models.list()
        assert refused.value.status_code == 401 and refused.value.code == "invalid_api_key"
    assert client(server, ":".join(SIGN_IN)).models.list().data[0].id == "policyqa"
    bare = httpx.post(server.url + "v1/chat/completions", json={"model": "policyqa", "messages": []})
    assert bare.status_code == 401 and bare.json()["error"]["type"] == "authentication_error"


def test_wrong_api_keys_lock_the_address_out_of_the_api(server) -> None:
    """Five rejected keys from one address, then 429 with Retry-After in OpenAI's error shape, even for the
    right key; a bad request with the right key is no failed guess, and other addresses are unaffected."""

    def post(key: str, source: str = "127.0.0.9", body: bytes = b"{}") -> httpx.Response:
        with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=600) as http:
            return http.post(server.url + "v1/chat/completions", content=body,
                             headers={"Authorization": f"Bearer {key}"})

    assert [post(API_KEY).status_code for _ in range(6)] == [400] * 6  # bad requests, right key
    codes = [post(f"sk-guess-{i}").status_code for i in range(8)]
    assert codes == [401] * 5 + [429] * 3, codes
    refused = post(API_KEY)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json()["error"]["code"] == "too_many_failed_keys"
    assert post(API_KEY, source="127.0.0.10").status_code == 400  # another address: a bad request, no lockout


def test_errors_have_openai_shape(server) -> None:
    from openai import BadRequestError, NotFoundError

    with pytest.raises(NotFoundError) as unknown:
        client(server).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert unknown.value.code == "model_not_found"
    no_question = [{"role": "system", "content": "Be brief."}]
    with pytest.raises(BadRequestError):
        client(server).chat.completions.create(model="policyqa", messages=no_question)
    with pytest.raises(BadRequestError) as too_long:
        ask(server, "x" * 100_000)
    assert "2,000" in too_long.value.message
    raw = httpx.post(server.url + "v1/chat/completions", content=b"{not json",
                     headers={"Authorization": f"Bearer {API_KEY}"})
    assert raw.status_code == 400 and raw.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(("options", "param", "named"), [
    ({"compare": "province"}, "policyqa.compare", "compare = 'province': must be region or document"),
    ({"k": -1}, "policyqa.k", "k = -1: must be an integer from 1 to 1000"),
    ({"mode": "foo"}, "policyqa.mode", "mode = 'foo': must be dense, bm25 or hybrid"),
    # a filter names its own field (the audit found `messages` there), or `filters` when they match apart
    ({"documents": ["nosuchdoc"]}, "policyqa.documents", "beijing-innovative-medicine-measures-2025"),
    ({"regions": ["Atlantis"]}, "policyqa.regions", "no document's region matches 'Atlantis'"),
    ({"date_from": "last year"}, "policyqa.date_from", "last year"),
    ({"documents": ["beijing-innovative-medicine-measures-2025"], "regions": ["Hainan"]}, "policyqa.filters",
     "no passage passes these filters"),
])
def test_options_and_filters_that_cannot_be_used_are_a_400_naming_the_values(server, options, param,
                                                                              named) -> None:
    from openai import BadRequestError

    with pytest.raises(BadRequestError) as refused:
        ask(server, "创新药", extra_body={"policyqa": options})
    assert refused.value.param == param and named in refused.value.message, refused.value.body


def test_compare_answers_once_per_region_as_a_table(server, index) -> None:
    question = "Which regions have set revenue targets for their biopharmaceutical industry?"
    reply = ask(server, question, extra_body={"policyqa": {"compare": True}}).model_dump()
    message, comparison = reply["choices"][0]["message"], reply["policyqa"]["comparison"]
    assert comparison["by"] == "region" and len(comparison["groups"]) > 1
    assert message["content"].count("|") > 4, "the comparison is a Markdown table"
    answered = [g for g in comparison["groups"] if not g["declined"]]
    assert answered and not message["declined"]
    numbers = [c["n"] for g in answered for c in g["citations"]]
    assert sorted(numbers) == [c["n"] for c in message["citations"]]
    for c in message["citations"]:
        assert c["text"] == index.documents[c["doc_id"]].text[c["start"] : c["end"]]


def test_a_misspelt_comparison_says_what_it_searched_for(server) -> None:
    reply = ask(server, "Which regions rewrad comercial insurance?",
                extra_body={"policyqa": {"compare": True}}).model_dump()
    assert "“Which regions reward commercial insurance?”" in reply["policyqa"]["notice"]
