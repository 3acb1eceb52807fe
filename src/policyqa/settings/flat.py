"""The flat Settings: every setting by the name users give it in policyqa.yaml, POLICYQA_* and CLI flags.

Also the answer layer's fitted models (SENTENCE_WEIGHTS, REFUSAL_WEIGHTS, REFUSAL_THRESHOLD), which
`eval/fit_answer.py` prints to be pasted here. Each stage reads its typed section instead
(`settings.chunking`, `.fusion`, ...: sections.py).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, TypeAdapter, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .sources import SettingsError, YamlSource, allowed, describe_errors, unknown_variables

Mode = Literal["dense", "bm25", "hybrid"]
Backend = Literal["extractive", "openai"]


#: the answer layer's two fitted models (eval/fit_answer.py; eval/answer_model.json is the run behind them):
#: - sentence ranking, a pairwise logistic regression fitted on eval/questions.jsonl. Refitted on five read
#:   files it ranked worse on the sixth (fresh4 lead 0.559 -> 0.500), so it stays as it was;
#: - declining, a logistic regression fitted on the six read question files together (questions, heldout,
#:   fresh, fresh2, fresh3, fresh4), with the threshold that keeps the pooled 5-fold cross-validated
#:   false-refusal rate at or under 5%. Fitted on questions alone it declined tuning-set questions well but
#:   refused a third of outsiders' answerable questions (fresh4, fresh5); docs/answer-rules.md has the
#:   numbers.
SENTENCE_WEIGHTS = {
    "cosine": 3.6, "passage": -0.2081, "fused_gap": 3.8133, "rank": -0.3291, "coverage": 3.1258,
    "translated": 2.8988, "states": 4.835, "heading": -2.2012, "length": -0.1722, "other_language": 1.3601,
    "off_place": -1.7107, "cosine_gap": 3.6, "coverage_gap": 3.1258, "cosine_across": 3.6403,
}
REFUSAL_WEIGHTS = {
    "dense": 0.5209, "fused": 2.5943, "best_cosine": 0.8975, "lead_cosine": 0.349, "lead_states": 1.2967,
    "places_found": 2.2327, "years_found": 1.3098, "lead_score": 0.4016, "unseen_terms": -1.9374,
    "top_match": 1.0722, "lead_match": -0.3275, "asks_quantity": -1.667, "intercept": -8.6195,
}
REFUSAL_THRESHOLD = 0.3673
#: a comparison's rows have their own decline model, fitted by eval/fit_compare.py on the comparison
#: questions of eval/compare.jsonl's read splits (tune, heldout-heldout4; 115 candidate regions at
#: compare_depth 6), labelled by whether a region holds gold evidence. Besides the row answer's refusal
#: features it reads `order`, the region's place among those with evidence: within one region's passages
#: the match features tell little, and the fourth region to show up has seldom more than a word in common
#: with the question. The model fitted for single questions (eval/questions.jsonl), kept until stop 38,
#: let a National row answer a question on revenue targets with a sentence on a trade platform
COMPARE_REFUSAL_WEIGHTS = {
    "dense": 0.0623, "fused": 0.7057, "best_cosine": 0.1808, "lead_cosine": 0.2114, "lead_states": 0.0004,
    "places_found": 0.0004, "years_found": 0.0004, "lead_score": -0.1275, "unseen_terms": -0.4967,
    "top_match": 0.5571, "lead_match": 0.9288, "asks_quantity": -0.1547, "order": -1.0609,
    "lead_score_gap": 0.5705, "lead_match_gap": 0.5042, "intercept": 3.5948,
}


class Settings(BaseSettings):
    """Everything configurable, with the defaults a first-time user should get."""

    model_config = SettingsConfigDict(env_prefix="POLICYQA_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    embedder: str = Field(
        "use-m3",
        description="'use-m3' (bundled multilingual USE) or 'st:<dir-or-name>' (local sentence-transformers)",
    )
    embed_threads: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1, le=256)
    embed_batch_size: int = Field(64, ge=1, le=4096, description="texts the embedder encodes at once")
    chunk_size: int = Field(320, ge=16, le=8192, description="target chunk length in embedding-model tokens")
    chunk_overlap: int = Field(0, ge=0, le=4096,
                               description="overlap between adjacent chunks of one section, in tokens")
    chunk_paragraphs: bool = Field(
        False, description="never merge blank-line paragraphs into one chunk (encyclopaedia-style corpora)"
    )
    #: the embedder reads a text of any length whole, so a paragraph is split only to bound a chunk; on
    #: XQuAD with paragraphs joined three at a time (most 300-700 tokens) a cap of 1024 rather than 320
    #: raised hybrid hit@1 en->en 0.921 -> 0.960, zh->zh 0.905 -> 0.956 (eval/benchmarks/README.md)
    paragraph_cap: int = Field(1024, ge=16, le=8192, description="with chunk_paragraphs: the longest "
                               "paragraph kept as one chunk, in model tokens (longer ones are split)")
    sentence_vectors: bool = Field(
        True, description="also embed each sentence of a passage; a passage scores by its best sentence too"
    )
    #: a long sentence's one vector blurs the clause a question asks about; its clause windows (clause
    #: groups and neighbouring pairs: text/sentences.clause_windows) are embedded at ingest and the answer
    #: layer scores a sentence by its best window too: evidence in answer on questions 0.948 -> 0.958,
    #: heldout 0.912 -> 0.965; XQuAD lead en->en 0.755 -> 0.770, zh->en 0.566 -> 0.596 (80, 120 and 160
    #: chose the same windows on the read files; docs/answer-experiments.md, stop 30)
    clause_chars: int = Field(
        120, ge=0, le=100_000, description="also embed the clause windows of every sentence at least this "
        "many characters long (0: none); an answer scores a sentence by its best window too"
    )
    #: BM25's term saturation k1 and length normalisation b per passage language, each language with its
    #: own average length (IDF stays corpus-wide). Chinese tuned on XQuAD articles 0-23 only (hybrid hit@1
    #: en->zh and zh->zh, k1 0.4-2.0 x b 0.4-0.9: 1.0 / 0.5 tied with 0.5 / 0.6, which cost questions.jsonl
    #: MRR), then checked on articles 24-47 and the policy question files (eval/benchmarks/README.md, "BM25
    #: per language"); English keeps bm25s's defaults. A build setting: the next `policyqa ingest` applies it
    bm25_saturation: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {"en": (1.5, 0.75), "zh": (1.0, 0.5)},
        description="BM25 (k1, b) per passage language, each with its own average passage length",
    )
    #: a question names its document ("Guangdong's 2021-2025 cluster plan") as often as its fact, and a
    #: passage deep in a plan names neither: with the title, hybrid hit@1 on eval/heldout.jsonl 0.717 ->
    #: 0.767, fresh 0.700 -> 0.800, fresh3 0.600 -> 0.650; XQuAD en->en 0.950 -> 0.954
    #: (docs/retrieval-experiments.md)
    keyword_titles: bool = Field(
        True, description="index each passage's keywords with its document's title when the title is in the "
        "passage's language (a Chinese passage gains nothing from an English title's words)"
    )
    glossary: bool = Field(
        True, description="expand keyword queries into the other language with the bilingual glossary"
    )
    dictionary: bool = Field(
        True, description="also expand them with the general CC-CEDICT lexicon, for words the glossary lacks"
    )
    dictionary_weight: float = Field(0.5, ge=0, le=1,
        description="trust in a dictionary translation (0..1) beside a glossary term's 1")
    bm25_weight: float = Field(1.0, ge=0, le=1,
        description="hybrid: weight of BM25 coverage (0..1) beside dense")
    debias: float = Field(0.5, ge=0, le=1,
        description="hybrid: share of the same-language cosine bias removed (0..1)")
    fusion_depth: int = Field(50, ge=1, le=10_000,
        description="hybrid: candidates taken from each channel and language")
    reranker: str = Field(
        "answer-type", description="reorders the top candidates: answer-type, none or cross-encoder:<folder>"
    )
    sentence_weight: float = Field(
        0.5, description="dense: share of a passage's score that comes from its best sentence's cosine"
    )
    #: the keyword twin of sentence_weight. Tuned with word_part_share on XQuAD articles 0-23 only (hybrid
    #: hit@1 zh->zh and en->zh, 0.3-1.0: 0.4-0.5 best, 0.6 or more worse); 0.5 cost en->zh hit@5 on all 48
    #: articles (0.957 -> 0.955), 0.4 none. Checked on articles 24-47 and the policy question files
    #: (eval/benchmarks/README.md, "Keyword proximity and word parts")
    bm25_sentence_weight: float = Field(
        0.4, ge=0, le=1, description="BM25 coverage: share that comes from the passage's best sentence (the "
        "question's words found together in one sentence)")
    #: jieba's search mode gives a long word's parts (维多利亚州: 7 tokens), so a name outweighed the rest
    #: of a Chinese question. Tuned on XQuAD articles 0-23 (0-1: 0.75-1 best on zh->zh hit@1, 0.964 against
    #: 0.960 for 0.5-0.6), but 0.75 or more drops questions.jsonl q042 (a person's name) from rank 4 to 7,
    #: so 0.5, the largest share tried that costs no policy question (eval/benchmarks/README.md, as above)
    word_part_share: float = Field(
        0.5, ge=0, le=1, description="BM25 query: each of a Chinese word's n search-mode parts weighs "
        "1 - share + share / n (0: every part counts as a word, 1: the parts share one word's weight)")
    #: "Waht dose the nationl polcy say …" was declined and spelt right answered (the third user audit):
    #: text/spelling.py corrects only words neither English nor the index knows, towards the index's words
    spelling: bool = Field(
        True, description="correct misspelt English words of a question towards the index's words before "
        "searching (the answer says what it searched for)")
    spelling_min_letters: int = Field(
        4, ge=2, le=20, description="shorter English words are never corrected")
    spelling_long_word: int = Field(
        7, ge=2, le=40, description="English words this long may be two edits from their correction, "
        "shorter and capitalised ones one")
    #: "What does Hainan offer …?" found five Beijing and national passages above the one Hainan passage that
    #: answers it, and was then declined as if the documents never mention Hainan
    place_slot: bool = Field(
        True, description="when the question names a region some passages are about and none of the k "
        "found is, the best passage about it takes the last place")
    #: a passage that names the region in passing (a digest's "China (Jiangsu) Free Trade Zone", 0.35 against
    #: 0.62 for a question on reimbursement rewards) is no evidence on it; the four slot passages of the eight
    #: read question files scored 0.56, 0.80, 0.92 and 0.92 of the hit they replace, and none held the answer
    #: (heldout h13's is Guangdong's second passage). A guard from four questions, not a fit
    #: "广东支持利用南海的什么资源开发创新药？" (heldout h13): the answer is Guangdong's second passage (0.424
    #: against 0.428); with one slot the first, a forum report, was all the answer layer saw. Two move nothing
    #: else on the eight read files, fresh7 or fresh8
    place_slot_passages: int = Field(
        2, ge=1, le=10, description="how many of the named region's best passages the slot brings in")
    place_slot_share: float = Field(
        0.75, ge=0, le=1, description="the region's passage takes the last place only when it scores at "
        "least this share of that place's hit")
    #: English stop words (it, they, this, these, a) never reach the keyword query; their Chinese
    #: counterparts did, and as common words a passage has they could outweigh the word that tells
    #: paragraphs apart (定子的另一种名称: 另 + 一种 beat 定子). Chosen on XQuAD articles 0-23 (zh->zh hybrid
    #: hit@1 0.960 -> 0.967, other directions unchanged), checked on articles 24-47 (0.934 -> 0.937) and the
    #: policy question files (unchanged). Question words (谁, 哪位, 何时) are not in it: leaving them out
    #: cost 0.960 -> 0.957 (eval/benchmarks/README.md, "Chinese function words")
    keyword_function_words: str = Field(
        r"[我你您他她它]们?|[这那此该]|[这那]些|[这那一每各另该此][个种座位些项名件条本家所]|另一?",
        description="BM25 query: a regular expression (whole-token match) for the Chinese question words "
        "left out of the keyword query: pronouns, demonstratives, 一/这/每 + classifier ('' keeps them all)")
    rerank_depth: int = Field(20, description="candidates a reranker reorders (it never adds or drops one)")
    answer_type_weight: float = Field(
        0.1, description="answer-type reranker: bonus of a passage whose best sentence states an asked figure"
    )
    index_type: Literal["auto", "flat", "hnsw"] = "auto"
    hnsw_threshold: int = Field(50_000, ge=0,
        description="'auto' switches from exact search to HNSW above this")
    hnsw_m: int = Field(32, ge=2, le=512,
        description="HNSW graph degree (more = better recall, more memory, slower build)")
    hnsw_ef_construction: int = Field(80, ge=1, le=100_000, description="HNSW build-time search depth")
    hnsw_ef_search: int = Field(128, ge=1, le=100_000,
        description="HNSW query-time search depth (recall vs latency)")
    vector_store: Literal["faiss", "milvus"] = Field(
        "faiss", description="'faiss' (embedded, default) or 'milvus' (Milvus Lite file or a Milvus server)"
    )
    milvus_uri: str = Field(
        "",
        description="Milvus server URI (http://host:19530); empty = a Milvus Lite file in the build folder",
    )
    k: int = Field(5, ge=1, le=1000, description="passages retrieved for a question")
    mode: Mode = "hybrid"
    backend: Backend = "extractive"
    #: retuned on split=tune with compare_max_sentences 4 (csweep over depth 5-40 and gap 0.3-any): depth 6
    #: and gap 0.5 bring back a region (evidence recall 0.710 -> 0.742), silent marked unchanged (0.979);
    #: depth 7 or more marks fewer silent regions (0.936 or less). Held-out splits unchanged
    compare_depth: int = Field(
        6, ge=1, le=1000,
        description="compare: a region (or document) has evidence when one of its passages ranks in the "
        "question's top compare_depth over the whole corpus (tuned on eval/compare.jsonl split=tune)",
    )
    #: retuned on split=tune with keyword titles, which spread the scores of documents whose title matches
    #: the question: 0.25 -> 0.3 brings back one region (recall 0.613 -> 0.645; 0.35-0.5 the same),
    #: silent marked and both held-out splits unchanged
    compare_gap: float = Field(
        0.5, ge=0, le=100,
        description="compare: ...and scores within compare_gap (fused score) of the corpus's best passage",
    )
    #: eval/fit_compare.py's threshold for the model above: the one with the highest cross-validated
    #: evidence recall that keeps 93% of the silent regions marked (CV on the read splits: recall 0.705,
    #: silent marked 0.946; the questions-fitted model at 0.25 measured 0.639 / 0.952 in-sample)
    compare_refusal_weights: dict[str, float] = Field(
        default_factory=lambda: dict(COMPARE_REFUSAL_WEIGHTS),
        description="compare: logistic weights of the decline model for one region's (or document's) answer "
        "(eval/fit_compare.py)",
    )
    compare_refusal_threshold: float = Field(
        0.61, ge=0, le=1,
        description="compare: probability (compare_refusal_weights) below which a region's (or document's) "
        "row says 'not addressed'",
    )
    #: tuned on eval/compare.jsonl split=tune: evidence recall 0.613 -> 0.677 from answer_margin's 3 (4-8
    #: measure the same; held-out unchanged at 0.556): a comparative question asks what each region
    #: does, and its second measure often scores just below the lead
    compare_margin: float = Field(
        4.0, ge=0, le=100,
        description="compare: answer_margin for one region's (or document's) answer",
    )
    #: tuned on eval/compare.jsonl split=tune: evidence recall 0.677 -> 0.710 from answer_max_sentences' 3
    #: (4, 5, 6 and 8 measure the same; the shortest kept), silent marked unchanged: a row answers "how does
    #: the region do X" with its measures, often in different passages. Held-out 2 0.526 -> 0.579, held-out 3
    #: 0.560 -> 0.600, held-out unchanged
    compare_max_sentences: int = Field(
        4, ge=1, le=20,
        description="compare: answer_max_sentences for one region's (or document's) answer",
    )
    #: set by compare for a region's row only (answer/compare.py; the plain answer and a row per document
    #: keep False): "which regions" is the row itself, so "Which regions have set revenue targets…, and what
    #: are the targets?" asks for the targets, not for sentences naming a place (facts.analyse). Measured on
    #: eval/compare.jsonl split=tune: evidence recall 0.645 -> 0.677, silent marked unchanged (0.979);
    #: held-out 0.667 -> 0.722, held-out 2 and 3 unchanged, silent marked unchanged on each
    compare_one_region: bool = Field(
        False,
        description="answer for one region's row of a comparison: a 'which regions' question asks what else "
        "it asks (set by compare per region; True changes plain answers)",
    )
    #: set by compare for every row (answer/compare.py; plain answers keep False). Measured on
    #: eval/compare.jsonl with compare_max_sentences 4: split=tune unchanged (0.742 / 0.979), held-out 2
    #: evidence recall 0.579 -> 0.632, held-out 3 0.600 -> 0.680, held-out unchanged, silent marked unchanged
    answer_one_per_passage: bool = Field(
        False,
        description="answer: each supporting sentence from a passage not quoted yet (set by compare for its "
        "rows: a row sums up its region's passages)",
    )
    answer_passages: int = Field(5, ge=1, le=100, description="top passages whose sentences may answer")
    answer_max_sentences: int = Field(3, ge=1, le=20, description="sentences an extractive answer quotes")
    #: chosen on eval/questions.jsonl with the fitted weights (eval/fit_answer.py prints the sweep as
    #: answer_holds_evidence_by_margin): up to 3 sentences hold the evidence for 0.83 of answerable
    #: questions at margin 1, 0.88 at 2, 0.90 at 3; wider margins add sentences, not evidence
    answer_margin: float = Field(
        3.0, ge=0, le=100,
        description="how far below the lead, in sentence-score units, a supporting sentence may score",
    )
    sentence_weights: dict[str, float] = Field(
        default_factory=lambda: dict(SENTENCE_WEIGHTS),
        description="linear weights that rank candidate answer sentences (eval/fit_answer.py)",
    )
    refusal_weights: dict[str, float] = Field(
        default_factory=lambda: dict(REFUSAL_WEIGHTS),
        description="logistic weights of the decline model (eval/fit_answer.py)",
    )
    refusal_threshold: float = Field(
        REFUSAL_THRESHOLD, ge=0, le=1,
        description="answer probability below which the documents are taken not to answer",
    )
    #: on the six read question files, 11 of the decline model's 12 false refusals score 0.2 or more, and 28
    #: of the 54 off-topic unanswerable questions less: about half the threshold tells them apart
    closest_floor: float = Field(0.2, ge=0, le=1, description="answer probability from which a declined "
                                 "answer quotes its closest sentence (marked as no answer)")
    #: a passage's candidate sentences, sentence vectors and keyword tokens take ~5 ms to prepare the first
    #: time it is retrieved (2-core AMD EPYC); on heldout.jsonl, preparing the bundled corpus's 94 passages
    #: at start took the answer step's p50 from 9.1 to 6.5 ms and its p95 from 37 to 18 ms (stop 35), and
    #: their vectors and tokens fresh14's from 6.2 to 4.4 ms (stop 36). 1,000 passages take about 5 s
    warm_passages: int = Field(1000, ge=0, le=10_000_000, description="passages whose answer candidates "
                               "are prepared at start (serve, eval); the rest on first retrieval")
    #: questions+heldout+fresh: +4 unanswerable declined, +1 false refusal; fresh2 +1 declined; XQuAD
    #: false refusals +0.2 to +1.2 points a direction (docs/answer-rules.md)
    decline_without_figure: bool = Field(True, description="decline a quantity question whose best sentence "
                                         "states no figure in the asked unit, not quote it with a note")
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "default"
    openai_api_key: SecretStr = SecretStr("")
    openai_timeout: float = Field(30.0, gt=0, le=3600)
    openai_retries: int = Field(1, ge=0, le=20)
    openai_max_tokens: int = Field(512, ge=1, le=1_000_000,
        description="longest answer an LLM backend may generate, in tokens")
    openai_temperature: float = Field(0.1, ge=0, le=2)
    #: the claim check's thresholds, set on the crafted claims of tests/integration/test_claim_check.py:
    #: supported claims share 0.78-1.0 of their words with a same-language passage (unsupported ones at
    #: most 0.33), and translated ones reach cosine 0.49-0.75 with USE against the closest sentence or
    #: clause window (unsupported ones at most 0.36; those that keep the passage's words and name another
    #: place, body or drug reach 0.42-0.76, and the check's names rule cuts them)
    openai_claim_overlap: float = Field(0.5, ge=0, le=1,
        description="LLM claim check: share of a claim's words found in the cited passage that supports it")
    openai_claim_cosine: float = Field(0.4, ge=-1, le=1,
        description="LLM claim check: cosine to the cited passage's closest sentence that supports a claim "
                    "(a translated one); 1 leaves only the word test, -1 passes claims whose figures hold")
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535, description="0 = any free port")
    max_question_chars: int = Field(2000, ge=1, le=1_000_000)
    max_upload_mb: int = Field(50, ge=1, le=100_000,
        description="largest upload in MiB (2**20 bytes), as Gradio counts it")
    login_max_failures: int = Field(5, description="wrong passwords from one address before it is locked out")
    login_lockout_seconds: float = Field(2.0, description="first lockout; doubles with every further failure")
    login_lockout_max_seconds: float = Field(600.0, description="longest lockout after failed sign-ins")
    feedback_path: Path = Field(Path("feedback/feedback.jsonl"), description="JSONL log of thumbs up/down")
    api_key: SecretStr = Field(SecretStr(""),
        description="bearer token the /v1 API requires (environment only); with --auth, sign-ins work too")
    serve_concurrency: int = Field(4, ge=1, le=1024, description="questions answered at once; the rest queue")
    serve_queue_size: int = Field(256, ge=1, le=1_000_000,
        description="requests the `serve` queue holds before refusing more")
    serve_queue_poll_seconds: float = Field(0.01, gt=0, le=1,
        description="how often the chat's idle Gradio queue looks for new events (Gradio's own: 0.001)")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order of precedence: CLI flags (init) > environment > config file > defaults."""
        return init_settings, env_settings, YamlSource(settings_cls)

    @model_validator(mode="after")
    def _function_words_compile(self) -> Settings:
        try:
            re.compile(self.keyword_function_words)
        except re.error as exc:
            raise ValueError(f"keyword_function_words is not a regular expression: {exc}") from None
        return self

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        name = "paragraph_cap" if self.chunk_paragraphs else "chunk_size"  # what the splitter is sized by
        size = getattr(self, name)
        if self.chunk_overlap >= size:
            raise ValueError(f"chunk_overlap ({self.chunk_overlap}) must be smaller than {name} ({size})")
        return self

    # ---- typed sections: each stage reads its own (`settings.chunking`, `.index`, `.fusion`, `.rerank`,
    # `.answer`, `.llm`, `.serve`); sections.py adds them as properties, since it builds them from the fields

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Build settings, letting only the CLI flags that were actually given override.

        A value out of range is a SettingsError naming the setting, where it may be set and its range,
        on one line: a negative batch size once wrote all-zero vectors instead of failing. A POLICYQA_*
        variable that is no setting is a warning line on stderr naming the closest (POLICYQA_MDOE).
        """
        for line in unknown_variables(os.environ, cls.model_fields):
            print(line, file=sys.stderr)
        try:
            return cls(**{k: v for k, v in overrides.items() if v is not None})
        except ValidationError as exc:
            raise SettingsError(describe_errors(exc, cls.model_fields)) from None

    @classmethod
    def check(cls, name: str, value: Any) -> Any:
        """`value` as the setting `name` takes it, by the rule `load` applies to a flag, so that an API
        refuses what the command line refuses (k 0, mode 'foo'); else a SettingsError such as `k = 0: must
        be an integer from 1 to 1000`."""
        if isinstance(value, bool) and cls.model_fields[name].annotation is not bool:
            # JSON's true is no number nor name: {"k": true} had been taken as k 1
            raise SettingsError(f"{name} = {value!r}: {allowed(cls.model_fields[name]) or 'not a boolean'}")
        try:
            return _adapter(cls, name).validate_python(value)
        except ValidationError as exc:
            reason = allowed(cls.model_fields[name]) or exc.errors()[0]["msg"]
            raise SettingsError(f"{name} = {value!r}: {reason}") from None


@functools.cache
def _adapter(settings: type[Settings], name: str) -> TypeAdapter:
    """A validator of one setting alone (its type and constraints), built once."""
    field = settings.model_fields[name]
    kind = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    return TypeAdapter(kind)
