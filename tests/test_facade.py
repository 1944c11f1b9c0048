"""The public facade: ``import omnirouter as om`` exposes exactly ``__all__``."""

from __future__ import annotations

import importlib.metadata
import types

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
