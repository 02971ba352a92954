"""The examples in docstrings are tests too: they show the verifier's and the tokenizer's rules on real cases."""

import doctest
import importlib

import pytest

MODULES = [
    "index.words",
    "index.sentences",
    "index.load",
    "qa.cite",
    "qa.ask",
    "qa.factcheck",
    "qa.judge",
    "qa.compare",
    "qa.app",
    "ui.render",
]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0, result
