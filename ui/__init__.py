"""The Gradio chat UI; it holds no logic and calls the same ``App`` methods as the CLI."""

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is first imported, so it never sees it unset

from ui.app import build_ui  # noqa: E402

__all__ = ["build_ui"]
