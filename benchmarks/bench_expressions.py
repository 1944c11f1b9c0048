"""Evaluation speed of compiled expressions (the router's hot path).

Prints the median time per evaluation over several repeats, next to two reference
points run side by side in the same process: a hand-written Python lambda doing the
same thing (the floor a closure compiler can hope to approach) and Python's own
``eval`` of a pre-compiled code object (what a naive implementation would do, and
unsafe besides). Run: ``python benchmarks/bench_expressions.py``.
"""

from __future__ import annotations

import functools
import statistics
import sys
import timeit
from collections.abc import Callable
from typing import Any

import omnirouter as om
from omnirouter.routing.expressions import compile_expression

Evaluator = Callable[[Any], Any]
REPEATS = 9
NUMBER = 100_000


class _Record:
    """A plain object, as a host might pass (attributes, not keys)."""

    def __init__(self) -> None:
        self.reason = "billing"
        self.attributes = {"tier": "gold"}
        self.channel = "chat"


def medians_ns(fns: list[Evaluator], env: Any) -> list[float]:
    """Median nanoseconds per call of each ``fn(env)``.

    The candidates are timed in turn within each repeat, so that load from other
    processes on the shared machine hits them alike and the ratios stay meaningful.
    """
    timers = [timeit.Timer(functools.partial(fn, env)) for fn in fns]
    runs: list[list[float]] = [[] for _ in fns]
    for _ in range(REPEATS):
        for timer, samples in zip(timers, runs, strict=True):
            samples.append(timer.timeit(number=NUMBER) / NUMBER * 1e9)
    return [statistics.median(samples) for samples in runs]


def main() -> int:
    agent_dict = {"skills": {"billing": 5, "sales": 2}, "languages": ["de", "en"]}
    record = _Record()
    interaction = om.Interaction(
        id="i-1", channel="chat", reason="billing", attributes={"tier": "gold"}
    )
    target_env = {
        "skills": {"billing": 5},
        "languages": ["de", "en"],
        "interaction": {"language": "de"},
    }

    code_skill = compile("skills['billing'] >= 4", "<bench>", "eval")
    code_record = compile(
        "env.reason == 'billing' and env.attributes.get('tier') == 'gold'", "<bench>", "eval"
    )

    cases: list[tuple[str, Any, Evaluator, Evaluator, Evaluator | None]] = [
        (
            "skills.billing >= 4  (dict)",
            agent_dict,
            compile_expression("skills.billing >= 4").matches,
            lambda env: env["skills"].get("billing", 0) >= 4,
            lambda env: eval(code_skill, {}, env),  # the unsafe reference point
        ),
        (
            'reason == "billing" AND attributes.tier == "gold"  (object)',
            record,
            compile_expression('reason == "billing" AND attributes.tier == "gold"').matches,
            lambda env: env.reason == "billing" and env.attributes.get("tier") == "gold",
            lambda env: eval(code_record, {}, {"env": env}),
        ),
        (
            'reason == "billing" AND attributes.tier == "gold"  (pydantic Interaction)',
            interaction,
            compile_expression('reason == "billing" AND attributes.tier == "gold"').matches,
            lambda env: env.reason == "billing" and env.attributes.get("tier") == "gold",
            lambda env: eval(code_record, {}, {"env": env}),
        ),
        (
            "languages HAS interaction.language  (dict)",
            target_env,
            compile_expression("languages HAS interaction.language").matches,
            lambda env: env["interaction"]["language"] in env["languages"],
            None,
        ),
        (
            'channel IN ["chat", "voice", "video"]  (object)',
            record,
            compile_expression('channel IN ["chat", "voice", "video"]').matches,
            lambda env: env.channel in ("chat", "voice", "video"),
            None,
        ),
    ]
    print(f"median of {REPEATS} repeats x {NUMBER} calls; Python {sys.version.split()[0]}")
    print(f"{'expression':<72} {'omnirouter':>11} {'lambda':>9} {'eval':>9} {'vs lambda':>9}")
    for label, env, compiled, handwritten, evaluated in cases:
        assert compiled(env) == bool(handwritten(env))
        fns = [compiled, handwritten] + ([evaluated] if evaluated is not None else [])
        ours, floor, *rest = medians_ns(fns, env)
        naive = f"{rest[0]:7.0f}ns" if rest else "      -  "
        print(f"{label:<72} {ours:9.0f}ns {floor:7.0f}ns {naive} {ours / floor:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
