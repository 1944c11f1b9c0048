"""The charts of an HTML report, drawn with matplotlib (the optional ``notebook`` extra)."""

from __future__ import annotations

import importlib
import io
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from omnirouter.errors import OmnirouterError

if TYPE_CHECKING:
    from omnirouter.ops.reports import Report

__all__ = ["report_charts"]


def _figure_class() -> Any:
    try:
        module = importlib.import_module("matplotlib.figure")
    except ImportError as error:
        raise OmnirouterError(
            "matplotlib is needed for HTML reports; install it with "
            "pip install 'omnirouter[notebook]' (CSV and JSON need nothing)"
        ) from error
    return module.Figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def report_charts(report: Report) -> list[tuple[str, bytes]]:
    """(caption, PNG bytes) of each chart: volumes and service level per interval, AHT per
    group. A Figure without pyplot keeps no global state and needs no display."""
    figure_class = _figure_class()
    starts = sorted({row.interval_start for row in report.rows})
    labels = [start.strftime("%m-%d %H:%M") for start in starts]
    index = {start: n for n, start in enumerate(starts)}
    volumes = {name: [0] * len(starts) for name in ("offered", "answered", "abandoned")}
    in_target = [0] * len(starts)
    decided = [0] * len(starts)
    handle: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in report.rows:
        n = index[row.interval_start]
        volumes["offered"][n] += row.offered
        volumes["answered"][n] += row.answered
        volumes["abandoned"][n] += row.abandoned
        in_target[n] += row.answered_in_target
        decided[n] += row.answered + row.abandoned
        group = " / ".join(row.group.values()) or "all"
        if row.aht is not None:
            handle[group][0] += row.aht * row.handled
            handle[group][1] += row.handled
    charts: list[tuple[str, bytes]] = []

    figure = figure_class(figsize=(7, 3))
    axes = figure.subplots()
    positions = list(range(len(starts)))
    width = 0.27
    for offset, (name, counts) in zip((-width, 0.0, width), volumes.items(), strict=True):
        axes.bar([p + offset for p in positions], counts, width=width, label=name)
    axes.set_xticks(positions, labels, rotation=45, ha="right", fontsize=7)
    axes.set_ylabel("interactions")
    axes.legend(fontsize=7)
    charts.append(("Offered, answered and abandoned per interval", _png(figure)))

    figure = figure_class(figsize=(7, 3))
    axes = figure.subplots()
    levels = [in_target[n] / decided[n] if decided[n] else float("nan") for n in positions]
    axes.plot(positions, levels, marker="o")
    axes.set_ylim(0, 1.05)
    axes.set_xticks(positions, labels, rotation=45, ha="right", fontsize=7)
    axes.set_ylabel("service level")
    charts.append(("Service level per interval", _png(figure)))

    if handle:
        figure = figure_class(figsize=(7, 3))
        axes = figure.subplots()
        groups = sorted(handle)
        axes.barh(groups, [handle[g][0] / handle[g][1] for g in groups])
        axes.set_xlabel("average handling time (s)")
        axes.tick_params(axis="y", labelsize=7)
        charts.append(
            ("Average handling time per " + (", ".join(report.by) or "all"), _png(figure))
        )
    return charts
