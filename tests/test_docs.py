"""Every ```python block in the docs runs, in order, in one namespace per page.

Blocks fenced as ```python are executed (use ```text, ```sh or ```toml for anything
that must not run). Each page runs in a fresh, empty working directory, which must still
be empty afterwards: examples write their files into a temporary folder of their own,
never into the reader's working directory (a notebook's, say).

The API reference and the words used on the pages are checked in test_docs_reference.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)

#: The tutorials: one path in for each kind of user, each running top to bottom here.
TUTORIALS = (
    "tutorials/embed-in-a-service.md",
    "tutorials/test-a-routing-policy.md",
    "tutorials/prototype-a-priority-strategy.md",
    "tutorials/find-duplicate-customers.md",
)


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """(line number, source) of each python block of ``page``."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if not p.relative_to(DOCS).parts[0].startswith("_"))


PAGES = _pages()


def test_docs_folder_has_pages() -> None:
    assert any(python_blocks(page) for page in PAGES)


@pytest.mark.parametrize("tutorial", TUTORIALS)
def test_each_tutorial_is_a_runnable_page(tutorial: str) -> None:
    page = DOCS / tutorial
    assert page in PAGES
    assert len(python_blocks(page)) >= 3, f"{tutorial} should walk through in steps"


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reader = tmp_path / "reader"
    reader.mkdir()
    monkeypatch.chdir(reader)
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    name = page.relative_to(DOCS).as_posix()
    for line, source in python_blocks(page):
        code = compile(source, f"{name}:{line}", "exec")
        exec(code, namespace)
    left = sorted(p.name for p in reader.iterdir())
    assert not left, f"{name} wrote {left} into the working directory, not a temporary folder"
