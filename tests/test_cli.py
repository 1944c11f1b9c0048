from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import omnirouter as om
from omnirouter.cli import main


def test_schema_writes_every_document_a_user_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "Agent.schema.json",
        "BlendRuleSpec.schema.json",
        "ChannelTraits.schema.json",
        "Contact.schema.json",
        "Interaction.schema.json",
        "InviteRuleDocument.schema.json",
        "OutboundPolicyDocument.schema.json",
        "Scenario.schema.json",
        "ServiceLevelPolicy.schema.json",
        "Strategy.schema.json",
    ]
    schema = json.loads((tmp_path / "Interaction.schema.json").read_text())
    assert schema["required"] == ["id", "channel"]
    assert "manual_priority" in schema["properties"]
    for path in tmp_path.iterdir():
        document = json.loads(path.read_text())
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert document["$id"].endswith(":schema:" + path.name.removesuffix(".schema.json"))
    scenario = json.loads((tmp_path / "Scenario.schema.json").read_text())
    assert {"workload", "horizon_hours", "teams", "blending"} <= set(scenario["properties"])


def test_schema_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schemas = json.loads(capsys.readouterr().out)
    assert schemas["Agent"]["properties"] == om.Agent.model_json_schema()["properties"]


def test_schema_out_on_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    assert main(["schema", "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--out" in err
    assert "is a file, not a folder" in err


def test_documents_validate_and_build_their_objects() -> None:
    from datetime import timedelta

    from omnirouter.documents import InviteRuleDocument, OutboundPolicyDocument

    rule = InviteRuleDocument(name="loan", when="page == 'loan'").rule()
    assert isinstance(rule, om.InviteRule)
    assert rule.channel == "chat"
    policy = OutboundPolicyDocument.model_validate(
        {
            "quiet_hours": {"windows": [{"start": "21:00", "end": "08:00", "weekdays": ["sat"]}]},
            "caps": [{"limit": 2, "window": "P7D", "channel": "sms"}],
        }
    ).policy()
    assert policy.caps[0].window == timedelta(days=7)
    assert policy.quiet_hours is not None
    assert policy.quiet_hours.windows[0].weekdays == frozenset({5})
    with pytest.raises(om.ValidationError) as error:
        OutboundPolicyDocument.model_validate({"caps": [{"limit": 0, "window": 60}]})
    assert error.value.fields == ["caps.0.limit"]


def test_python_dash_m_runs_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "omnirouter", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"omnirouter {om.__version__}"


def test_a_reader_closing_the_pipe_ends_quietly() -> None:
    script = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-m', 'omnirouter', 'schema'],"
        " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "p.stdout.readline(); p.stdout.close()\n"
        "err = p.stderr.read(); code = p.wait()\n"
        "print(code); sys.stdout.write(err.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    code, _, err = result.stdout.partition("\n")
    assert code == "0"
    assert "Traceback" not in err
    assert "BrokenPipe" not in err
    assert err == ""


def test_os_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "c.csv"
    source.write_text("id,full_name\n1,Anna Meier\n", encoding="utf-8")
    out = tmp_path / "no" / "such" / "folder" / "out.csv"
    assert main(["dedupe", str(source), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("omnirouter dedupe: ")
    assert "No such file or directory" in err
    assert err.count("\n") == 1


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
