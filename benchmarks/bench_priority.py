"""Priority scoring and business-calendar cost (``python benchmarks/bench_priority.py``).

Prints medians of repeated timings, in microseconds per call, and ratios against two
references run side by side in the same process: the router's default hook (manual
priority × 60 s, one attribute read) and a hand-inlined function computing the same ten
factors with no configuration, explanation or plug-ins (the floor for pure Python).
"""

from __future__ import annotations

import bisect
import statistics
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import omnirouter as om
from omnirouter.priority import AgentPortfolios, PriorityScorer, RecentContacts, Strategy
from omnirouter.routing.router import manual_priority_head_start
from omnirouter.sla import BusinessCalendar, german_holidays

REPEATS = 9
T0 = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
NOW = (T0 + timedelta(minutes=30)).timestamp()

STRATEGY = Strategy.model_validate(
    {
        "name": "ten factors",
        "factors": [
            {"kind": "reason", "values": {"complaint": 5, "billing": 1}, "weight": 60},
            {"kind": "tier", "values": {"gold": 3, "silver": 1}, "weight": 100},
            {"kind": "customer_value", "cap": 1000, "weight": 0.1},
            {"kind": "repeat_contacts", "weight": 120},
            {"kind": "sla_deadline", "weight": 300},
            {"kind": "waiting_time", "weight": 0.5},
            {"kind": "channel", "values": {"voice": 2, "messenger": 1}, "weight": 30},
            {"kind": "negative_sentiment", "weight": 600},
            {"kind": "portfolio", "weight": 200},
            {"kind": "manual", "weight": 60},
        ],
    }
)


def interaction(preview: str | None) -> om.Interaction:
    return om.Interaction(
        id="i-1",
        channel="whatsapp",
        customer_id="k-1",
        reason="billing",
        language="de",
        subject="Rechnung vom April",
        preview=preview,
        created_at=T0,
        attributes={"tier": "gold", "customer_value": 5000},
        manual_priority=2,
    )


SHORT = "Die Rechnung ist zu hoch, bitte prüfen."
LONG = (
    "Hallo, ich habe eine Frage zu meiner letzten Bestellung Nr. 12345: die Lieferung ist "
    "noch nicht angekommen und die Rechnung ist höher als vereinbart. Können Sie das bitte "
    "prüfen und mir eine korrigierte Rechnung schicken? Vielen Dank und freundliche Grüße"
)


def hand_inlined(history: RecentContacts, advisors: dict[str, str]) -> Callable[..., float]:
    """The same ten factors, written out by hand: the floor for pure Python."""
    reasons = {"complaint": 5.0, "billing": 1.0}
    tiers = {"gold": 3.0, "silver": 1.0}
    channels = {"voice": 2.0, "whatsapp": 1.0}
    negative = ("enttäusch", "verärgert", "beschwerde", "frechheit", "angry", "terrible")
    times = history._times

    def score(item: om.Interaction, now: float) -> float:
        total = 60.0 * reasons.get(item.reason or "", 0.0)
        total += 100.0 * tiers.get(str(item.attributes.get("tier")), 0.0)
        total += 0.1 * min(float(item.attributes.get("customer_value", 0.0)), 1000.0)  # type: ignore[arg-type]
        seen = times.get(item.customer_id or "", [])
        total += 120.0 * min(len(seen) - bisect.bisect_left(seen, now - 7 * 86400), 5)
        created = item.created_at.timestamp() if item.created_at else now
        left = created + 3600.0 - now
        total += 300.0 * (1.0 if left <= 0 else max(0.0, 1.0 - left / 3600.0))
        total += 0.5 * max(0.0, now - created)
        total += 30.0 * channels.get(item.channel, 0.0)
        text = f"{item.subject or ''}\n{item.preview or ''}".lower()
        total += 600.0 * any(word in text for word in negative)
        total += 200.0 * (item.customer_id in advisors)
        total += 60.0 * (item.manual_priority.value if item.manual_priority else 0)
        return total

    return score


def median_us(call: Callable[[], object], number: int) -> float:
    runs = timeit.repeat(call, number=number, repeat=REPEATS)
    return statistics.median(runs) / number * 1e6


def median_and_best_us(call: Callable[[], object], number: int) -> tuple[float, float]:
    """Median and best of the repeats: the best is the figure least disturbed by load."""
    runs = timeit.repeat(call, number=number, repeat=REPEATS)
    return statistics.median(runs) / number * 1e6, min(runs) / number * 1e6


def main() -> int:
    history = RecentContacts([("k-1", T0 - timedelta(days=d)) for d in (0.5, 2, 3)])
    portfolio = AgentPortfolios([om.Agent(id="anna", portfolio=["k-1"])])
    scorer = PriorityScorer(STRATEGY, history=history, portfolio=portfolio)
    inlined = hand_inlined(history, {"k-1": "anna"})
    print(f"python {sys.version.split()[0]}; medians of {REPEATS} repeats, µs per call")
    print(f"{'case':<46} {'µs':>8} {'× inlined':>10} {'best µs':>8} {'× inlined':>10}")
    number = 20_000
    for label, preview in (("no text", None), ("short text", SHORT), ("long text", LONG)):
        item = interaction(preview)
        assert scorer(item, NOW) == scorer.explain(item, NOW).score
        floor, floor_best = median_and_best_us(lambda item=item: inlined(item, NOW), number)
        ours, best = median_and_best_us(lambda item=item: scorer(item, NOW), number)
        print(f"{'hand-inlined 10 factors, ' + label:<46} {floor:>8.2f} {1.0:>10.2f}")
        print(
            f"{'PriorityScorer 10 factors, ' + label:<46} {ours:>8.2f} {ours / floor:>10.2f}"
            f" {best:>8.2f} {best / floor_best:>10.2f}"
        )
    item = interaction(SHORT)
    hook = median_us(lambda: manual_priority_head_start(item, NOW), number)
    print(f"{'router default hook (manual × 60 s)':<46} {hook:>8.2f}")
    explain = median_us(lambda: scorer.explain(item, NOW), 2_000)
    print(f"{'explain(), 10 factors, short text':<46} {explain:>8.2f}")
    backlog = [
        interaction(SHORT if n % 2 else None).model_copy(update={"id": f"i-{n}"})
        for n in range(1000)
    ]
    rows = median_us(lambda: scorer.rows(backlog, NOW), 1) / 1000
    print(f"{'rows() per interaction, backlog of 1000':<46} {rows:>8.2f}")

    berlin = ZoneInfo("Europe/Berlin")
    calendar = BusinessCalendar(
        timezone="Europe/Berlin", hours={"mon-fri": ["08:00-18:00"]}, holidays=german_holidays()
    )
    start = datetime(2024, 3, 28, 16, 0, tzinfo=berlin).timestamp()
    calendar.add_business_seconds(start, 8 * 3600.0)  # warm the day cache
    add8 = median_us(lambda: calendar.add_business_seconds(start, 8 * 3600.0), number)
    add24 = median_us(lambda: calendar.add_business_seconds(start, 24 * 3600.0), number)
    print(f"{'calendar: add 8 business hours over Easter':<46} {add8:>8.2f}")
    print(f"{'calendar: add 24 business hours over Easter':<46} {add24:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
