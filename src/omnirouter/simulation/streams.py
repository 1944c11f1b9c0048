"""Independent random streams derived from one seed (common random numbers).

Every source of randomness in a simulation — the arrivals of one workload, its
handle times, its patience, an agent's breaks — draws from its own
:class:`random.Random`, seeded from ``(seed, replication, name)``. Two policies run on
the same seed therefore see the very same customers, however differently the
router treats them, and adding a workload leaves the other workloads' draws alone.
"""

from __future__ import annotations

import hashlib
import random

__all__ = ["RandomStreams"]


class RandomStreams:
    """A factory of named, independent :class:`random.Random` streams.

    >>> streams = RandomStreams(seed=7)
    >>> a = streams.stream("arrivals:voice", replication=0).random()
    >>> a == RandomStreams(seed=7).stream("arrivals:voice", replication=0).random()
    True
    >>> a == streams.stream("arrivals:voice", replication=1).random()
    False
    """

    __slots__ = ("seed",)

    def __init__(self, seed: int) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"seed must be an int, not {type(seed).__name__}")
        self.seed = seed

    def stream(self, name: str, replication: int = 0) -> random.Random:
        """The stream called ``name`` in ``replication``; the same triple gives the same stream."""
        digest = hashlib.sha256(f"{self.seed}\x1f{replication}\x1f{name}".encode()).digest()
        return random.Random(int.from_bytes(digest[:16], "big"))
