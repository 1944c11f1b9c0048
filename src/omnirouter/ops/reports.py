"""Reports: offered, answered, abandoned, service level, ASA and AHT per interval
and per advisor, team, channel, queue or reason — from a journal or any event stream.

Each interaction is counted once, in the interval in which it was first queued (offered).
Answered means assigned on synchronous channels and completed on asynchronous ones;
the service level is answered within the channel's target over answered plus abandoned;
ASA is the mean time to answer; AHT the mean time from the last assignment to
completion, without time spent paused (as :func:`omnirouter.blending.handling_times`
measures it). Advisor and team are those of the agent who last held the work.

Export with :meth:`Report.to_csv`, :meth:`Report.to_json` and :meth:`Report.to_html`
(a self-contained page with charts; needs the ``notebook`` extra for matplotlib).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Final

import attrs

from omnirouter.errors import ErrorDetail, OmnirouterError, ValidationError
from omnirouter.model import ChannelRegistry
from omnirouter.ops.journal import Journal
from omnirouter.routing.blending import handling_times

if TYPE_CHECKING:
    from omnirouter.routing.events import Event

__all__ = [
    "DIMENSIONS",
    "INTERVALS",
    "Report",
    "ReportRow",
    "build_report",
    "journal_report",
]

#: Interval names and their length in seconds.
INTERVALS: Final[Mapping[str, int]] = {"15min": 900, "hour": 3600, "day": 86400}
#: What a report can be grouped by (besides the interval).
DIMENSIONS: Final = ("channel", "queue", "reason", "advisor", "team")
_NONE: Final = "(none)"
_FIGURES: Final = (
    "offered",
    "answered",
    "answered_in_target",
    "abandoned",
    "handled",
    "service_level",
    "asa",
    "aht",
)


@attrs.frozen(slots=True)
class ReportRow:
    """The figures of one interval and group (``group`` maps each dimension to a value)."""

    interval_start: datetime
    group: Mapping[str, str]
    offered: int
    answered: int
    answered_in_target: int
    abandoned: int
    handled: int
    service_level: float | None
    asa: float | None
    aht: float | None

    def to_dict(self) -> dict[str, Any]:
        """A flat, JSON-able dict: interval start (ISO), the group's columns, the figures."""
        row: dict[str, Any] = {"interval_start": self.interval_start.isoformat()}
        row.update(self.group)
        for name in _FIGURES:
            row[name] = getattr(self, name)
        return row


@attrs.frozen
class Report:
    """Rows sorted by interval then group; ``interval`` and ``by`` say how it was cut."""

    interval: str
    by: tuple[str, ...]
    rows: tuple[ReportRow, ...]

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every row as a flat dict (see :meth:`ReportRow.to_dict`)."""
        return [row.to_dict() for row in self.rows]

    def to_json(self) -> str:
        """The report as JSON text: ``{"interval", "by", "rows"}``."""
        return json.dumps(
            {"interval": self.interval, "by": list(self.by), "rows": self.to_dicts()}, indent=1
        )

    def to_csv(self) -> str:
        """The rows as CSV text with a header line (empty figures are blank)."""
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=["interval_start", *self.by, *_FIGURES], lineterminator="\n"
        )
        writer.writeheader()
        for row in self.to_dicts():
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        return out.getvalue()

    def totals(self) -> dict[str, Any]:
        """The figures over all rows."""
        offered = sum(r.offered for r in self.rows)
        answered = sum(r.answered for r in self.rows)
        in_target = sum(r.answered_in_target for r in self.rows)
        abandoned = sum(r.abandoned for r in self.rows)
        handled = sum(r.handled for r in self.rows)
        wait = sum((r.asa or 0.0) * r.answered for r in self.rows)
        handle = sum((r.aht or 0.0) * r.handled for r in self.rows)
        decided = answered + abandoned
        return {
            "offered": offered,
            "answered": answered,
            "answered_in_target": in_target,
            "abandoned": abandoned,
            "handled": handled,
            "service_level": in_target / decided if decided else None,
            "asa": wait / answered if answered else None,
            "aht": handle / handled if handled else None,
        }

    def to_html(self, title: str = "omnirouter report") -> str:
        """A self-contained HTML page: totals, charts (PNG embedded) and the table.

        Needs matplotlib (``pip install 'omnirouter[notebook]'``).
        """
        from omnirouter.ops._charts import report_charts

        charts = report_charts(self)
        totals = self.totals()
        head = "".join(
            f"<th>{html.escape(c)}</th>" for c in ["interval_start", *self.by, *_FIGURES]
        )
        body = "\n".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row.values()) + "</tr>"
            for row in self.to_dicts()
        )
        summary = "".join(
            f"<li>{html.escape(name)}: <b>{html.escape(_cell(value))}</b></li>"
            for name, value in totals.items()
        )
        images = "\n".join(
            f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode("ascii")}"><figcaption>{html.escape(name)}'
            "</figcaption></figure>"
            for name, png in charts
        )
        return (
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
            "figure{display:inline-block;margin:0 1em 1em 0}"
            f"</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p>Per {html.escape(self.interval)}"
            + (f" and {html.escape(', '.join(self.by))}" if self.by else "")
            + f"</p><ul>{summary}</ul>{images}<table><tr>{head}</tr>\n{body}</table>"
            "</body></html>\n"
        )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


class _Record:
    __slots__ = (
        "agent",
        "answer_wait",
        "answered",
        "assigned",
        "channel",
        "handle_time",
        "in_target",
        "outcome",
        "queue",
        "start",
    )

    def __init__(self, start: float, channel: str, queue: str) -> None:
        self.start = start
        self.channel = channel
        self.queue = queue
        self.answered = False
        self.answer_wait = 0.0
        self.in_target = False
        self.assigned: Event | Mapping[str, Any] | None = None
        self.agent: str | None = None
        self.handle_time: float | None = None
        self.outcome: str | None = None


def _get(event: Event | Mapping[str, Any], name: str) -> Any:
    if isinstance(event, Mapping):
        return event.get(name)
    return getattr(event, name)


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError("report", [ErrorDetail([field], message)])


def build_report(
    events: Iterable[Event | Mapping[str, Any]],
    *,
    interval: str = "hour",
    by: Sequence[str] = ("channel",),
    channels: ChannelRegistry | None = None,
    reasons: Mapping[str, str | None] | None = None,
    teams: Mapping[str, str | None] | None = None,
    tz: tzinfo = UTC,
) -> Report:
    """A :class:`Report` from router events (``om.Event`` objects or their JSON dicts).

    ``interval`` is ``15min``, ``hour`` or ``day`` (aligned in ``tz``); ``by`` any of
    ``channel``, ``queue``, ``reason``, ``advisor``, ``team``. ``reasons`` maps an
    interaction id to its reason of contact, ``teams`` an agent id to its team (a
    journal knows both: see :func:`journal_report`). ``channels`` gives each channel's
    target and whether it is synchronous (default: the built-in channels).
    """
    if interval not in INTERVALS:
        raise _bad("interval", f"use one of {', '.join(INTERVALS)}, not {interval!r}")
    by = tuple(by)
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown or len(set(by)) != len(by):
        raise _bad("by", f"distinct names from {', '.join(DIMENSIONS)}, not {list(by)!r}")
    registry = channels if channels is not None else ChannelRegistry()
    reasons = reasons or {}
    teams = teams or {}
    records: dict[str, _Record] = {}
    for event in events:
        interaction_id = _get(event, "interaction_id")
        if interaction_id is None:
            continue
        kind = _get(event, "kind")
        at = float(_get(event, "at"))
        record = records.get(interaction_id)
        if kind == "queued":
            if record is None:
                records[interaction_id] = _Record(
                    at, _get(event, "channel") or _NONE, _get(event, "queue") or _NONE
                )
            continue
        if record is None or record.outcome is not None:
            continue
        sync, target = _traits(registry, record.channel)
        if kind == "assigned":
            record.assigned = event
            record.agent = _get(event, "agent_id")
            if sync and not record.answered:
                _answer(record, at, target)
        elif kind == "completed":
            if not sync and not record.answered:
                _answer(record, at, target)
            if record.assigned is not None:
                # Paused time (an interrupted e-mail) is not handling time.
                handled = handling_times((record.assigned, event))
                record.handle_time = handled.get(interaction_id)
            record.agent = _get(event, "agent_id") or record.agent
            record.outcome = "completed"
        elif kind in ("abandoned", "cancelled"):
            record.outcome = kind
    return _aggregate(records, interval, by, reasons, teams, tz)


def _traits(registry: ChannelRegistry, channel: str) -> tuple[bool, float]:
    if channel in registry:
        traits = registry.get(channel)
        return traits.synchronous, traits.service_level_target.total_seconds()
    return False, float("inf")


def _answer(record: _Record, at: float, target: float) -> None:
    record.answered = True
    record.answer_wait = at - record.start
    record.in_target = record.answer_wait <= target


class _Cell:
    __slots__ = ("abandoned", "answered", "handle", "handled", "in_target", "offered", "wait")

    def __init__(self) -> None:
        self.offered = self.answered = self.in_target = self.abandoned = self.handled = 0
        self.wait = self.handle = 0.0


def _aggregate(
    records: Mapping[str, _Record],
    interval: str,
    by: tuple[str, ...],
    reasons: Mapping[str, str | None],
    teams: Mapping[str, str | None],
    tz: tzinfo,
) -> Report:
    length = INTERVALS[interval]
    cells: dict[tuple[float, tuple[str, ...]], _Cell] = {}
    for interaction_id, record in records.items():
        if record.outcome == "cancelled":
            continue
        advisor = record.agent or _NONE
        values = {
            "channel": record.channel,
            "queue": record.queue,
            "reason": reasons.get(interaction_id) or _NONE,
            "advisor": advisor,
            "team": (teams.get(advisor) if record.agent else None) or _NONE,
        }
        start = _interval_start(record.start, length, tz)
        key = (start, tuple(values[d] for d in by))
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _Cell()
        cell.offered += 1
        if record.answered:
            cell.answered += 1
            cell.in_target += record.in_target
            cell.wait += record.answer_wait
        elif record.outcome == "abandoned":
            cell.abandoned += 1
        if record.handle_time is not None:
            cell.handled += 1
            cell.handle += record.handle_time
    rows = []
    for (start, group), cell in sorted(cells.items()):
        decided = cell.answered + cell.abandoned
        rows.append(
            ReportRow(
                datetime.fromtimestamp(start, tz),
                dict(zip(by, group, strict=True)),
                cell.offered,
                cell.answered,
                cell.in_target,
                cell.abandoned,
                cell.handled,
                cell.in_target / decided if decided else None,
                cell.wait / cell.answered if cell.answered else None,
                cell.handle / cell.handled if cell.handled else None,
            )
        )
    return Report(interval, by, tuple(rows))


def _interval_start(at: float, length: int, tz: tzinfo) -> float:
    """The start (epoch seconds) of the interval holding ``at``, aligned to local time."""
    local = datetime.fromtimestamp(at, tz)
    offset = local.utcoffset()
    shift = offset.total_seconds() if offset is not None else 0.0
    return (at + shift) // length * length - shift


def journal_report(
    journal: Journal,
    *,
    interval: str = "hour",
    by: Sequence[str] = ("channel",),
    tz: tzinfo = UTC,
    **hooks: Any,
) -> Report:
    """A :class:`Report` from a journal: its stored events (or, when it keeps none, the
    events of replaying its commands from the start, with ``hooks`` as for
    ``Router.recover``); reasons of contact and teams come from the recorded commands."""
    reasons: dict[str, str | None] = {}
    teams: dict[str, str | None] = {}
    for command in journal.commands():
        arguments = command.arguments
        if command.name == "submit":
            item = arguments["interaction"]
            reasons[item["id"]] = item.get("reason")
        elif command.name in ("split", "consult"):
            for item in arguments["parts"]:
                reasons[item["id"]] = item.get("reason")
        elif command.name == "add_agent":
            teams[arguments["agent"]["id"]] = arguments["agent"].get("team")
    events: list[Event] = []
    snapshot = journal.snapshot(0)
    if snapshot is None:
        raise OmnirouterError(f"{journal!r} has no starting snapshot: not a router journal")
    channels = ChannelRegistry.from_json(snapshot.data["channels"])
    events.extend(journal.events())
    if not events and journal.last_seq():
        from omnirouter.ops.recovery import replay
        from omnirouter.routing.router import Router

        replay(Router, journal, from_seq=0, on_event=events.append, **hooks)
    return build_report(
        events, interval=interval, by=by, channels=channels, reasons=reasons, teams=teams, tz=tz
    )
