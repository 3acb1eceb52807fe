"""The keyword tokenizer on policy Chinese: real jieba, expectations are the words a reader sees."""

from __future__ import annotations

import pytest

from policyqa.text.tokenizer import LexicalTokenizer


@pytest.fixture(scope="module")
def tokenize() -> LexicalTokenizer:
    return LexicalTokenizer()


@pytest.mark.parametrize(("text", "name"), [
    # the bundled national measures: jieba alone reads 称商保, and the defining sentence loses the name
    ("增设商业健康保险创新药品目录(以下称商保创新药目录),重点纳入创新程度高", "商保"),
    ("基本医保药品目录(以下称医保目录)", "医保"),
    ("(以下简称商保目录)", "商保"),
    ("下称商保目录", "商保"),
])
def test_a_short_name_a_text_introduces_is_a_word_of_its_own(tokenize, text: str, name: str) -> None:
    tokens = tokenize(text)
    assert name in tokens and not any(t != name and t.endswith(name) and t[0] in "称" for t in tokens), tokens


def test_the_naming_words_are_still_read_where_no_name_follows(tokenize) -> None:
    assert tokenize("简称") == ["简称"]
    assert tokenize("以下简称《实施意见》")[:2] == ["以下", "简称"]
