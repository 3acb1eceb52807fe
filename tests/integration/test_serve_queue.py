"""The chat's Gradio queue, as `policyqa serve` builds it: real index, real answerer, real Gradio app."""

from __future__ import annotations


def test_the_idle_chat_queue_polls_at_the_configured_interval(built) -> None:
    """Gradio's queue looks for new events every millisecond unless told otherwise (an idle server then
    used ~11 % of a core on the 2-core VM); the attribute it reads must exist in the installed Gradio."""
    from policyqa.app.service import Service
    from policyqa.app.ui import build_app

    settings = built[0].model_copy(update={"serve_queue_poll_seconds": 0.02})
    demo = build_app(Service.open(settings))
    assert demo._queue.sleep_when_free == 0.02
