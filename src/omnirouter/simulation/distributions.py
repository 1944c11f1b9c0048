"""Distributions of handle time, wrap-up time and patience, as scenario data.

Each model validates its parameters (seconds) and compiles once, with
:meth:`sampler`, to a plain function of a :class:`random.Random`, so the simulation
loop never touches pydantic. :meth:`bind` compiles one step further, to a function
of no arguments tied to one stream: the simulator draws each customer's times with
one call and no attribute look-ups (the same values as the sampler on that stream).
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import pydantic
from pydantic import Field

from omnirouter import _files
from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.limits import DEFAULT_LIMITS, Limits
from omnirouter.model._base import BoundaryModel

__all__ = [
    "Constant",
    "Distribution",
    "Draw",
    "Empirical",
    "Exponential",
    "Gamma",
    "LogNormal",
    "Sampler",
    "load_samples",
]

#: A compiled distribution: draws one value (seconds) from the given stream.
Sampler = Callable[[random.Random], float]
#: A compiled distribution tied to one stream: each call draws one value (seconds).
Draw = Callable[[], float]

#: The longest time a distribution may describe: ten years, in seconds. Longer values are
#: mistakes (a unit slip), and beyond them the samplers lose precision or overflow.
MAX_SECONDS = 10 * 365 * 24 * 3600.0
#: The widest spread allowed, as standard deviation over mean.
MAX_SPREAD = 1000.0

_Positive = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]
_NonNegative = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]


def _spread_problem(mean: float, sd: float) -> str | None:
    ratio = sd / mean
    if ratio > MAX_SPREAD or ratio < 1.0 / MAX_SPREAD:
        return (
            f"sd_seconds / mean_seconds is {ratio:.3g}; it must lie between "
            f"{1 / MAX_SPREAD:g} and {MAX_SPREAD:g}"
        )
    return None


class Exponential(BoundaryModel):
    """Exponential with the given mean (seconds): memoryless, the M in M/M/N."""

    distribution: Literal["exponential"] = "exponential"
    mean_seconds: _Positive

    def sampler(self, base: Path | None = None) -> Sampler:
        """Compile to a function of a random stream."""
        rate = 1.0 / self.mean_seconds
        return lambda rng: rng.expovariate(rate)

    def bind(self, rng: random.Random, base: Path | None = None) -> Draw:
        """Compile to a function drawing from ``rng``: the values ``sampler()(rng)`` gives."""
        rate = 1.0 / self.mean_seconds
        uniform = rng.random
        log = math.log
        # random.expovariate's own formula, inline: bit-identical draws, one call fewer.
        return lambda: -log(1.0 - uniform()) / rate

    @property
    def mean(self) -> float:
        """The mean in seconds."""
        return self.mean_seconds


class _MeanAndSpread(BoundaryModel):
    """A distribution given by its mean and standard deviation (seconds)."""

    mean_seconds: _Positive
    sd_seconds: _Positive

    @pydantic.model_validator(mode="after")
    def _spread(self) -> _MeanAndSpread:
        problem = _spread_problem(self.mean_seconds, self.sd_seconds)
        if problem:
            raise ValueError(problem)
        return self


class LogNormal(_MeanAndSpread):
    """Log-normal with the given mean and standard deviation (seconds), typical of talk time."""

    distribution: Literal["lognormal"] = "lognormal"

    def _mu_sigma(self) -> tuple[float, float]:
        variance_ratio = 1.0 + (self.sd_seconds / self.mean_seconds) ** 2
        sigma = math.sqrt(math.log(variance_ratio))
        return math.log(self.mean_seconds) - sigma * sigma / 2.0, sigma

    def sampler(self, base: Path | None = None) -> Sampler:
        """Compile to a function of a random stream."""
        mu, sigma = self._mu_sigma()
        return lambda rng: rng.lognormvariate(mu, sigma)

    def bind(self, rng: random.Random, base: Path | None = None) -> Draw:
        """Compile to a function drawing from ``rng``: the values ``sampler()(rng)`` gives."""
        mu, sigma = self._mu_sigma()
        lognormvariate = rng.lognormvariate
        return lambda: lognormvariate(mu, sigma)

    @property
    def mean(self) -> float:
        """The mean in seconds."""
        return self.mean_seconds


class Gamma(_MeanAndSpread):
    """Gamma with the given mean and standard deviation (seconds)."""

    distribution: Literal["gamma"] = "gamma"

    def _shape_scale(self) -> tuple[float, float]:
        return (self.mean_seconds / self.sd_seconds) ** 2, self.sd_seconds**2 / self.mean_seconds

    def sampler(self, base: Path | None = None) -> Sampler:
        """Compile to a function of a random stream."""
        shape, scale = self._shape_scale()
        return lambda rng: rng.gammavariate(shape, scale)

    def bind(self, rng: random.Random, base: Path | None = None) -> Draw:
        """Compile to a function drawing from ``rng``: the values ``sampler()(rng)`` gives."""
        shape, scale = self._shape_scale()
        gammavariate = rng.gammavariate
        return lambda: gammavariate(shape, scale)

    @property
    def mean(self) -> float:
        """The mean in seconds."""
        return self.mean_seconds


class Constant(BoundaryModel):
    """Always the same value (seconds), e.g. a fixed wrap-up time."""

    distribution: Literal["constant"] = "constant"
    seconds: _NonNegative

    def sampler(self, base: Path | None = None) -> Sampler:
        """Compile to a function of a random stream."""
        value = self.seconds
        return lambda rng: value

    def bind(self, rng: random.Random, base: Path | None = None) -> Draw:
        """Compile to a function drawing from ``rng`` (it draws nothing: always the value)."""
        value = self.seconds
        return lambda: value

    @property
    def mean(self) -> float:
        """The mean in seconds."""
        return self.seconds


class Empirical(BoundaryModel):
    """Resampled from observed values (seconds): given inline or as a one-column CSV file.

    A relative ``file`` is read relative to the scenario file's folder.
    """

    distribution: Literal["empirical"] = "empirical"
    values: list[_NonNegative] = Field(default_factory=list)
    file: Path | None = None

    @pydantic.model_validator(mode="after")
    def _one_source(self) -> Empirical:
        if bool(self.values) == (self.file is not None):
            raise ValueError("give either 'values' (a non-empty list) or 'file', not both")
        return self

    def sampler(self, base: Path | None = None) -> Sampler:
        """Compile to a function of a random stream (reads ``file`` now, once)."""
        values = self.values or load_samples(self.file, base)  # type: ignore[arg-type]
        choices = tuple(values)
        return lambda rng: rng.choice(choices)

    def bind(self, rng: random.Random, base: Path | None = None) -> Draw:
        """Compile to a function drawing from ``rng`` (reads ``file`` now, once)."""
        choices = tuple(self.values or load_samples(self.file, base))  # type: ignore[arg-type]
        choice = rng.choice
        return lambda: choice(choices)

    @property
    def mean(self) -> float:
        """The mean of the inline values (``math.nan`` when they come from a file)."""
        return math.fsum(self.values) / len(self.values) if self.values else math.nan


#: Any of the distributions, told apart by their ``distribution`` field.
Distribution = Annotated[
    Exponential | LogNormal | Gamma | Constant | Empirical,
    Field(discriminator="distribution"),
]


def load_samples(
    file: Path, base: Path | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> list[float]:
    """Read observed values (seconds) from the first column of a CSV file.

    A header row is skipped when its first cell is not a number; every other row
    must hold a non-negative number, or :class:`omnirouter.ValidationError` names the
    row (never its content). Files beyond :attr:`omnirouter.Limits.file_bytes` and
    anything but a regular file are refused unread.
    """
    path = file if base is None or file.is_absolute() else base / file
    text = _files.read_text(path, title="Empirical", where=("file",), limits=limits)
    values: list[float] = []
    with _files.csv_field_limit(limits):
        try:
            rows = list(csv.reader(text.splitlines()))
        except csv.Error:
            raise ValidationError(
                "Empirical", [ErrorDetail(("file",), f"{str(path)!r} is not valid CSV")]
            ) from None
    for number, row in enumerate(rows, start=1):
        if not row or not row[0].strip():
            continue
        try:
            value = float(row[0])
        except ValueError:
            if number == 1:
                continue
            raise ValidationError(
                "Empirical", [ErrorDetail(("file", number), "the first cell is not a number")]
            ) from None
        if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
            raise ValidationError(
                "Empirical",
                [
                    ErrorDetail(
                        ("file", number), f"not a number of seconds from 0 to {MAX_SECONDS:g}"
                    )
                ],
            )
        values.append(value)
    if not values:
        raise ValidationError(
            "Empirical", [ErrorDetail(("file",), f"{str(path)!r} holds no values")]
        )
    return values
