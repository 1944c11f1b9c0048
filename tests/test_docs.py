"""Every ```python block in docs/*.md runs, in order, in one namespace per page.

Blocks fenced as ```python are executed (use ```text, ```sh or ```toml for anything
that must not run). Each page runs in a fresh temporary working directory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """(line number, source) of each python block of ``page``."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


PAGES = sorted(DOCS.glob("*.md"))


def test_docs_folder_has_pages() -> None:
    assert any(python_blocks(page) for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for line, source in python_blocks(page):
        code = compile(source, f"{page.name}:{line}", "exec")
        exec(code, namespace)
