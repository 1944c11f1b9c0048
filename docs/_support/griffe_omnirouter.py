"""Docstrings as the API reference shows them (a Griffe extension, used at build time).

omnirouter's docstrings are written for ``help()`` as much as for the site:

* constants are documented by ``#:`` comments above them, which Griffe does not read by
  itself: they become the attribute's docstring here;
* cross-references use reStructuredText roles (``:class:`~omnirouter.Router```): a role
  naming something the reference documents becomes a link to its entry, any other is
  shown as code;
* ``>>>`` examples become Python console blocks instead of Markdown quotes;
* a literal block announced by ``::`` becomes a fenced code block.

The source files are not changed; tests/test_docs.py reads the docstrings through the
same extension, so what it checks is what the reference shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import griffe

_REFERENCE = Path(__file__).resolve().parent.parent / "reference"
_DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.MULTILINE)

_ROLE = re.compile(
    r":(?:class|meth|func|data|attr|mod|exc|obj|const):`(~?)([^`<]+?)(?:\s*<[^>]+>)?`"
)


def _role(match: re.Match[str], link: Callable[[str], str | None] | None = None) -> str:
    shorten, target = match.group(1), match.group(2).strip()
    shown = target.rsplit(".", 1)[-1] if shorten else target
    anchor = link(target) if link is not None else None
    return f"[`{shown}`][{anchor}]" if anchor else f"`{shown}`"


def _fence_examples(text: str) -> str:
    """``>>>`` runs and ``::`` literal blocks as fenced code blocks."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip()
        if stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            block: list[str] = []
            while index < len(lines) and lines[index].strip():
                block.append(lines[index][len(indent) :])
                index += 1
            out += [f"{indent}```pycon", *(indent + b for b in block), f"{indent}```"]
            continue
        if line.rstrip().endswith("::") and not stripped.startswith((":", "..")):
            out.append(line.rstrip()[:-1])
            index += 1
            while index < len(lines) and not lines[index].strip():
                index += 1
            base = len(line) - len(stripped)
            block = []
            while index < len(lines) and (
                not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > base
            ):
                block.append(lines[index])
                index += 1
            while block and not block[-1].strip():
                block.pop()
            if block:
                cut = min(len(b) - len(b.lstrip()) for b in block if b.strip())
                pad = " " * base
                out += ["", f"{pad}```python", *(pad + b[cut:] for b in block), f"{pad}```", ""]
            continue
        out.append(line)
        index += 1
    return "\n".join(out)


def reference_text(text: str, link: Callable[[str], str | None] | None = None) -> str:
    """A docstring as the reference renders it (roles as links or code, examples fenced).

    ``link(target)`` gives the reference entry a role's target names, or None.
    """
    return _fence_examples(_ROLE.sub(lambda match: _role(match, link), text))


def _final(obj: griffe.Object | griffe.Alias) -> griffe.Object | None:
    try:
        return obj.final_target if isinstance(obj, griffe.Alias) else obj
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _anchors(pkg: griffe.Module) -> dict[str, str]:
    """Every documented object's own path (and alias path) → the id of its reference
    entry: the ``:::`` entries of docs/reference and the public members they show."""
    anchors: dict[str, str] = {}
    for page in sorted(_REFERENCE.glob("*.md")):
        for entry in _DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            try:
                found = _final(pkg[entry.removeprefix(f"{pkg.name}.")])
            except KeyError:
                continue
            if found is None:
                continue
            anchors.setdefault(found.path, entry)
            anchors.setdefault(entry, entry)
            if not isinstance(found, griffe.Class):
                continue
            for name, member in found.all_members.items():
                target = _final(member)
                if name.startswith("_") or target is None:
                    continue
                anchors.setdefault(f"{found.path}.{name}", f"{entry}.{name}")
                anchors.setdefault(target.path, f"{entry}.{name}")
                anchors.setdefault(f"{entry}.{name}", f"{entry}.{name}")
    return anchors


def _linker(obj: griffe.Object, anchors: dict[str, str]) -> Callable[[str], str | None]:
    """Where a role in ``obj``'s docstring points: the entry its target names, if any."""

    def link(target: str) -> str | None:
        target = target.lstrip(".")
        if target in anchors:
            return anchors[target]
        scope: griffe.Object | None = obj
        while scope is not None:
            if isinstance(scope, griffe.Class) and target.split(".")[0] in scope.all_members:
                return anchors.get(f"{scope.path}.{target}")
            try:
                return anchors.get(scope.resolve(target))
            except (griffe.NameResolutionError, ValueError):
                scope = scope.parent
        return None

    return link


def _comment_above(attr: griffe.Attribute) -> str | None:
    """The ``#:`` comment lines directly above ``attr``'s assignment, if any."""
    module = attr.module
    if attr.lineno is None or module.filepath is None or isinstance(module.filepath, list):
        return None
    lines = module.lines
    index = attr.lineno - 2
    found: list[str] = []
    while index >= 0 and lines[index].lstrip().startswith("#:"):
        found.append(lines[index].lstrip()[2:].strip())
        index -= 1
    return " ".join(reversed(found)) or None


class OmnirouterDocstrings(griffe.Extension):
    """Reads ``#:`` comments as docstrings and rewrites roles and examples for Markdown."""

    def on_attribute_instance(self, *, attr: griffe.Attribute, **kwargs: Any) -> None:
        if attr.docstring is None:
            comment = _comment_above(attr)
            if comment:
                attr.docstring = griffe.Docstring(comment, lineno=attr.lineno, parent=attr)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._rewrite(pkg, set(), _anchors(pkg))

    def _rewrite(self, obj: griffe.Object, seen: set[str], anchors: dict[str, str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring is not None:
            obj.docstring.value = reference_text(obj.docstring.value, _linker(obj, anchors))
        for member in obj.members.values():
            if not member.is_alias:
                self._rewrite(member, seen, anchors)  # type: ignore[arg-type]
