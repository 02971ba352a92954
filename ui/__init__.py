"""The Gradio chat UI; it holds no logic and calls the same ``App`` methods as the CLI."""

__all__: list[str] = []
