"""Command line: policyqa ingest | search | ask | compare | eval | serve.

Every command builds one Settings from defaults, policyqa.yaml, POLICYQA_* variables and its flags, and
turns expected failures (missing or mismatched index, unreadable input) into a one-line message and
exit code 2 instead of a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .answer.question import question_problem
from .evaluate.questions import FILE_FORMAT
from .records import location as records_location
from .settings import Settings

EXIT_USAGE = 2
#: a command stopped by Ctrl-C (SIGINT), as the shell reports it: 128 + 2
EXIT_INTERRUPTED = 130


def _common(parser: argparse.ArgumentParser, corpus: bool = False) -> None:
    parser.add_argument("--index", dest="index_dir", type=Path, help="index folder (default: index/)")
    parser.add_argument("--embedder", help="use-m3 (default) or st:<local model folder>")
    parser.add_argument("--chunk-size", dest="chunk_size", type=int, help="chunk size in model tokens")
    parser.add_argument("--chunk-overlap", dest="chunk_overlap", type=int,
                        help="overlap of adjacent chunks in model tokens")
    parser.add_argument("--chunk-paragraphs", dest="chunk_paragraphs", action=argparse.BooleanOptionalAction,
                        help="one chunk per blank-line paragraph at most (never merge paragraphs)")
    parser.add_argument("--paragraph-cap", dest="paragraph_cap", type=int,
                        help="with --chunk-paragraphs: split only paragraphs longer than this "
                             "(model tokens, default 1024)")
    if corpus:
        parser.add_argument("--corpus", dest="corpus_dir", type=Path, help="corpus folder (default: corpus/)")


def _retrieval_flags(parser: argparse.ArgumentParser) -> None:
    """Mode and filters, shared by every command that retrieves for one question."""
    _ranking_flags(parser)
    parser.add_argument("--doc", action="append", help="only this document id (repeatable)")
    parser.add_argument("--region", action="append", help="only documents of this region (repeatable)")
    parser.add_argument("--place", action="append",
                        help="only passages tagged with this region, e.g. Hainan or 海南, and in an answer "
                        "only their sentences about it (repeatable)")
    parser.add_argument("--lang", action="append", choices=["zh", "en"],
                        help="only passages in this language")
    parser.add_argument("--date-from", dest="date_from", help="only documents dated YYYY[-MM[-DD]] or later")
    parser.add_argument("--date-to", dest="date_to", help="only documents dated YYYY[-MM[-DD]] or earlier")


def _ranking_flags(parser: argparse.ArgumentParser) -> None:
    """How passages are ranked: shared by the one-question commands and eval."""
    parser.add_argument("--mode", choices=["dense", "bm25", "hybrid"], help="retrieval mode (default hybrid)")
    parser.add_argument("--reranker", help="answer-type (default), none or cross-encoder:<model folder>")


def _question_command(sub, name: str, help: str, json_help: str, func) -> argparse.ArgumentParser:
    """A subcommand that retrieves for one question: index flags, the question, --k, mode, filters, --json."""
    parser = sub.add_parser(name, help=help)
    _common(parser)
    parser.add_argument("question")
    parser.add_argument("-k", "--k", type=int, help="passages retrieved (default 5)")
    _retrieval_flags(parser)
    parser.add_argument("--json", action="store_true", help=json_help)
    parser.set_defaults(func=func)
    return parser


def _filters(args: argparse.Namespace, settings: Settings):
    """The Filters given by --doc/--region/--lang/--date-*, checked before anything loads, as is the
    question: an empty one printed the prompt twice and exited 0, and one without words ("???") was
    searched (search, ask and compare refuse both alike); one over `max_question_chars` is refused as the
    chat and the APIs refuse it."""
    from .records import Filters

    if not args.question.strip():
        raise ValueError(f'the question is empty: type it in quotes, e.g. policyqa {args.command} "创新药"')
    if not any(ch.isalnum() for ch in args.question):  # search found five passages for "???"
        raise ValueError('the question has no words: ask in Chinese or English, e.g. '
                         f'policyqa {args.command} "创新药"')
    if len(args.question) > settings.max_question_chars:  # as the chat and the APIs: a cut question had
        # kept its background and lost the question at its end
        raise ValueError(question_problem(args.question, settings.max_question_chars, "en"))
    return Filters(doc_ids=args.doc or [], regions=args.region or [], places=args.place or [],
                   languages=args.lang or [], date_from=args.date_from or "", date_to=args.date_to or "")


def _matchable(retriever, filters) -> None:
    """Refuse filters that can never match in the opened index (a misspelt --doc or --region found
    nothing, exit 0, as if the documents did not cover the question), naming the values it holds."""
    problem = retriever.filter_problem(filters)
    if problem:
        raise ValueError(problem)


def _settings(args: argparse.Namespace, *names: str) -> Settings:
    fields = ("index_dir", "corpus_dir", "embedder", "chunk_size", "chunk_overlap", "chunk_paragraphs",
              "paragraph_cap", "k", "mode", "reranker", "backend", *names)
    return Settings.load(**{name: getattr(args, name, None) for name in fields})


# --------------------------------------------------------------------------- ingest


def cmd_ingest(args: argparse.Namespace) -> int:
    from .index.build import STAGES, ingest
    from .progress import StageBars

    settings = _settings(args)
    progress = StageBars(STAGES)
    try:
        result = ingest(settings, progress=progress, say=lambda msg: print(msg, file=sys.stderr),
                        rebuild=args.rebuild)
    finally:  # before an error's one line, not after it
        progress.close()
    for report in result.files:
        if report.status != "unchanged" or args.verbose:
            detail = f"{report.chunks} chunks" if report.chunks else report.message
            print(f"  {report.status:<9} {printable(report.path)}  {printable(detail)}")
    print(
        f"index {settings.index_dir}: {result.n_documents} documents, {result.n_chunks} chunks "
        f"({result.embedded} embedded, {result.reused} reused); "
        f"{result.count('added')} added, {result.count('updated')} updated, "
        # --rebuild embeds every file again: "unchanged" files were rebuilt all the same
        f"{result.count('unchanged')} {'unchanged (rebuilt)' if args.rebuild else 'unchanged'}, "
        f"{result.count('removed')} removed, {result.count('skipped')} skipped, "
        f"{result.count('duplicate')} duplicates in {result.seconds:.1f}s"
    )
    return 0


# --------------------------------------------------------------------------- search


def cmd_search(args: argparse.Namespace) -> int:
    from .retrieve.retriever import Retriever

    settings = _settings(args)
    filters = _filters(args, settings)
    retriever = Retriever.open(settings)
    _matchable(retriever, filters)
    hits = retriever.search(args.question, k=settings.k, filters=filters, mode=settings.mode)
    if args.json:
        print(json.dumps([h.model_dump() for h in hits], ensure_ascii=False, indent=2))
        return 0
    spelling = retriever.spelled(args.question)
    if spelling.changes:
        from .answer.messages import MESSAGES
        from .text.language import detect_language

        said = MESSAGES[detect_language(args.question)]["spelled"]
        print(printable(said.format(text=spelling.text)) + "\n")
    if not hits:
        print("no passages found")
    for hit in hits:
        c = hit.citation
        where = " > ".join(filter(None, [c.title, c.section]))
        print(f"[{hit.rank}] {hit.score:.3f}  {where}  ({location(c)}){_upload_mark(c)}")
        print("    " + hit.text.replace("\n", "\n    "))
        print()
    return 0


# --------------------------------------------------------------------------- ask


def cmd_ask(args: argparse.Namespace) -> int:
    from .answer.answerer import Answerer
    from .retrieve.retriever import Retriever

    settings = _settings(args)
    filters = _filters(args, settings)
    retriever = Retriever.open(settings)
    _matchable(retriever, filters)
    answer = Answerer(settings, retriever).ask(args.question, filters=filters)
    if args.json:
        print(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    zh = answer.lang == "zh"
    print(answer.answer)
    if answer.notice:
        print(f"\n({answer.notice})")
    bold = sys.stdout.isatty()
    if answer.citations:
        print("\n" + ("引用的段落：" if zh else "Cited passages:"))
        for c in answer.citations:
            _print_passage(f"[{c.n}]", c, c.text, c.sentences if bold else [])
    elif answer.hits:
        print("\n" + ("最接近的段落（不构成答案）：" if zh else "Closest passages (not an answer):"))
        for hit in answer.hits:
            _print_passage(f"({hit.rank})", hit.citation, hit.text, [])
    return 0


def _upload_mark(cited) -> str:
    """' [uploaded <time>, not curated]' after a passage from an uncurated upload, else ''."""
    return f"  [uploaded {cited.uploaded_at}, not curated]" if cited.uploaded_at and not cited.curated else ""


def printable(text: str) -> str:
    """Text for one report line: control characters (a newline in a file name) shown escaped, e.g. \\n."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def location(cited) -> str:
    """`records.location` of a Citation or CitedPassage."""
    source = (cited.source_start, cited.source_end)
    return records_location(cited.doc_id, cited.source_file, source, cited.start, cited.end, cited.page)


def _print_passage(label: str, cited, text: str, highlight: list[str]) -> None:
    where = " > ".join(filter(None, [cited.title, cited.section]))
    print(f"{label} {where}  ({location(cited)}){_upload_mark(cited)}")
    for sentence in highlight:
        text = text.replace(sentence, f"\033[1m{sentence}\033[0m", 1)
    print("    " + text.replace("\n", "\n    "))
    print()


# --------------------------------------------------------------------------- eval


def cmd_compare(args: argparse.Namespace) -> int:
    from .answer.answerer import Answerer
    from .answer.compare import compare

    settings = _settings(args)
    filters = _filters(args, settings)
    answerer = Answerer.open(settings)
    _matchable(answerer.retriever, filters)
    result = compare(answerer, args.question, by=args.by, filters=filters)
    if args.json:
        print(json.dumps(result.public(), ensure_ascii=False, indent=2))
        return 0
    if result.notice:
        print(printable(result.notice) + "\n")
    for group in result.groups:
        print(f"== {printable(group.key)}")
        print("\n".join(printable(line) for line in group.answer.splitlines()))  # notes on their own lines
        for c in group.citations:  # where in the document, as ask says it: a row often cites one twice
            where, date = f"{c.title} > {c.section}" if c.section else c.title, f", {c.date}" * bool(c.date)
            print(f"   [{c.n}] {printable(where)} ({location(c)}{date})")
        print()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate.compare import is_compare_file

    settings = _settings(args)
    if is_compare_file(args.questions):
        return _eval_compare(args, settings)
    from .evaluate.questions import load_questions
    from .evaluate.report import markdown, table
    from .evaluate.run import run_eval
    from .progress import bar
    from .retrieve.retriever import Retriever

    questions = load_questions(args.questions)  # a bad line is named before the model loads
    retriever = Retriever.open(settings)
    questions_bar = bar(desc="questions", unit="q")

    def progress(done: int, total: int) -> None:
        questions_bar.total = total
        questions_bar.update(done - questions_bar.n)

    report = run_eval(questions, retriever, settings, k=args.k or 10, mode=settings.mode, progress=progress,
                      answers=args.answers)
    questions_bar.close()
    print(table(report))
    unreachable = report["unreachable"]
    if unreachable:
        ids = ", ".join(unreachable[:10]) + (" …" if len(unreachable) > 10 else "")
        print(f"policyqa eval: warning: {len(unreachable)} answerable question(s) have evidence that no "
              f"passage of this index holds, so they count as misses whatever is retrieved: {ids}",
              file=sys.stderr)
    if args.output:
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(markdown(report), encoding="utf-8")
    return 0


def _eval_compare(args: argparse.Namespace, settings: Settings) -> int:
    """Comparison questions (records with `groups`): per-region evidence recall and silent regions marked."""
    from .answer.answerer import Answerer
    from .evaluate.compare import evaluate_compare, table

    report = evaluate_compare(args.questions, Answerer.open(settings))
    print(table(report))
    if args.output:
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- serve


def cmd_serve(args: argparse.Namespace) -> int:
    from .app.server import read_auth, serve
    from .index.reader import index_settings

    settings = index_settings(_settings(args, "host", "port"))  # uploads go to the index's own corpus
    auth = read_auth(args.auth, args.auth_file)
    serve(settings, share=args.share, auth=auth)
    return 0


# --------------------------------------------------------------------------- wiring


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policyqa", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="build or update the index from a corpus folder")
    _common(p, corpus=True)
    p.add_argument("-v", "--verbose", action="store_true", help="also list unchanged files")
    p.add_argument("--rebuild", action="store_true",
                   help="build from scratch with the given --embedder/--chunk-* values, reusing nothing from "
                   "the current build (also for a damaged one); without it an index keeps its build settings")
    p.set_defaults(func=cmd_ingest)

    _question_command(sub, "search", "ranked passages with citations", "print hits as JSON", cmd_search)
    p = _question_command(sub, "ask", "an answer with numbered citations, or a plain refusal",
                          "print the structured answer as JSON", cmd_ask)
    p.add_argument("--backend", choices=["extractive", "openai"], help="answer backend (default extractive)")

    p = _question_command(sub, "compare", "one cited answer per region (or document), and the silent ones",
                          "print {question, by, groups: [{key, answer, declined, citations}]} as JSON",
                          cmd_compare)
    p.add_argument("--by", choices=["region", "document"], default="region", help="group by (default region)")

    p = sub.add_parser("eval", help="retrieval accuracy on a question set with gold evidence (a comparison "
                       "set such as eval/compare.jsonl gets per-region evidence recall instead)",
                       description=FILE_FORMAT, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p)
    p.add_argument("questions", type=Path, help="JSONL question file (see eval/questions.jsonl)")
    p.add_argument("-k", "--k", type=int, help="passages retrieved per question (default 10)")
    _ranking_flags(p)
    p.add_argument("--answers", action="store_true",
                   help="also run the answer layer on every question and score the answers")
    p.add_argument("--output", type=Path, help="write the full JSON report here")
    p.add_argument("--markdown", type=Path, help="write a Markdown report with the misses here")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="the chat in the browser (Gradio), on 127.0.0.1:7860 by default",
                       description="The chat in the browser. With no index at --index, one is built from "
                       "--corpus first (without a corpus: policyqa ingest --corpus DIR --index DIR).")
    _common(p, corpus=True)
    p.add_argument("--host", help="address to bind (default 127.0.0.1; anything else needs --auth)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--share", action="store_true", help="also open a public gradio.live link (off)")
    p.add_argument("--auth", help="require sign-in as user:password")
    p.add_argument(
        "--auth-file", dest="auth_file", type=Path, help="file of user:password lines (safer than --auth)"
    )
    p.set_defaults(func=cmd_serve)
    return parser


def one_line(exc: BaseException) -> str:
    """An expected error as one line: pydantic's multi-line reports become `field: problem; ...`."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: " * bool(e["loc"])
                    + e["msg"].removeprefix("Value error, ") for e in exc.errors()]
        return f"invalid {exc.title}: " + "; ".join(problems)
    return " ".join(str(exc).split())


def unwritable(exc: OSError) -> str | None:
    """The one-line message for a folder that cannot be written (permissions, read-only mount), else None."""
    if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
        return None
    where = exc.filename or "a file"
    return (f"cannot write {where} ({exc.strerror}): make the folder writable, or choose another "
            "with --index / --corpus")


def main(argv: list[str] | None = None) -> int:
    from .index.manifest import IndexLocked, IndexMismatch, IndexMissing, IndexWriteFailed
    from .index.reader import IndexDamaged

    args = build_parser().parse_args(argv)
    expected: tuple[type[Exception], ...] = (
        IndexMissing,
        IndexMismatch,
        IndexLocked,
        IndexDamaged,
        IndexWriteFailed,
        FileNotFoundError,
        ValueError,
    )
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except expected as exc:
        print(f"policyqa {args.command}: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C: one line, not a traceback; an ingest says what is still in use
        kept = ("; an unfinished build is never used: the index is as the last completed ingest left it"
                if args.command == "ingest" else "")
        print(f"\npolicyqa {args.command}: interrupted{kept}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `policyqa ask … | head -1`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except OSError as exc:
        message = unwritable(exc)
        if message is None:
            raise
        print(f"policyqa {args.command}: {message}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
