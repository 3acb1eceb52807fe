"""The Gradio Blocks app: chat, settings, upload, sources and the document viewer.

`build_app` lays the page out panel by panel, then wires each panel's events. Every question goes
through `Service.ask`, the same path as the `/ask` API. Gradio is imported inside the functions (it is
slow to import), and this module has no `from __future__ import annotations`: Gradio reads handler
annotations such as `gr.SelectData` as real classes.
"""

import logging
import time
import traceback
from types import SimpleNamespace

from .render import counted, document_choices, document_view, md_escape, region_choices
from .service import ECHO_CHARS, MAX_K, MODES, Request, Service, api_ask
from .style import SCROLL_JS
from .updates import EMPTY_VIEWER, EXTRA, SLOTS, chat_update, downloads, slot_updates
from .uploads import UPLOAD_TYPES, ingest_uploads

log = logging.getLogger("policyqa.app")

COMPARE_CHOICES = [("One answer · 单一回答", ""), ("Compare regions · 按地区比较", "region"),
                   ("Compare documents · 按文件比较", "document")]


EXAMPLES = [
    "广东计划建设多少个综合性生物医药产业园区？",
    "What does the national policy say about the commercial health insurance innovative drug catalogue?",
    "北京对创新药首发上市有哪些支持措施？",
    "How does Beijing support the clinical use of innovative drugs?",
]

def build_app(service: Service):
    """The Blocks app: chat + controls + upload on the left, sources + document viewer on the right."""
    import gradio as gr

    settings = service.settings
    with gr.Blocks(title="policyqa · 医药政策问答", analytics_enabled=False) as demo:
        ui = SimpleNamespace(turns=gr.State([]), sources_state=gr.State([]))
        gr.Markdown(
            "## policyqa · 医药政策问答\n"
            "Ask about Chinese pharmaceutical policy in Chinese or English; every answer cites the passages "
            "it comes from. 用中文或英文提问，每个回答都附有出处。"
        )
        ui.status = gr.Markdown(_status(service))
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                _chat_panel(ui)
                _settings_panel(ui, service)
                _upload_panel(ui, settings.max_upload_mb)
            with gr.Column(scale=2):
                _sources_panel(ui)
        _wire_chat(ui, service)
        _wire_viewer(ui, service)
        _wire_feedback(ui, service)
        _wire_upload(ui, service)
        _wire_api(service)
    demo.queue(default_concurrency_limit=settings.serve_concurrency, max_size=settings.serve_queue_size)
    _poll_every(demo, settings.serve_queue_poll_seconds)
    return demo


def _poll_every(demo, seconds: float) -> None:
    """How often Gradio's queue looks for new chat events while it has none. Gradio polls every millisecond
    on Linux (every 50 ms on Windows), which kept an idle `policyqa serve` at ~11 % of a core on the 2-core
    VM (3 % at 10 ms); it has no setting for it, so the queue's attribute is set where it exists."""
    queue = getattr(demo, "_queue", None)
    if hasattr(queue, "sleep_when_free"):
        queue.sleep_when_free = seconds


def _status(service: Service) -> str:
    n_docs, n_chunks = service.stats
    return f"<small>{counted(n_docs, 'document')} · {counted(n_chunks, 'passage')} indexed</small>"


# --------------------------------------------------------------------------- panels


def _chat_panel(ui: SimpleNamespace) -> None:
    """The chat, the question box, feedback and clear buttons, and the copy box."""
    import gradio as gr

    ui.chatbot = gr.Chatbot(
        label="Chat", height=520, latex_delimiters=[], sanitize_html=True, buttons=["copy"],
        placeholder="**Ask a question about the policy documents · 请就政策文件提问**",
        examples=[{"text": q} for q in EXAMPLES], elem_id="pq-chat",
    )
    with gr.Row():
        ui.question = gr.Textbox(show_label=False, scale=8, max_lines=6, elem_id="pq-question",
                                 placeholder="Ask in Chinese or English · 用中文或英文提问")
        ui.ask_btn = gr.Button("Ask · 提问", variant="primary", scale=1, elem_id="pq-ask")
    # the mode has a row of its own: beside the download buttons that a comparison shows it was squeezed
    # into a narrow column of three stacked choices
    ui.compare = gr.Radio(COMPARE_CHOICES, value="", show_label=False, elem_id="pq-compare")
    with gr.Row():
        ui.download_md = gr.DownloadButton("Table as Markdown · 下载表格 (MD)", size="sm", visible=False,
                                           elem_id="pq-download-md")
        ui.download_csv = gr.DownloadButton("Table as CSV · 下载表格 (CSV)", size="sm", visible=False,
                                            elem_id="pq-download-csv")
    with gr.Row():
        ui.up_btn = gr.Button("Helpful · 有帮助", size="sm", elem_id="pq-up")
        ui.down_btn = gr.Button("Not helpful · 没帮助", size="sm", elem_id="pq-down")
        ui.clear_btn = gr.Button("New chat · 新对话", size="sm")
    with gr.Accordion("Copy answer with citations · 复制答案及出处", open=False):
        ui.copy_box = gr.Textbox(show_label=False, lines=8, buttons=["copy"], interactive=False,
                                 elem_id="pq-copy")


def _settings_panel(ui: SimpleNamespace, service: Service) -> None:
    """Passages, mode, backend and the filters."""
    import gradio as gr

    settings = service.settings
    llm_note = (f"LLM server at {settings.openai_base_url} is reachable." if service.llm_available else
                f"LLM backend: no OpenAI-compatible server answered at {settings.openai_base_url}; "
                "choosing it falls back to extractive. Start one and restart `policyqa serve` to use it.")
    with gr.Accordion("Search settings · 检索设置", open=False):
        with gr.Row():
            ui.k = gr.Slider(1, MAX_K, value=min(settings.k, MAX_K), step=1, label="Passages · 段落数")
            ui.mode = gr.Radio(list(MODES), value=settings.mode, label="Retrieval mode · 检索方式")
        ui.backend = gr.Dropdown(
            [("Extractive (quotes the documents)", "extractive"),
             ("LLM (OpenAI-compatible server)", "openai")],
            value=settings.backend, label="Answer backend · 回答方式", info=llm_note,
        )
        documents = service.current.documents
        ui.docs = gr.Dropdown(document_choices(documents), multiselect=True, label="Documents · 文档")
        with gr.Row():
            ui.regions = gr.Dropdown(region_choices(documents), multiselect=True, allow_custom_value=True,
                                     label="Region · 地区", elem_id="pq-regions",
                                     info="passages about these regions · 只检索关于这些地区的段落")
            ui.langs = gr.CheckboxGroup([("中文", "zh"), ("English", "en")], label="Passage language · 语言")
        with gr.Row():
            ui.date_from = gr.Textbox(label="From date · 起始日期", placeholder="2024-01-01")
            ui.date_to = gr.Textbox(label="To date · 截止日期", placeholder="2025-12-31")


def _upload_panel(ui: SimpleNamespace, max_upload_mb: int) -> None:
    import gradio as gr

    with gr.Accordion("Add documents · 上传文档", open=False):
        ui.files = gr.File(file_count="multiple", file_types=list(UPLOAD_TYPES), type="filepath",
                           label=f"txt, md, html, pdf, docx · ≤ {max_upload_mb} MiB each")
        ui.upload_btn = gr.Button("Add to the index · 加入索引")
        ui.upload_status = gr.Markdown()


def _sources_panel(ui: SimpleNamespace) -> None:
    """MAX_K source slots (a card and an 'open' button each) and the document viewer."""
    import gradio as gr

    ui.sources_title = gr.Markdown("### Sources · 来源\n<small>Cited passages appear here.</small>")
    ui.slots, ui.cards, ui.opens = [], [], []
    for i in range(SLOTS):
        with gr.Column(visible=False, elem_classes="pq-slot") as slot:
            ui.cards.append(gr.HTML(elem_id=f"pq-source-{i + 1}"))
            ui.opens.append(gr.Button("Open in document · 查看原文", size="sm", elem_id=f"pq-open-{i + 1}"))
        ui.slots.append(slot)
    gr.Markdown("### Document viewer · 原文")
    ui.viewer = gr.HTML(EMPTY_VIEWER, elem_id="pq-viewer")


# --------------------------------------------------------------------------- events


def _wire_chat(ui: SimpleNamespace, service: Service) -> None:
    """Questions (typed, or an example clicked) stream into the chat; 'New chat' clears everything."""
    import gradio as gr

    def respond(message, history, turns_value, compare_value, k_value, mode_value, backend_value, docs_value,
                regions_value, langs_value, from_value, to_value):
        history = list(history or [])
        turns_value = list(turns_value or [])
        text = message if isinstance(message, str) else ""
        if not text.strip():
            yield history, gr.skip(), *(gr.skip(),) * EXTRA
            return
        history.append({"role": "user", "content": md_escape(text[:ECHO_CHARS])})
        previous = turns_value[-1]["resolved"] if turns_value else ""
        # the Region control filters by the passages' region tags (`places`), not the documents' metadata
        request = Request(text, previous, k_value, mode_value, backend_value, docs_value or [], [],
                          langs_value or [], from_value, to_value, compare_value or "",
                          places=regions_value or [])
        for turn in service.ask(request):
            yield chat_update(turn, history, turns_value)

    def pick_example(evt: gr.SelectData) -> str:
        value = evt.value
        return value.get("text", "") if isinstance(value, dict) else str(value or "")

    def clear():
        return [], [], [], "### Sources · 来源", "", *downloads(None), EMPTY_VIEWER, *slot_updates([])

    outputs = [ui.chatbot, ui.question, ui.turns, ui.sources_state, ui.sources_title, ui.copy_box,
               ui.download_md, ui.download_csv, ui.viewer, *ui.slots, *ui.cards]
    inputs = [ui.question, ui.chatbot, ui.turns, ui.compare, ui.k, ui.mode, ui.backend, ui.docs, ui.regions,
              ui.langs, ui.date_from, ui.date_to]
    ui.question.submit(respond, inputs, outputs, api_visibility="private")
    ui.ask_btn.click(respond, inputs, outputs, api_visibility="private")
    ui.chatbot.example_select(pick_example, None, ui.question, api_visibility="private", queue=False) \
        .then(respond, inputs, outputs, api_visibility="private")
    clear_outputs = [ui.chatbot, ui.turns, ui.sources_state, ui.sources_title, ui.copy_box,
                     ui.download_md, ui.download_csv, ui.viewer, *ui.slots, *ui.cards]
    ui.clear_btn.click(clear, None, clear_outputs, api_visibility="private", queue=False)


def _wire_viewer(ui: SimpleNamespace, service: Service) -> None:
    """'Open in document' shows the cited span in the viewer and scrolls to it."""
    import gradio as gr

    def open_source(i: int, sources_value):
        if not sources_value or i >= len(sources_value):
            return gr.skip()
        src = sources_value[i]
        return document_view(service.current.documents, src["doc_id"], src["start"], src["end"])

    for i, button in enumerate(ui.opens):
        button.click(lambda s, i=i: open_source(i, s), ui.sources_state, ui.viewer, api_visibility="private",
                     queue=False).then(None, js=SCROLL_JS)


def _wire_feedback(ui: SimpleNamespace, service: Service) -> None:
    """Thumbs up/down buttons and the chat's like icons append to the feedback log."""
    import gradio as gr

    def vote(value: str, turns_value):
        if not turns_value:
            gr.Info("Ask a question first · 请先提问")
            return
        turn = turns_value[-1]
        service.record_feedback({**turn, "vote": value, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        gr.Info("Thanks, feedback saved · 已记录反馈")

    def on_like(data: gr.LikeData, turns_value):
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turn_no = (int(index) - 1) // 2 if index is not None else -1
        if 0 <= turn_no < len(turns_value or []):
            turn = turns_value[turn_no]
            service.record_feedback({**turn, "vote": "up" if data.liked else "down",
                                     "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z")})

    ui.up_btn.click(lambda t: vote("up", t), ui.turns, None, api_visibility="private")
    ui.down_btn.click(lambda t: vote("down", t), ui.turns, None, api_visibility="private")
    ui.chatbot.like(on_like, ui.turns, None, api_visibility="private")


def _wire_upload(ui: SimpleNamespace, service: Service) -> None:
    """Uploads are ingested one batch at a time; the status line and the filter choices follow."""
    import gradio as gr

    def upload(paths, progress=gr.Progress()):  # noqa: B008 - Gradio injects progress this way
        message, changed = ingest_uploads(service, paths or [], progress)
        if not changed:
            return message, gr.skip(), gr.skip(), gr.skip(), None
        documents = service.current.documents
        return (message, _status(service), gr.Dropdown(choices=document_choices(documents)),
                gr.Dropdown(choices=region_choices(documents)), None)

    ui.upload_btn.click(upload, ui.files, [ui.upload_status, ui.status, ui.docs, ui.regions, ui.files],
                        api_name="upload", concurrency_limit=1, concurrency_id="ingest")


def _wire_api(service: Service) -> None:
    """Named endpoints for scripts: /ask (the same path as the chat) and /view."""
    import gradio as gr

    def ask(question: str, k: int | None = None, mode: str = "", backend: str = "", documents: str = "",
            regions: str = "", languages: str = "", date_from: str = "", date_to: str = "",
            previous_question: str = "", compare: str = "", places: str = "") -> dict:
        """Answer a question with numbered citations. k left out / empty strings use the server defaults;
        documents, regions and languages are comma-separated; dates are YYYY[-MM[-DD]]; compare='region'
        or 'document' answers once per region or document (reply key `comparison`); places (comma-separated
        region tags such as Hainan or 海南) keeps only passages about those regions."""
        return api_ask(service, question, k, mode, backend, documents, regions, languages, date_from,
                       date_to, previous_question, compare, places)

    def view(document: str, start: int = 0, end: int = 0) -> str:
        """HTML of an indexed document (by document id) with the span start-end highlighted."""
        try:
            return document_view(service.current.documents, document, int(start or 0), int(end or 0))
        except Exception:
            log.error("viewer failed:\n%s", traceback.format_exc())
            return '<div class="pq-viewer-empty">Cannot show this document.</div>'

    gr.api(ask, api_name="ask")
    gr.api(view, api_name="view")
