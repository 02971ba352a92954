"""The front ends that compose the lower layers: the ``qa`` command (``front.cli``) and the server that mounts the
HTTP API and the Gradio UI on one port (``front.server``). Nothing below imports from here."""

__all__: list[str] = []
