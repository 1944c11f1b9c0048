"""Every ``>>>`` example in omnirouter's docstrings runs and shows what it says.

The API reference renders these examples, so a wrong one is a wrong page.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import omnirouter

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(omnirouter.__path__, prefix="omnirouter.")
)


def test_there_are_examples_to_run() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(
        len(test.examples)
        for name in MODULES
        for test in finder.find(importlib.import_module(name))
    )
    assert examples >= 70


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, report=True, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
