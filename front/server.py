"""``serve(app)``: the HTTP API (``qa.api``) with MCP at ``/mcp`` (``front.mcp_server``) and the Gradio UI
(``ui``) mounted on it, on one port."""

from __future__ import annotations

import os
import sys

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is first imported

import gradio as gr  # noqa: E402

from front.mcp_server import mount_http  # noqa: E402
from qa.api import LOOPBACK, build_api, check_bind  # noqa: E402
from qa.app import App  # noqa: E402
from ui.app import build_ui  # noqa: E402
from ui.assets import CSS  # noqa: E402


def serve(app: App, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the UI and the HTTP API (``qa.api``) until interrupted: loopback unless ``host`` says otherwise.

    Beyond loopback a token (QA_API_TOKEN) is required; no share link, no analytics.
    """
    import uvicorn

    check_bind(host, app.settings.api_token)
    if host not in LOOPBACK:
        print(f"qa: serving on {host}:{port}, reachable from other machines (token required).", file=sys.stderr)
    # a data folder's first use indexes the samples before the API answers (not at the page's first load only)
    seeded = app.ensure_seeds()
    if seeded:
        print(f"qa: indexed the sample documents of {app.settings.seeds_dir} (this data folder's first use).", file=sys.stderr)
    demo = build_ui(app, seeded)
    demo.queue(default_concurrency_limit=4)
    api = build_api(app, host)
    mount_http(api, app)  # before Gradio takes "/"; behind the API's token, Host and Origin checks
    server = gr.mount_gradio_app(
        api,
        demo,
        path="/",
        server_name=host,
        server_port=port,
        css=CSS,
        footer_links=[],
        run_history=False,
        enable_monitoring=False,
        mcp_server=False,
        pwa=False,
        ssr_mode=False,
        show_error=False,
        max_file_size=int(app.settings.max_file_mb * 4e6),
    )
    # mount_gradio_app never marks the Blocks as launched, and Gradio skips its own check that a file handed to
    # an event came from its upload folder until it is: without this, POST /gradio_api/call/on_upload with any
    # server path would read that file into the index.
    demo.has_launched = True
    print(f"qa: open http://{host}:{port}/ (Ctrl+C to stop)", file=sys.stderr)
    uvicorn.run(server, host=host, port=port, log_level="warning")
