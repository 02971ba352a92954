import importlib

import pytest


@pytest.mark.parametrize("package", ["index", "qa", "ui", "front"])
def test_all_is_sorted_and_importable(package):
    module = importlib.import_module(package)
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.{name} is exported but missing"
