from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import omnirouter as om
from omnirouter.cli import main


def test_schema_writes_every_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "Agent.schema.json",
        "ChannelTraits.schema.json",
        "Contact.schema.json",
        "Interaction.schema.json",
    ]
    schema = json.loads((tmp_path / "Interaction.schema.json").read_text())
    assert schema["required"] == ["id", "channel"]
    assert "manual_priority" in schema["properties"]


def test_schema_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schemas = json.loads(capsys.readouterr().out)
    assert schemas["Agent"] == om.Agent.model_json_schema()


def test_console_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "omnirouter.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"omnirouter {om.__version__}"


def test_help_of_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from omnirouter.cli import _COMMANDS

    for argv in [["--help"]] + [[command.NAME, "--help"] for command in _COMMANDS]:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
        assert "usage: omnirouter" in capsys.readouterr().out
