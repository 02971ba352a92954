"""Benchmarks for qa: ``python -m bench quality`` (see ``bench/__main__.py`` for the subcommands)."""

__all__: list[str] = []
