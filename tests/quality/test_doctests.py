"""Every example in the quality package's docstrings runs and holds."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import labelwright.quality

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(labelwright.quality.__path__, "labelwright.quality.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
