"""The walk-through example runs and shows what it promises."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_walkthrough(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "walkthrough.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "19 built-in channels" in out
    assert '"channel":"apple_business_chat_v2"' in out
    assert "unknown channel 'pigeon'" in out
    assert '"capacity"' in out
