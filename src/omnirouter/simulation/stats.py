"""Streamed statistics: memory stays fixed however many customers pass through.

* :class:`RunningStats` — count, mean, variance, min and max (Welford's update).
* :class:`Histogram` — fixed-width bins plus an overflow count, for waiting-time
  distributions and quantiles.
* :func:`confidence_interval` — a Student-t interval across independent replications.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import attrs

__all__ = ["Estimate", "Histogram", "RunningStats", "confidence_interval"]


class RunningStats:
    """Count, mean, variance, min and max of a stream, updated in O(1) per value.

    >>> stats = RunningStats()
    >>> for value in (1.0, 2.0, 3.0):
    ...     stats.add(value)
    >>> stats.mean, stats.variance
    (2.0, 1.0)
    """

    __slots__ = ("_m2", "count", "maximum", "mean", "minimum", "total")

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self.total = 0.0
        self._m2 = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf

    def add(self, value: float) -> None:
        """Take one more value into account."""
        self.count += 1
        self.total += value
        delta = value - self.mean
        self.mean += delta / self.count
        self._m2 += delta * (value - self.mean)
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value

    @property
    def variance(self) -> float:
        """The sample variance (n − 1 in the denominator); 0.0 below two values."""
        return self._m2 / (self.count - 1) if self.count > 1 else 0.0

    @property
    def stdev(self) -> float:
        """The sample standard deviation."""
        return math.sqrt(self.variance)


class Histogram:
    """Counts of values in ``bins`` bins of equal ``width`` from 0, plus an overflow bin.

    Negative values count in the first bin. Quantiles interpolate inside a bin, so
    their error is at most one bin width (values in the overflow report ``math.inf``).
    """

    __slots__ = ("counts", "overflow", "total", "width")

    def __init__(self, width: float, bins: int) -> None:
        if not width > 0 or bins < 1:
            raise ValueError("a histogram needs a width > 0 and at least one bin")
        self.width = float(width)
        self.counts = [0] * bins
        self.overflow = 0
        self.total = 0

    def add(self, value: float) -> None:
        """Count one value."""
        self.total += 1
        index = int(value / self.width) if value > 0 else 0
        if index < len(self.counts):
            self.counts[index] += 1
        else:
            self.overflow += 1

    def merge(self, other: Histogram) -> None:
        """Add another histogram of the same shape into this one."""
        if other.width != self.width or len(other.counts) != len(self.counts):
            raise ValueError("only histograms of the same width and bin count merge")
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.overflow += other.overflow
        self.total += other.total

    def quantile(self, share: float) -> float:
        """The value below which ``share`` of the counted values lie (0 when empty)."""
        if not 0 <= share <= 1:
            raise ValueError("share must lie between 0 and 1")
        if self.total == 0:
            return 0.0
        wanted = share * self.total
        seen = 0
        for index, count in enumerate(self.counts):
            if count and seen + count >= wanted:
                return (index + (wanted - seen) / count) * self.width
            seen += count
        return math.inf

    def edges(self) -> list[float]:
        """The lower edge of every bin."""
        return [index * self.width for index in range(len(self.counts))]


#: Two-sided 95 % Student-t quantiles for 1 .. 30 degrees of freedom.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def _t95(degrees: int) -> float:
    if degrees <= len(_T95):
        return _T95[degrees - 1]
    # Beyond 30 degrees of freedom the Cornish-Fisher expansion around the normal
    # quantile is within 0.01 % of the exact value.
    z = 1.959964
    return z + (z**3 + z) / (4.0 * degrees) + (5 * z**5 + 16 * z**3 + 3 * z) / (96.0 * degrees**2)


@attrs.frozen(slots=True)
class Estimate:
    """A mean across replications with the half width of its 95 % confidence interval.

    ``half_width`` is ``math.nan`` for a single replication (no spread to measure).
    ``floor`` and ``ceiling`` are the figure's possible range (0 and 1 for a share):
    :attr:`low` and :attr:`high` are clipped to it, so a service level's interval
    never reaches past 100 % nor a waiting time's below 0.
    """

    mean: float
    half_width: float
    replications: int
    floor: float = -math.inf
    ceiling: float = math.inf

    @property
    def low(self) -> float:
        """Lower end of the interval (never below ``floor``; NaN without an interval)."""
        end = self.mean - self.half_width
        return end if math.isnan(end) else max(self.floor, end)

    @property
    def high(self) -> float:
        """Upper end of the interval (never above ``ceiling``; NaN without an interval)."""
        end = self.mean + self.half_width
        return end if math.isnan(end) else min(self.ceiling, end)

    def contains(self, value: float, slack: float = 0.0) -> bool:
        """True when ``value`` lies in the interval widened by ``slack`` on each side."""
        return self.low - slack <= value <= self.high + slack

    def to_json(self) -> dict[str, float | int | None]:
        """``{"mean", "half_width", "low", "high", "replications"}``; NaN becomes ``None``.

        ``low`` and ``high`` are the clipped ends of the interval.
        """

        def plain(value: float) -> float | None:
            return None if math.isnan(value) else value

        return {
            "mean": plain(self.mean),
            "half_width": plain(self.half_width),
            "low": plain(self.low),
            "high": plain(self.high),
            "replications": self.replications,
        }


def confidence_interval(
    values: Iterable[float], *, floor: float = -math.inf, ceiling: float = math.inf
) -> Estimate:
    """The mean of independent replication results with a 95 % Student-t interval.

    NaN values (a replication in which the figure was undefined, e.g. no customer of
    that channel) are left out. ``floor`` and ``ceiling`` bound the possible values:
    the interval's ends are clipped to them (see :class:`Estimate`).
    """
    kept: Sequence[float] = [value for value in values if not math.isnan(value)]
    count = len(kept)
    if count == 0:
        return Estimate(math.nan, math.nan, 0, floor, ceiling)
    mean = math.fsum(kept) / count
    if count == 1:
        return Estimate(mean, math.nan, 1, floor, ceiling)
    variance = math.fsum((value - mean) ** 2 for value in kept) / (count - 1)
    half = _t95(count - 1) * math.sqrt(variance / count)
    return Estimate(mean, half, count, floor, ceiling)
