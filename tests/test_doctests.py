"""The examples in docstrings are tests too: they show the verifier's and the tokenizer's rules on real cases."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["index.words", "qa.cite", "qa.ask", "qa.factcheck", "ui.render"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0, result
