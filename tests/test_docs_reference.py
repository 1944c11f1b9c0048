"""The documentation site: every public name documented and in the reference, pages in
the navigation, and words users know.

Public names are those in ``omnirouter.__all__`` and in the ``__all__`` of the public
subpackages (every module the facade exports, plus ``omnirouter.routing`` and
``omnirouter.model``). Docstrings are read the way the reference renders them: by Griffe
(the engine behind mkdocstrings), through the site's own extension in docs/_support.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import griffe
import pytest

import omnirouter

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
_DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.MULTILINE)
#: Words from the project's requirement documents, which users never saw.
_INTERNAL_WORDS = re.compile(r"R-[A-Z]{2}[0-9]|seed article", re.IGNORECASE)


def public_modules() -> list[types.ModuleType]:
    """The facade and every public subpackage, each once."""
    found = [omnirouter, importlib.import_module("omnirouter.routing")]
    found.append(importlib.import_module("omnirouter.model"))
    for name in omnirouter.__all__:
        value = getattr(omnirouter, name)
        if isinstance(value, types.ModuleType) and value not in found:
            found.append(value)
    return found


def public_names() -> list[tuple[str, str, object]]:
    """(module name, name, object) of every public name that is not itself a module."""
    names = []
    for module in public_modules():
        for name in module.__all__:
            value = getattr(module, name)
            if not isinstance(value, types.ModuleType):
                names.append((module.__name__, name, value))
    return names


def _resolve(path: str) -> object:
    """The object a ``::: dotted.path`` directive documents, found the way Python finds it."""
    parts = path.split(".")
    value: object = importlib.import_module(parts[0])
    for index, part in enumerate(parts[1:], start=1):
        if not hasattr(value, part):
            value = importlib.import_module(".".join(parts[: index + 1]))
        else:
            value = getattr(value, part)
    return value


def reference_directives() -> dict[str, list[str]]:
    """Each reference page's ``:::`` targets."""
    return {
        page.name: _DIRECTIVE.findall(page.read_text(encoding="utf-8"))
        for page in sorted(REFERENCE.glob("*.md"))
    }


@cache
def griffe_package() -> griffe.Module:
    sys.path.insert(0, str(DOCS / "_support"))
    try:
        from griffe_omnirouter import OmnirouterDocstrings  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(DOCS / "_support"))
    package = griffe.load(
        "omnirouter",
        search_paths=[str(ROOT / "src")],
        extensions=griffe.Extensions(OmnirouterDocstrings()),
    )
    assert isinstance(package, griffe.Module)
    return package


def _griffe(path: str) -> griffe.Object:
    package = griffe_package()
    found = package if path == "omnirouter" else package[path.removeprefix("omnirouter.")]
    while isinstance(found, griffe.Alias):
        found = found.final_target
    assert isinstance(found, griffe.Object)
    return found


def _docstring(obj: griffe.Object) -> str:
    return obj.docstring.value.strip() if obj.docstring is not None else ""


def _public_members(obj: griffe.Object) -> Iterator[griffe.Object]:
    """A class's public methods and properties, including those of private base classes
    inside omnirouter (the reference shows them as the class's own)."""
    if not isinstance(obj, griffe.Class):
        return
    members = dict(obj.all_members) if obj.path.startswith("omnirouter.") else {}
    for name, member in members.items():
        if name.startswith("_"):
            continue
        target = member.final_target if isinstance(member, griffe.Alias) else member
        if not target.path.startswith("omnirouter."):
            continue  # inherited from pydantic, attrs or the standard library
        is_property = isinstance(target, griffe.Attribute) and "property" in target.labels
        if isinstance(target, griffe.Function) or is_property:
            yield target


PUBLIC = public_names()


def test_the_public_surface_is_large_enough_to_mean_something() -> None:
    modules = {module for module, _, _ in PUBLIC}
    assert {"omnirouter", "omnirouter.history", "omnirouter.ops", "omnirouter.sla"} <= modules
    assert len(PUBLIC) > 200


@pytest.mark.parametrize(
    ("module", "name"), [(m, n) for m, n, _ in PUBLIC], ids=[f"{m}.{n}" for m, n, _ in PUBLIC]
)
def test_public_name_has_a_docstring(module: str, name: str) -> None:
    obj = _griffe(f"{module}.{name}")
    text = _docstring(obj)
    assert len(text) >= 20, f"{module}.{name} needs a docstring saying what it is for"
    assert not _INTERNAL_WORDS.search(text), f"{module}.{name}: requirement ids in its docstring"
    for member in _public_members(obj):
        member_text = _docstring(member)
        assert member_text, f"{module}.{name}.{member.name} has no docstring"
        assert not _INTERNAL_WORDS.search(member_text), f"{member.path}: requirement ids"


def test_public_modules_say_what_they_are_for_in_users_words() -> None:
    for module in public_modules():
        text = _docstring(_griffe(module.__name__))
        assert text, f"{module.__name__} has no docstring"
        assert not _INTERNAL_WORDS.search(text), f"{module.__name__}: requirement ids"


def test_every_public_name_is_in_the_reference() -> None:
    documented = {id(_resolve(path)) for paths in reference_directives().values() for path in paths}
    missing = [f"{m}.{n}" for m, n, value in PUBLIC if id(value) not in documented]
    assert not missing, f"not in docs/reference: {missing}"


def test_every_reference_entry_resolves_and_appears_once() -> None:
    paths = [path for paths in reference_directives().values() for path in paths]
    assert len(paths) == len(set(paths)), "an entry is documented twice"
    for path in paths:
        _resolve(path)  # raises if the page names something that does not exist


def _nav_pages() -> set[str]:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config[config.index("\nnav:") :]
    return set(re.findall(r"([\w/.-]+\.md)", nav))


def test_every_page_is_in_the_navigation() -> None:
    pages = {
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.md")
        if not p.relative_to(DOCS).parts[0].startswith("_")
    }
    assert pages - _nav_pages() == set(), "add these pages to nav in mkdocs.yml"
    assert _nav_pages() - pages == set()


@pytest.mark.parametrize(
    "page",
    [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_pages_speak_the_users_words(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    found = sorted(set(_INTERNAL_WORDS.findall(text)))
    assert not found, f"{page.name} mentions {found}: say what it means instead"
    assert "<!--" not in text, f"{page.name} has a leftover HTML comment"


def test_the_site_needs_no_network_to_build_or_read() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # Web fonts off: Material would otherwise link Google Fonts from every page.
    assert re.search(r"^  font: false$", config, re.MULTILINE)
    plugins = config[config.index("\nplugins:") : config.index("\nnav:")]
    assert set(re.findall(r"^  - (\w+)", plugins, re.MULTILINE)) == {"search", "mkdocstrings"}
    # No inventories of other projects' docs: mkdocstrings would download them.
    assert "import:" not in plugins


def test_the_glossary_defines_each_term_once() -> None:
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    defined = [m.lower() for m in re.findall(r"^\*\*([^*]+)\*\*", text, re.MULTILINE)]
    assert len(defined) == len(set(defined)), "a term is defined twice"
    terms = " ".join(defined)
    for term in (
        "service level",
        "asa",
        "aht",
        "occupancy",
        "utilisation",
        "backlog",
        "abandonment",
        "interruptible",
        "head start",
        "end state",
    ):
        assert term in terms, f"the glossary should define {term!r}"
