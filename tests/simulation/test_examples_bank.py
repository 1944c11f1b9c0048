"""The main job: the bank scenarios load, run through the CLI, and match the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from omnirouter.cli import main
from omnirouter.simulation import load_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def test_variant_extends_the_bank_and_changes_only_the_queues() -> None:
    bank = load_scenario(EXAMPLES / "bank.toml")
    pooled = load_scenario(EXAMPLES / "bank_pooled.toml")
    assert (bank.name, pooled.name) == ("advisor first", "pooled")
    assert pooled.workload == bank.workload
    assert pooled.teams == bank.teams
    assert [len(queue.steps) for queue in bank.queues] == [3, 1]
    assert [len(queue.steps) for queue in pooled.queues] == [1, 1]
    advisors = bank.teams[0].members()
    assert advisors[0].agent.backup_advisor_id == advisors[1].agent.id
    assert len(advisors[0].agent.portfolio) == 40


def _readme_blocks() -> list[list[str]]:
    """The output blocks of README's Main job, without abridgement marks and timings."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Main job", 1)[1].split("\n## ", 1)[0]
    blocks = [part.split("```", 1)[0] for part in section.split("```text")[1:]]
    return [
        [
            line
            for line in block.splitlines()
            if line.strip() and line != "…" and "simulated in" not in line
        ]
        for block in blocks
    ]


@pytest.mark.parametrize(
    ("block", "variant"), [(0, "examples/bank_pooled.toml"), (1, "examples/bank_blended.toml")]
)
def test_readme_shows_what_the_commands_print(
    block: int, variant: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    argv = ["simulate", "examples/bank.toml", "--compare", variant]
    assert main([*argv, "--no-progress"]) == 0
    out = capsys.readouterr().out
    shown = _readme_blocks()[block]
    assert shown, "README's Main job lost an output block"
    # Every line the README shows is a line the command prints (the README is abridged).
    printed = set(out.splitlines())
    missing = [line for line in shown if line not in printed]
    assert not missing, "README's Main job output is stale; re-run the command:\n" + "\n".join(
        missing
    )
    assert re.search(r"by own advisor\s+\d", out)
    assert re.search(r"SLA deadlines met\s+\d", out)


def test_policy_variants_change_only_their_section() -> None:
    bank = load_scenario(EXAMPLES / "bank.toml")
    blended = load_scenario(EXAMPLES / "bank_blended.toml")
    service_first = load_scenario(EXAMPLES / "bank_service_first.toml")
    assert bank.priority is None
    assert not bank.blending
    assert bank.service_levels is not None
    assert blended.with_changes(name=bank.name, description=bank.description, blending=[]) == bank
    assert [rule.name for rule in blended.blending] == ["calls_waiting"]
    assert service_first.priority is not None
    assert service_first.priority.name == "live first"
    assert (
        service_first.with_changes(name=bank.name, description=bank.description, priority=None)
        == bank
    )


def test_json_output_with_fewer_replications(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", str(EXAMPLES / "bank.toml"), "--replications", "2", "--seed", "9"]
    assert main([*argv, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    (report,) = document["reports"]
    assert report["seed"] == 9
    assert report["replications"] == 2
    email = report["channels"]["email"]
    assert email["offered"]["replications"] == 2
    assert 0.0 <= email["service_level"]["mean"] <= 1.0
    assert set(report["teams"]) == {"advisors", "service desk"}


def test_bad_scenario_file_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        'extends = "' + str(EXAMPLES / "bank.toml").replace("\\", "/") + '"\nhorizon_hours = -1\n',
        encoding="utf-8",
    )
    assert main(["simulate", str(broken), "--allow-files-outside"]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err
    assert "horizon_hours" in err
    assert main(["simulate", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["simulate", str(EXAMPLES / "bank.toml"), "--replications", "0"]) == 2
