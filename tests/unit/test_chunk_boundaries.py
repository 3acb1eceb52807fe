"""Chunk and sentence boundaries keep closing quotes and brackets with the sentence they end.

Before chunker version 3 the chunker cut between 。 and ”, so some Chinese chunks began with a lone ”.
The chunker runs for real here; its length function counts characters instead of USE tokens, which
only changes where the size limit falls.
"""

from __future__ import annotations

import pytest

from policyqa.answer.evidence import whole_sentence
from policyqa.chunking import CLOSERS, Chunker
from policyqa.records import Document, DocumentMeta
from policyqa.settings import ChunkingSettings
from policyqa.text.sentences import CLAUSE_GROUP_CHARS, chunk_clauses, clause_windows, split_sentences

QUOTED = "".join(f"第{i}条规定：“医保部门要加快创新药挂网采购，推动双通道管理{i}。”" for i in range(12))
BRACKETED = "".join(f"价格谈判第{i}轮完成（含税价格下降{i}成。）" for i in range(12))
ENGLISH = " ".join(f'The notice {i} says "prices fall by {i} percent." Hospitals follow.' for i in range(12))


def _chunks(text: str, size: int) -> list[str]:
    meta = DocumentMeta(doc_id="d", title="t")
    doc = Document(meta=meta, path="d.txt", text=text, content_hash="h")
    return [c.text for c in Chunker(ChunkingSettings(chunk_size=size), len).chunk(doc)]


@pytest.mark.parametrize("text", [QUOTED, BRACKETED, ENGLISH])
@pytest.mark.parametrize("size", [40, 60, 90])
def test_no_chunk_starts_with_a_closing_quote_or_bracket(text: str, size: int) -> None:
    chunks = _chunks(text, size)
    assert len(chunks) > 1
    assert not [c for c in chunks if c[0] in CLOSERS]
    assert "".join(chunks).replace(" ", "") == text.replace(" ", "")  # nothing lost or repeated


def test_sentences_end_after_their_closing_quotes() -> None:
    text = '他说：“要加快。”随后离开。He said "yes." Then he left. 价格（含税。）下降。'
    sentences = [text[start:end] for start, end in split_sentences(text)]
    assert sentences == ["他说：“要加快。”", "随后离开。", 'He said "yes."', "Then he left.",
                         "价格（含税。）", "下降。"]


def test_a_full_stop_after_an_abbreviation_ends_no_sentence() -> None:
    """"(Document No. 82 [2020])" and "Co., Ltd. submitted" are one sentence each: cut at the full stop,
    a date question's evidence loses its year and a quote starts at "submitted"."""
    text = ("It follows Guangdong Government Document No. 82 [2020]. China Resources Shuanghe Co., Ltd. "
            "submitted an application. Dr. Li approved it for the U.S. FDA. Then it ended.")
    sentences = [text[start:end] for start, end in split_sentences(text)]
    assert sentences == ["It follows Guangdong Government Document No. 82 [2020].",
                         "China Resources Shuanghe Co., Ltd. submitted an application.",
                         "Dr. Li approved it for the U.S. FDA.", "Then it ended."]


DIGEST = " ".join(f"Group {i} - Since 202{i}, the zone has set up {i} funds worth {i} billion yuan [{i}] - "
                  f"The funds invest in drugs and devices across the industry chain [{i}][1{i}]"
                  for i in range(1, 9))


def test_a_footnoted_claim_ends_a_sentence() -> None:
    """News digests run claims together as "... yuan [2] - The funds ...": each is a sentence of its own,
    so a quote never starts mid-claim ("Since 2022," cut off) nor runs two claims together."""
    sentences = [DIGEST[start:end] for start, end in split_sentences(DIGEST)]
    assert sentences[:3] == ["Group 1 - Since 2021, the zone has set up 1 funds worth 1 billion yuan [1]",
                             "- The funds invest in drugs and devices across the industry chain [1][11]",
                             "Group 2 - Since 2022, the zone has set up 2 funds worth 2 billion yuan [2]"]
    inline = "as reported [1], the catalogue [2] grew"
    assert split_sentences(inline) == [(0, len(inline))]


def test_digest_chunks_end_after_a_footnoted_claim() -> None:
    for chunk in _chunks(DIGEST, 200):
        assert chunk.endswith("]"), chunk


def test_a_lead_quotes_the_whole_of_a_sentence_cut_for_length() -> None:
    """Sentence vectors cut an overlong sentence at a comma; the answer's lead quotes it whole, so the tail
    ("and expand the pilot scope to medical devices.") is not left out of it, nor the head (what the
    Measures propose) out of a lead that is the tail."""
    head = ("The Several Measures 2025 proposes to enhance the efficiency of review and approval, deepen the "
            "pilot review and approval of clinical trials of innovative drugs, shorten the review time of "
            "clinical trial applications from 60 working days to 30 working days for eligible products, "
            "support the registration of urgently needed imported drugs in designated hospitals, ")
    text = head + "and expand the pilot scope to medical devices. Next sentence here."
    spans = split_sentences(text)
    assert text[spans[0][0]:spans[0][1]].endswith(",") and len(spans) == 3
    whole, quote = whole_sentence(text, spans, 0)
    assert whole == quote == head + "and expand the pilot scope to medical devices."
    assert whole_sentence(text, spans, 1) == (whole, quote)
    assert whole_sentence(text, spans, 2) is None  # a sentence that ends in a full stop is whole


def test_a_line_ending_in_a_colon_is_not_part_of_the_next() -> None:
    """A letter's addressee line ends in a colon, as a sentence cut for length can; a line break after it
    says it is a line of its own."""
    text = "各省、自治区、直辖市医保局、卫生健康委:\n\n为贯彻落实党中央、国务院决策部署,现印发给你们。"
    spans = split_sentences(text)
    assert all(whole_sentence(text, spans, j) is None for j in range(len(spans)))


PATH = ("The Provincial Medical Insurance Administration, in collaboration with the Provincial Department of "
        "Industry and Information Technology and the Health Commission, is striving to explore a "
        "high-quality development path oriented by clinical value and guided by medical insurance "
        "policies.")


def test_a_long_sentence_has_its_clause_groups_and_their_neighbouring_pairs_as_windows() -> None:
    """Three clause groups of the sentence, in order, then the two pairs of neighbours; the path the
    question asks about is whole in one of them."""
    windows = clause_windows(PATH, 120)
    groups = windows[:3]
    assert "".join(groups) == PATH and all(len(g) >= CLAUSE_GROUP_CHARS for g in groups)
    assert windows[3:] == [groups[0] + groups[1], groups[1] + groups[2]]
    asked = "path oriented by clinical value and guided by medical insurance policies"
    assert any(asked in w for w in windows)


@pytest.mark.parametrize(("sentence", "min_chars"), [
    (PATH, 0),  # switched off
    (PATH, len(PATH) + 1),  # shorter than asked
    # fewer than three clause groups (here one): a window would be the whole sentence
    ("国家医保局、国家卫生健康委联合印发了若干措施，提出16条措施，涵盖五个方面的内容和要求。", 20),
])
def test_no_windows_for_a_short_sentence_or_one_of_two_clause_groups(sentence: str, min_chars: int) -> None:
    assert clause_windows(sentence, min_chars) == []


def test_a_passage_has_the_windows_of_each_of_its_sentences_in_order() -> None:
    passage = "Guangdong Province continues to exert efforts. " + PATH
    assert chunk_clauses(passage, 120) == [[], clause_windows(PATH, 120)]

