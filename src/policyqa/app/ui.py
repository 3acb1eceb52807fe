"""The Gradio Blocks app: chat, settings, upload, sources and the document viewer."""


import logging
import time
import traceback

from .followup import resolve_followup
from .render import (
    TEXT,
    Source,
    answer_markdown,
    copy_text,
    document_choices,
    document_view,
    md_escape,
    region_choices,
    source_card,
    sources_of,
    ui_lang,
    uploads_notice,
)
from .service import MAX_K, MODES, Engine, api_ask, choose_backend, make_filters, question_problem
from .uploads import UPLOAD_TYPES, ingest_uploads

log = logging.getLogger("policyqa.app")


EXAMPLES = [
    "广东计划建设多少个综合性生物医药产业园区？",
    "What does the national policy say about the commercial health insurance innovative drug catalogue?",
    "北京对创新药首发上市有哪些支持措施？",
    "How does Beijing support the clinical use of innovative drugs?",
]

CSS = """
.pq-source {border:1px solid var(--border-color-primary); border-radius:8px; padding:8px 10px; margin:0;}
.pq-head {font-weight:600;}
.pq-n {color: var(--color-accent); font-weight:700; margin-right:4px;}
.pq-alt {color: var(--body-text-color-subdued); font-size: 0.9em;}
.pq-meta {color: var(--body-text-color-subdued); font-size: 0.85em; margin-top:2px;}
.pq-section {font-size:0.85em; font-style: italic; margin-top:2px;}
.pq-text {margin-top:6px; white-space: pre-wrap; font-size:0.92em; max-height: 14em; overflow-y:auto;}
mark.pq-sentence, mark.pq-target {background:#fde68a; color:#111; padding:0 1px; border-radius:2px;}
.pq-doc-title {font-weight:700; font-size:1.05em;}
.pq-doc-text {white-space: pre-wrap; margin-top:8px; max-height: 460px; overflow-y:auto;
              border-top:1px solid var(--border-color-primary); padding-top:6px; font-size:0.92em;}
.pq-upload {color:#92400e; background:#fef3c7; font-size:0.85em; border-radius:4px; padding:1px 6px;
             margin-top:3px; display:inline-block;}
.pq-viewer-empty {color: var(--body-text-color-subdued); font-style: italic;}
.pq-slot {gap: 4px !important;}
"""

SCROLL_JS = """() => { setTimeout(() => {
  const box = document.getElementById('pq-doc-text'); const target = document.getElementById('pq-target');
  if (box && target) { box.scrollTop = target.offsetTop - box.offsetTop - 80; }
  const viewer = document.getElementById('pq-viewer'); if (viewer) viewer.scrollIntoView({block: 'nearest'});
}, 150); }"""


def build_app(engine: Engine):
    """The Blocks app: chat + controls + upload on the left, sources + document viewer on the right."""
    import gradio as gr

    settings = engine.settings
    n_docs, n_chunks = engine.stats
    llm_note = (f"LLM server at {settings.openai_base_url} is reachable." if engine.llm_available else
                f"LLM backend: no OpenAI-compatible server answered at {settings.openai_base_url}; "
                "choosing it falls back to extractive. Start one and restart `policyqa serve` to use it.")

    with gr.Blocks(title="policyqa · 医药政策问答", analytics_enabled=False) as demo:
        turns = gr.State([])
        sources_state = gr.State([])
        gr.Markdown(
            "## policyqa · 医药政策问答\n"
            "Ask about Chinese pharmaceutical policy in Chinese or English; every answer cites the passages "
            "it comes from. 用中文或英文提问，每个回答都附有出处。"
        )
        status = gr.Markdown(f"<small>{n_docs} documents · {n_chunks} passages indexed</small>")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat", height=520, latex_delimiters=[], sanitize_html=True, buttons=["copy"],
                    placeholder="**Ask a question about the policy documents · 请就政策文件提问**",
                    examples=[{"text": q} for q in EXAMPLES], elem_id="pq-chat",
                )
                with gr.Row():
                    question = gr.Textbox(show_label=False, scale=8, max_lines=6, elem_id="pq-question",
                                          placeholder="Ask in Chinese or English · 用中文或英文提问")
                    ask_btn = gr.Button("Ask · 提问", variant="primary", scale=1, elem_id="pq-ask")
                with gr.Row():
                    up_btn = gr.Button("👍 Helpful · 有帮助", size="sm", elem_id="pq-up")
                    down_btn = gr.Button("👎 Not helpful · 没帮助", size="sm", elem_id="pq-down")
                    clear_btn = gr.Button("New chat · 新对话", size="sm")
                with gr.Accordion("Copy answer with citations · 复制答案及出处", open=False):
                    copy_box = gr.Textbox(show_label=False, lines=8, buttons=["copy"], interactive=False,
                                          elem_id="pq-copy")
                with gr.Accordion("Search settings · 检索设置", open=False):
                    with gr.Row():
                        k = gr.Slider(1, MAX_K, value=min(settings.k, MAX_K), step=1,
                                      label="Passages · 段落数")
                        mode = gr.Radio(list(MODES), value=settings.mode, label="Retrieval mode · 检索方式")
                    backend = gr.Dropdown(
                        [("Extractive (quotes the documents)", "extractive"),
                         ("LLM (OpenAI-compatible server)", "openai")],
                        value=settings.backend, label="Answer backend · 回答方式", info=llm_note,
                    )
                    idx = engine.current.index
                    docs = gr.Dropdown(document_choices(idx), multiselect=True, label="Documents · 文档")
                    with gr.Row():
                        regions = gr.Dropdown(region_choices(idx), multiselect=True, allow_custom_value=True,
                                              label="Region · 地区")
                        langs = gr.CheckboxGroup([("中文", "zh"), ("English", "en")],
                                                 label="Passage language · 语言")
                    with gr.Row():
                        date_from = gr.Textbox(label="From date · 起始日期", placeholder="2024-01-01")
                        date_to = gr.Textbox(label="To date · 截止日期", placeholder="2025-12-31")
                with gr.Accordion("Add documents · 上传文档", open=False):
                    files = gr.File(file_count="multiple", file_types=list(UPLOAD_TYPES), type="filepath",
                                    label=f"txt, md, html, pdf, docx · ≤ {settings.max_upload_mb} MiB each")
                    upload_btn = gr.Button("Add to the index · 加入索引")
                    upload_status = gr.Markdown()
            with gr.Column(scale=2):
                sources_title = gr.Markdown("### Sources · 来源\n<small>Cited passages appear here.</small>")
                slots, cards, opens = [], [], []
                for i in range(MAX_K):
                    with gr.Column(visible=False, elem_classes="pq-slot") as slot:
                        cards.append(gr.HTML(elem_id=f"pq-source-{i + 1}"))
                        opens.append(gr.Button("Open in document · 查看原文", size="sm",
                                               elem_id=f"pq-open-{i + 1}"))
                    slots.append(slot)
                gr.Markdown("### Document viewer · 原文")
                viewer = gr.HTML('<div class="pq-viewer-empty">Click “Open in document” on a source. '
                                 "点击来源下的“查看原文”。</div>", elem_id="pq-viewer")

        # ---- chat

        def respond(message, history, turns_value, k_value, mode_value, backend_value, docs_value,
                    regions_value, langs_value, from_value, to_value):
            history = list(history or [])
            turns_value = list(turns_value or [])
            text = message if isinstance(message, str) else ""
            lang = ui_lang(text[:2000]) if text.strip() else "en"
            same = (gr.skip(),) * (4 + 2 * MAX_K)
            if not text.strip():
                yield history, gr.skip(), *same
                return
            history.append({"role": "user", "content": md_escape(text[:2000])})
            problem = question_problem(text, settings, lang)
            if problem:
                history.append({"role": "assistant", "content": md_escape(problem)})
                yield history, "", *same
                return
            previous = turns_value[-1]["resolved"] if turns_value else ""
            resolved = resolve_followup(text.strip(), previous)
            interpreted = resolved if resolved != text.strip() else ""
            thinking = answer_markdown(None, lang, interpreted, final=False)
            history.append({"role": "assistant", "content": thinking})
            yield history, "", *same
            try:
                filters = make_filters(docs_value, regions_value, langs_value, from_value, to_value)
            except ValueError as exc:
                history[-1]["content"] = md_escape(TEXT[lang]["bad_filter"].format(problem=str(exc)))
                yield history, "", *same
                return
            chosen, notice = choose_backend(engine, backend_value, lang)
            loaded = engine.current
            answer = None
            try:
                stream = loaded.answerer.ask_stream(resolved, k=int(k_value or settings.k), filters=filters,
                                                    mode=mode_value, backend=chosen)
                for answer in stream:
                    history[-1]["content"] = answer_markdown(answer, lang, interpreted, final=False)
                    yield history, gr.skip(), *same
            except Exception:
                log.error("answering %r failed:\n%s", resolved[:200], traceback.format_exc())
                history[-1]["content"] = md_escape(TEXT[lang]["failed"])
                yield history, gr.skip(), *same
                return
            if answer is None:
                history[-1]["content"] = md_escape(TEXT[lang]["failed"])
                yield history, gr.skip(), *same
                return
            sources = sources_of(answer, loaded.index)
            if not answer.declined:
                notice = " ".join(x for x in (notice, uploads_notice(sources, lang)) if x)
            history[-1]["content"] = answer_markdown(answer, lang, interpreted, notice, final=True)
            if not sources and not filters.is_empty() and not answer.hits:
                history[-1]["content"] += "\n\n" + md_escape(TEXT[lang]["no_match"])
            turns_value.append({
                "question": text.strip(), "resolved": resolved, "answer": answer.answer,
                "declined": answer.declined, "backend": answer.backend, "mode": mode_value,
                "sources": [{"n": s.n, "doc_id": s.doc_id, "title": s.title, "section": s.section,
                             "start": s.start, "end": s.end} for s in sources],
            })
            title = TEXT[lang]["closest" if answer.declined else "sources"]
            yield (history, gr.skip(), turns_value, [s.__dict__ for s in sources],
                   f"### {title}", copy_text(resolved, answer, sources, lang), *slot_updates(sources))

        def slot_updates(sources: list[Source]) -> list:
            shown = [gr.Column(visible=i < len(sources)) for i in range(MAX_K)]
            html_values = [source_card(sources[i]) if i < len(sources) else "" for i in range(MAX_K)]
            return shown + html_values

        chat_outputs = [chatbot, question, turns, sources_state, sources_title, copy_box, *slots, *cards]
        chat_inputs = [question, chatbot, turns, k, mode, backend, docs, regions, langs, date_from, date_to]
        question.submit(respond, chat_inputs, chat_outputs, api_visibility="private")
        ask_btn.click(respond, chat_inputs, chat_outputs, api_visibility="private")
        def pick_example(evt: gr.SelectData) -> str:
            value = evt.value
            return value.get("text", "") if isinstance(value, dict) else str(value or "")

        chatbot.example_select(pick_example, None, question, api_visibility="private", queue=False) \
            .then(respond, chat_inputs, chat_outputs, api_visibility="private")

        def clear():
            return ([], [], [], "### Sources · 来源", "", *slot_updates([]),
                    '<div class="pq-viewer-empty">—</div>')

        clear_outputs = [chatbot, turns, sources_state, sources_title, copy_box, *slots, *cards, viewer]
        clear_btn.click(clear, None, clear_outputs, api_visibility="private", queue=False)

        # ---- sources -> viewer

        def open_source(i: int, sources_value):
            if not sources_value or i >= len(sources_value):
                return gr.skip()
            src = sources_value[i]
            return document_view(engine.current.index, src["doc_id"], src["start"], src["end"])

        for i, button in enumerate(opens):
            button.click(lambda s, i=i: open_source(i, s), sources_state, viewer, api_visibility="private",
                         queue=False).then(None, js=SCROLL_JS)

        # ---- feedback

        def vote(value: str, turns_value):
            if not turns_value:
                gr.Info("Ask a question first · 请先提问")
                return
            turn = turns_value[-1]
            engine.record_feedback({**turn, "vote": value, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
            gr.Info("Thanks, feedback saved · 已记录反馈")

        up_btn.click(lambda t: vote("up", t), turns, None, api_visibility="private")
        down_btn.click(lambda t: vote("down", t), turns, None, api_visibility="private")

        def on_like(data: gr.LikeData, turns_value):
            index = data.index[0] if isinstance(data.index, list | tuple) else data.index
            turn_no = (int(index) - 1) // 2 if index is not None else -1
            if 0 <= turn_no < len(turns_value or []):
                turn = turns_value[turn_no]
                engine.record_feedback({**turn, "vote": "up" if data.liked else "down",
                                        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z")})

        chatbot.like(on_like, turns, None, api_visibility="private")

        # ---- uploads

        def upload(paths, progress=gr.Progress()):  # noqa: B008 - Gradio injects progress this way
            message, changed = ingest_uploads(engine, paths or [], progress)
            idx = engine.current.index
            n_docs, n_chunks = engine.stats
            if not changed:
                return message, gr.skip(), gr.skip(), gr.skip(), None
            return (message, f"<small>{n_docs} documents · {n_chunks} passages indexed</small>",
                    gr.Dropdown(choices=document_choices(idx)), gr.Dropdown(choices=region_choices(idx)),
                    None)

        upload_btn.click(upload, files, [upload_status, status, docs, regions, files], api_name="upload",
                         concurrency_limit=1, concurrency_id="ingest")

        # ---- named API endpoints for scripts

        def ask(question: str, k: int = 0, mode: str = "", backend: str = "", documents: str = "",
                regions: str = "", languages: str = "", date_from: str = "", date_to: str = "",
                previous_question: str = "") -> dict:
            """Answer a question with numbered citations. k=0 / empty strings use the server defaults;
            documents, regions and languages are comma-separated; dates are YYYY[-MM[-DD]]."""
            return api_ask(engine, question, k, mode, backend, documents, regions, languages, date_from,
                           date_to, previous_question)

        def view(document: str, start: int = 0, end: int = 0) -> str:
            """HTML of an indexed document (by document id) with the span start-end highlighted."""
            try:
                return document_view(engine.current.index, document, int(start or 0), int(end or 0))
            except Exception:
                log.error("viewer failed:\n%s", traceback.format_exc())
                return '<div class="pq-viewer-empty">Cannot show this document.</div>'

        gr.api(ask, api_name="ask")
        gr.api(view, api_name="view")

    demo.queue(default_concurrency_limit=settings.serve_concurrency, max_size=settings.serve_queue_size)
    return demo
