"""The policy sections of a scenario: [priority], [service_levels] and [[blending]]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnirouter as om
from omnirouter.simulation import Scenario, Simulation, load_scenario, simulate

BASE = """
name = "desk"
start = 2024-03-04T07:00:00+01:00
horizon_hours = 6
replications = 2
seed = 5

[[teams]]
name = "desk"
size = 2
capacity = { voice = 1, email = 1 }
"""

VOICE = """
[[workload]]
channel = "voice"
rate_per_hour = 20
handle_time = { distribution = "constant", seconds = 300 }
"""

STRATEGY = """
name = "mail first"

[[factors]]
kind = "channel"
weight = 3600.0
values = { email = 1.0 }
"""


def _refused(text: str, base: Path | None = None) -> om.ValidationError:
    with pytest.raises(om.ValidationError) as caught:
        Scenario.from_toml(text, base=base)
    return caught.value


@pytest.mark.parametrize(
    ("section", "field", "message"),
    [
        (
            '[[blending]]\nname = "r"\nwhen = "waiting.voice > 1 AND mood > 2"\noffer = "voice"\n',
            "blending.0.when",
            "reads mood",
        ),
        (
            '[[blending]]\nname = "r"\nagents = "waiting.voice > 1"\noffer = "voice"\n',
            "blending.0.agents",
            "reads waiting",
        ),
        (
            '[[blending]]\nname = "r"\nwhen = "waiting.voice >"\noffer = "voice"\n',
            "blending.0.when",
            "",
        ),
        ('[[blending]]\nname = "r"\noffer = ["vocie"]\n', "blending.0.offer.0", "'vocie'"),
        ('[[blending]]\nname = "r"\noffer = "voice"\ndeny = "voice"\n', "blending.0", "both"),
        (
            '[[blending]]\nname = "r"\nuntil = "waiting.voice == 0"\noffer = "voice"\n',
            "blending.0",
            "until",
        ),
        ('[[blending]]\nname = "r"\n', "blending.0", "offer or to deny"),
        ('[[blending]]\nname = "r"\noffer = "voice"\nspeed = 3\n', "blending.0.speed", ""),
        (
            '[[blending]]\nname = "r"\noffer = "voice"\n[[blending]]\nname = "r"\ndeny = "email"\n',
            "blending",
            "unique: r",
        ),
        (
            "[service_levels.targets]\npigeon = { threshold = 60 }\n",
            "service_levels.targets.pigeon",
            "unknown channel",
        ),
        (
            "[service_levels.targets]\nemail = { threshold = -5 }\n",
            "service_levels.targets.email.threshold",
            "",
        ),
        (
            '[service_levels.targets]\nemail = { threshold = 60, basis = "business" }\n',
            "service_levels",
            "calendar",
        ),
        ("[service_levels]\nat_risk_fraction = 1.5\n", "service_levels.at_risk_fraction", ""),
        (
            '[priority]\nname = "p"\nfactors = [{ kind = "mood", weight = 1 }]\n',
            "priority.factors.0",
            "",
        ),
        (
            '[priority]\nname = "p"\nfactors = [{ kind = "waiting_time", weight = -1 }]\n',
            "priority.factors.0.waiting_time.weight",
            ">= 0",
        ),
        (
            '[priority]\nname = "p"\nfactors = [{ kind = "repeat_contacts", weight = 60 }]\n',
            "priority.factors.0.kind",
            "contact history",
        ),
        ('[priority]\nfile = "missing.toml"\n', "priority.file", "cannot read"),
        ('[priority]\nfile = "strategy.yaml"\n', "priority.file", ".toml or .json"),
        ('[priority]\nfile = "s.toml"\nname = "x"\n', "priority", "either as file or inline"),
    ],
)
def test_bad_policy_sections_are_refused_naming_the_field(
    section: str, field: str, message: str, tmp_path: Path
) -> None:
    error = _refused(BASE + VOICE + section, base=tmp_path)
    assert field in error.fields
    assert message in str(error)


def test_a_strategy_file_is_read_relative_to_the_scenario_that_names_it(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "mail_first.toml").write_text(STRATEGY, encoding="utf-8")
    (policies / "base.toml").write_text(
        BASE + VOICE + '[priority]\nfile = "mail_first.toml"\n', encoding="utf-8"
    )
    # The variant lives elsewhere and inherits the base's strategy file reference.
    (tmp_path / "variant.toml").write_text(
        'extends = "policies/base.toml"\nname = "variant"\n', encoding="utf-8"
    )
    variant = load_scenario(tmp_path / "variant.toml")
    assert variant.priority == om.Strategy.from_toml(STRATEGY)
    (policies / "broken.toml").write_text("name = ", encoding="utf-8")
    (tmp_path / "broken.toml").write_text(
        BASE + VOICE + '[priority]\nfile = "policies/broken.toml"\n', encoding="utf-8"
    )
    with pytest.raises(om.ValidationError, match="not valid TOML"):
        load_scenario(tmp_path / "broken.toml")


# -- priority -------------------------------------------------------------------------

QUEUE_AT_NINE = """
name = "queue at nine"
start = 2024-03-04T08:00:00+01:00
horizon_hours = 3
replications = 1
seed = 11

[[agents]]
id = "solo"
capacity = { per_channel = { voice = 1, email = 1 }, total = 1 }
shift = { start = "09:00", end = "18:00" }

[[workload]]
channel = "voice"
rate_per_hour = 12
handle_time = { distribution = "constant", seconds = 60 }

[[workload]]
channel = "email"
rate_per_hour = 12
handle_time = { distribution = "constant", seconds = 60 }
"""


def _assignment_order(scenario: Scenario, **options: Any) -> list[str]:
    simulation = Simulation(scenario, **options)
    order: list[str] = []
    simulation.router.subscribe(lambda event: order.append(str(event.channel)), kinds=["assigned"])
    simulation.run()
    return order


def test_a_strategy_in_toml_orders_the_waiting_work_as_the_same_strategy_in_python() -> None:
    plain = Scenario.from_toml(QUEUE_AT_NINE)
    in_toml = Scenario.from_toml(
        QUEUE_AT_NINE + "\n[priority]\n" + STRATEGY.replace("[[factors]]", "[[priority.factors]]")
    )
    scorer = om.PriorityScorer(om.Strategy.from_toml(STRATEGY))

    first_come = _assignment_order(plain)
    from_toml = _assignment_order(in_toml)
    from_python = _assignment_order(plain, priority=scorer)

    assert from_toml == from_python
    assert from_toml != first_come
    # An hour of calls and e-mails waits for the agent's shift; with the strategy the
    # e-mails go first, in arrival order the calls and e-mails are mixed.
    leading = len(from_toml) - len(from_toml[from_toml.index("voice") :])
    assert leading >= 5
    assert first_come[:leading] != ["email"] * leading


def test_the_scenario_strategy_is_the_routers_priority_hook() -> None:
    in_toml = Scenario.from_toml(
        QUEUE_AT_NINE + "\n[priority]\n" + STRATEGY.replace("[[factors]]", "[[priority.factors]]")
    )
    options = in_toml.router_options()
    assert isinstance(options["priority"], om.PriorityScorer)
    assert options["priority"].strategy.name == "mail first"
    mail = om.Interaction(id="m", channel="email")
    assert options["priority"](mail, in_toml.start_epoch) == 3600.0
    assert set(options) == {"priority"}


# -- blending -------------------------------------------------------------------------

BLENDED = """
name = "blended"
start = 2024-03-04T08:00:00+01:00
horizon_hours = 4
warmup_hours = 0.5
replications = 2
seed = 2

[[teams]]
name = "mixed"
size = 4
capacity = { per_channel = { voice = 1, email = 1 }, total = 1 }

[[workload]]
channel = "voice"
rate_per_hour = 20
handle_time = { distribution = "exponential", mean_seconds = 240 }
patience = { distribution = "exponential", mean_seconds = 120 }

[[workload]]
channel = "email"
rate_per_hour = 10
handle_time = { distribution = "constant", seconds = 600 }

[[blending]]
name = "calls_waiting"
when = "waiting.voice > 0"
agents = "holding.email > 0"
offer = ["voice"]
"""


def test_blending_rules_in_toml_switch_pause_and_keep_the_handle_time() -> None:
    scenario = Scenario.from_toml(BLENDED)
    simulation = Simulation(scenario)
    events: list[om.Event] = []
    simulation.router.subscribe(
        events.append, kinds=["blend_switched", "paused", "resumed", "assigned", "completed"]
    )
    result = simulation.run()

    switched = [event for event in events if event.kind == "blend_switched"]
    assert switched
    assert {event.detail["rule"] for event in switched} == {"calls_waiting"}
    paused = [event for event in events if event.kind == "paused"]
    assert paused
    # Work time is the drawn handle time: a paused e-mail completes 600 s of work after
    # its assignment plus the time it lay paused.
    handled = om.blending.handling_times(events)
    mail = {
        e.interaction_id or "" for e in events if e.kind == "completed" and e.channel == "email"
    }
    interrupted = {event.interaction_id for event in paused} & mail
    assert interrupted
    assert all(handled[work] == pytest.approx(600.0) for work in mail)

    email = result.channels["email"]
    assert email["interruptions"] > 0
    assert email["paused_seconds"] > 0
    team = result.teams["mixed"]
    assert team["paused_seconds"] > 0
    assert team["break_seconds"] == 0.0
    rule = result.blending["calls_waiting"]
    assert rule["switched_on"] > 0
    assert rule["switches"] >= rule["switched_on"]
    assert rule["paused"] > 0
    assert 0.0 <= rule["active_share"] <= 1.0
    measured_pauses = [e for e in paused if e.at >= simulation.warmup_end]
    assert rule["paused"] == len(measured_pauses)


def test_without_blending_nothing_is_paused_and_calls_wait_longer() -> None:
    blended = Scenario.from_toml(BLENDED)
    plain = blended.with_changes(name="plain", blending=[])
    with_rule, without = simulate(blended), simulate(plain)
    assert without.channels()["email"]["paused_seconds"].mean == 0.0
    assert without.blending() == {}
    assert with_rule.blending()["calls_waiting"]["switches"].mean > 0
    voice_with = with_rule.channels()["voice"]
    voice_without = without.channels()["voice"]
    assert voice_with["offered"].mean == voice_without["offered"].mean
    assert voice_with["asa"].mean < voice_without["asa"].mean


# -- service levels -------------------------------------------------------------------

OFFICE = """
name = "office"
start = 2024-03-04T07:00:00+01:00
horizon_hours = 6
replications = 1

[[agents]]
id = "clerk"
capacity = { email = 2 }

[[workload]]
channel = "email"
replay = "mail.csv"
handle_time = { distribution = "constant", seconds = 1 }

[service_levels]
calendar = { timezone = "Europe/Berlin", hours = { mon-fri = ["08:00-18:00"] } }
targets = { email = { threshold = 3600, goal = 0.8, basis = "business" } }
"""


def test_email_sla_attainment_comes_from_business_time_deadlines(tmp_path: Path) -> None:
    # 07:30 before opening, done 08:50: 80 min of clock time, but due at 09:00.
    # 10:00, done 11:30: due at 11:00, missed. 12:30, still open at 13:00, due 13:30:
    # not judged yet. 11:40, open at 13:00, due 12:40: missed.
    (tmp_path / "mail.csv").write_text(
        "at,handle_seconds\n"
        "2024-03-04T07:30:00+01:00,4800\n"
        "2024-03-04T10:00:00+01:00,5400\n"
        "2024-03-04T11:40:00+01:00,9000\n"
        "2024-03-04T12:30:00+01:00,9000\n",
        encoding="utf-8",
    )
    scenario = Scenario.from_toml(OFFICE, base=tmp_path)
    simulation = Simulation(scenario)
    kinds: list[tuple[str, str | None]] = []
    simulation.router.subscribe(
        lambda event: kinds.append((event.kind, event.interaction_id)),
        kinds=["sla_at_risk", "sla_breached"],
    )
    email = simulation.run().channels["email"]

    assert email["sla_attainment"] == pytest.approx(1 / 3)
    # The clock-time service level (threshold 1 h) misses the 07:30 e-mail too.
    assert email["service_level"] == pytest.approx(0.0)
    # The router got the same policy: it warned and breached by the same deadlines.
    breached = {work for kind, work in kinds if kind == "sla_breached"}
    assert breached == {"c2", "c3"}


def test_service_levels_set_the_threshold_and_fall_back_to_channel_defaults() -> None:
    text = BASE + VOICE + "[service_levels.targets]\nvoice = { threshold = 300, goal = 0.9 }\n"
    scenario = Scenario.from_toml(text)
    assert scenario.service_level_target("voice").threshold.total_seconds() == 300
    assert scenario.service_level_target("email").threshold.total_seconds() == 24 * 3600
    strict = Scenario.from_toml(BASE + VOICE)
    loose_report, strict_report = simulate(scenario), simulate(strict)
    assert loose_report.thresholds["voice"] == 300
    assert strict_report.thresholds["voice"] == 20
    loose_level = loose_report.channels()["voice"]["service_level"].mean
    assert loose_level >= strict_report.channels()["voice"]["service_level"].mean
