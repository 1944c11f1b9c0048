"""The public facade: ``import omnirouter as om`` exposes exactly ``__all__``."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import subprocess
import sys
import types
from pathlib import Path

import omnirouter as om

FOUNDATION = {
    "Agent", "ChannelRegistry", "ChannelTraits", "Contact", "Interaction",
    "OmnirouterError", "ValidationError", "__version__",
}  # fmt: skip


def test_all_is_sorted_and_unique() -> None:
    assert list(om.__all__) == sorted(set(om.__all__), key=om.__all__.index)
    assert len(om.__all__) == len(set(om.__all__))


def test_every_name_in_all_exists() -> None:
    missing = [name for name in om.__all__ if not hasattr(om, name)]
    assert missing == []


def test_public_attributes_are_all_listed() -> None:
    for name in om.__all__:  # names load on first use
        getattr(om, name)
    public = {
        name
        for name, value in vars(om).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    public |= {
        name
        for name, value in vars(om).items()
        if isinstance(value, types.ModuleType)
        and value.__name__.startswith("omnirouter.")
        and name in om.__all__
    }
    assert public == set(om.__all__) - {"__version__"}


def test_foundation_names_exported() -> None:
    assert set(om.__all__) >= FOUNDATION


def test_version_comes_from_package_metadata() -> None:
    assert om.__version__ == importlib.metadata.version("omnirouter")


def test_validation_error_is_an_omnirouter_error_and_value_error() -> None:
    assert issubclass(om.ValidationError, om.OmnirouterError)
    assert issubclass(om.ValidationError, ValueError)


def test_every_public_module_exports_what_it_lists() -> None:
    import importlib
    import pkgutil

    broken = []
    for info in pkgutil.walk_packages(om.__path__, prefix="omnirouter."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        broken += [
            f"{info.name}.{name}"
            for name in getattr(module, "__all__", ())
            if not hasattr(module, name)
        ]
    assert broken == []


def test_importing_omnirouter_loads_only_what_is_used() -> None:
    code = (
        "import sys, omnirouter as om;"
        "before = {m for m in sys.modules if m.startswith('omnirouter.')};"
        "om.Router;"
        "after = {m for m in sys.modules if m.startswith('omnirouter.')};"
        "print(sorted(before)); print('omnirouter.history' in after)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert output[0] == "[]"  # nothing but the package itself
    assert output[1] == "False"  # the router does not need duplicate finding


def test_what_type_checkers_see_is_what_runs() -> None:
    """The imports type checkers read (under TYPE_CHECKING) name the objects that load."""
    source = Path(om.__file__).read_text(encoding="utf-8")
    block = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    )
    seen = set()
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        assert node.module
        for alias in node.names:
            name = alias.asname or alias.name
            seen.add(name)
            module = importlib.import_module(node.module)
            expected = getattr(module, alias.name, None)
            if expected is None:
                expected = importlib.import_module(f"{node.module}.{alias.name}")
            assert getattr(om, name) is expected, name
    assert seen == set(om.__all__) - {"__version__"}
