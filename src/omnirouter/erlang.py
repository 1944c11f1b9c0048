"""Erlang analytics: staffing formulas for queues with exponential service.

Traffic is offered load in Erlangs (arrival rate × average handle time); ``aht``,
``threshold`` and ``patience`` share one time unit (seconds, usually), and results
that are times come back in that unit.

* :func:`erlang_b` — blocking probability of M/M/N/N (the stable recursion).
* :func:`erlang_c` — probability of waiting in M/M/N (no abandonment).
* :func:`service_level`, :func:`asa` — share answered within a threshold, average
  speed of answer, for M/M/N.
* :func:`agents_for_service_level`, :func:`agents_for_asa` — the fewest agents that
  meet a goal.
* :func:`erlang_a` — M/M/N+M (customers abandon after an exponential patience).

Every formula stays finite and accurate for thousands of agents: Erlang B uses the
recursion ``B(n) = A·B(n−1) / (n + A·B(n−1))``, whose terms never overflow, and
Erlang A sums the birth–death chain in log space.

>>> round(erlang_c(8.0, 10), 5)
0.40918
>>> round(asa(8.0, 10, aht=240.0), 2)
49.1
"""

from __future__ import annotations

import math

import attrs

from omnirouter.errors import ErrorDetail as _Detail
from omnirouter.errors import ValidationError

__all__ = [
    "ErlangA",
    "agents_for_asa",
    "agents_for_service_level",
    "agents_for_service_level_a",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
]

#: Upper bound of the staffing searches unless the caller gives another.
_DEFAULT_MAX_AGENTS = 1_000_000


def _refuse(function: str, field: str, message: str, value: object) -> ValidationError:
    return ValidationError(f"erlang.{function}", [_Detail((field,), message, input=value)])


def _check_traffic(function: str, traffic: float) -> float:
    if not isinstance(traffic, int | float) or isinstance(traffic, bool):
        raise _refuse(function, "traffic", "traffic must be a number of Erlangs", traffic)
    if not math.isfinite(traffic) or traffic < 0:
        raise _refuse(function, "traffic", "traffic must be finite and >= 0", traffic)
    return float(traffic)


def _check_agents(function: str, agents: int) -> int:
    if not isinstance(agents, int) or isinstance(agents, bool) or agents < 1:
        raise _refuse(function, "agents", "agents must be an integer >= 1", agents)
    return agents


def _check_positive(function: str, field: str, value: float) -> float:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise _refuse(function, field, f"{field} must be a finite number > 0", value)
    return float(value)


def _check_non_negative(function: str, field: str, value: float) -> float:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise _refuse(function, field, f"{field} must be a finite number >= 0", value)
    return float(value)


def _check_fraction(function: str, field: str, value: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value < 1:
        raise _refuse(function, field, f"{field} must lie strictly between 0 and 1", value)
    return float(value)


def _erlang_b(traffic: float, agents: int) -> float:
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def _c_from_b(traffic: float, agents: int, blocking: float) -> float:
    if traffic >= agents:
        return 1.0
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def erlang_b(traffic: float, agents: int) -> float:
    """Probability that an arrival finds all ``agents`` busy in a loss system (M/M/N/N)."""
    traffic = _check_traffic("erlang_b", traffic)
    agents = _check_agents("erlang_b", agents)
    return _erlang_b(traffic, agents)


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that an arrival has to wait in M/M/N (Erlang C).

    1.0 when ``traffic >= agents``: the queue is unstable and everybody waits.
    """
    traffic = _check_traffic("erlang_c", traffic)
    agents = _check_agents("erlang_c", agents)
    return _c_from_b(traffic, agents, _erlang_b(traffic, agents))


def service_level(traffic: float, agents: int, aht: float, threshold: float) -> float:
    """Share of arrivals answered within ``threshold`` in M/M/N: ``1 − C·e^{−(N−A)·t/aht}``.

    0.0 for an unstable queue (``traffic >= agents``).
    """
    traffic = _check_traffic("service_level", traffic)
    agents = _check_agents("service_level", agents)
    aht = _check_positive("service_level", "aht", aht)
    threshold = _check_non_negative("service_level", "threshold", threshold)
    return _service_level(traffic, agents, aht, threshold, _erlang_b(traffic, agents))


def _service_level(
    traffic: float, agents: int, aht: float, threshold: float, blocking: float
) -> float:
    if traffic >= agents:
        return 0.0
    waiting = _c_from_b(traffic, agents, blocking)
    return 1.0 - waiting * math.exp(-(agents - traffic) * threshold / aht)


def asa(traffic: float, agents: int, aht: float) -> float:
    """Average speed of answer (mean wait over all arrivals) in M/M/N: ``C·aht/(N−A)``.

    ``math.inf`` for an unstable queue.
    """
    traffic = _check_traffic("asa", traffic)
    agents = _check_agents("asa", agents)
    aht = _check_positive("asa", "aht", aht)
    if traffic >= agents:
        return math.inf
    return _c_from_b(traffic, agents, _erlang_b(traffic, agents)) * aht / (agents - traffic)


def occupancy(traffic: float, agents: int) -> float:
    """Share of agent time spent handling work: ``A/N`` (capped at 1)."""
    traffic = _check_traffic("occupancy", traffic)
    agents = _check_agents("occupancy", agents)
    return min(1.0, traffic / agents)


def agents_for_service_level(
    traffic: float,
    aht: float,
    threshold: float,
    target: float,
    *,
    max_agents: int = _DEFAULT_MAX_AGENTS,
) -> int:
    """The fewest agents whose M/M/N service level reaches ``target`` (e.g. 0.8).

    Walks N upwards from the first stable staffing, carrying the Erlang B recursion
    along, so the search costs O(N) in total.
    """
    traffic = _check_traffic("agents_for_service_level", traffic)
    aht = _check_positive("agents_for_service_level", "aht", aht)
    threshold = _check_non_negative("agents_for_service_level", "threshold", threshold)
    target = _check_fraction("agents_for_service_level", "target", target)
    max_agents = _check_agents("agents_for_service_level", max_agents)
    blocking = 1.0
    for agents in range(1, max_agents + 1):
        blocking = traffic * blocking / (agents + traffic * blocking)
        if _service_level(traffic, agents, aht, threshold, blocking) >= target:
            return agents
    raise _refuse(
        "agents_for_service_level",
        "max_agents",
        f"no staffing up to {max_agents} agents reaches a service level of {target}",
        max_agents,
    )


def agents_for_asa(
    traffic: float, aht: float, target_asa: float, *, max_agents: int = _DEFAULT_MAX_AGENTS
) -> int:
    """The fewest agents whose M/M/N average speed of answer is at most ``target_asa``."""
    traffic = _check_traffic("agents_for_asa", traffic)
    aht = _check_positive("agents_for_asa", "aht", aht)
    target_asa = _check_non_negative("agents_for_asa", "target_asa", target_asa)
    max_agents = _check_agents("agents_for_asa", max_agents)
    blocking = 1.0
    for agents in range(1, max_agents + 1):
        blocking = traffic * blocking / (agents + traffic * blocking)
        if traffic < agents:
            waiting = _c_from_b(traffic, agents, blocking)
            if waiting * aht / (agents - traffic) <= target_asa:
                return agents
    raise _refuse(
        "agents_for_asa",
        "max_agents",
        f"no staffing up to {max_agents} agents reaches an ASA of {target_asa}",
        max_agents,
    )


def agents_for_service_level_a(
    traffic: float,
    aht: float,
    threshold: float,
    target: float,
    patience: float,
    *,
    max_agents: int = _DEFAULT_MAX_AGENTS,
) -> int:
    """The fewest agents whose Erlang A service level (share of all arrivals answered
    within ``threshold``, with exponential ``patience``) reaches ``target``.

    Starts from the Erlang C staffing and walks down (or up) one agent at a time.
    """
    traffic = _check_traffic("agents_for_service_level_a", traffic)
    aht = _check_positive("agents_for_service_level_a", "aht", aht)
    threshold = _check_non_negative("agents_for_service_level_a", "threshold", threshold)
    target = _check_fraction("agents_for_service_level_a", "target", target)
    patience = _check_positive("agents_for_service_level_a", "patience", patience)
    max_agents = _check_agents("agents_for_service_level_a", max_agents)

    def meets(agents: int) -> bool:
        level = erlang_a(traffic, agents, aht, patience, threshold).service_level
        return level is not None and level >= target

    agents = min(
        agents_for_service_level(traffic, aht, threshold, target, max_agents=max_agents), max_agents
    )
    if meets(agents):
        while agents > 1 and meets(agents - 1):
            agents -= 1
        return agents
    while agents < max_agents:
        agents += 1
        if meets(agents):
            return agents
    raise _refuse(
        "agents_for_service_level_a",
        "max_agents",
        f"no staffing up to {max_agents} agents reaches a service level of {target}",
        max_agents,
    )


@attrs.frozen(slots=True)
class ErlangA:
    """Steady-state figures of M/M/N+M (Erlang A), per arriving customer.

    Two kinds of figure, named apart:

    * of every arrival — ``p_all_busy``: share that finds every agent busy;
      ``mean_wait``: mean wait of all arrivals, the waits of those who hang up included;
      ``p_abandon``: share that hangs up before being answered;
    * of those answered — ``p_wait_answered``: share that waited at all;
      ``asa_answered``: their mean wait (the average speed of answer);
      ``service_level``: share of *all arrivals* answered within the threshold
      (``None`` when no threshold was given).

    ``p_wait`` and ``asa`` are the answered figures, ``p_wait_answered`` and
    ``asa_answered``: the meaning the simulator's ``p_wait`` and ``asa`` have, so the
    two compare directly. ``occupancy`` is the share of agent time busy. Every
    probability lies in [0, 1].
    """

    p_all_busy: float
    p_wait_answered: float
    p_abandon: float
    mean_wait: float
    asa_answered: float
    service_level: float | None
    occupancy: float

    @property
    def p_wait(self) -> float:
        """Share of answered customers who waited at all (= ``p_wait_answered``)."""
        return self.p_wait_answered

    @property
    def asa(self) -> float:
        """Mean wait of answered customers (= ``asa_answered``), as the simulator's ``asa``."""
        return self.asa_answered


def _probability(value: float) -> float:
    """Rounding leaves a sum of many small terms a few ulps outside [0, 1]: clamp it."""
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def _log_add(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    high, low = (a, b) if a >= b else (b, a)
    return high + math.log1p(math.exp(low - high))


def erlang_a(
    traffic: float,
    agents: int,
    aht: float,
    patience: float,
    threshold: float | None = None,
) -> ErlangA:
    """Erlang A: N agents, exponential handle time ``aht``, exponential ``patience`` (mean).

    Solved exactly from the birth–death chain (rates in log space, the tail cut off once
    its terms fall below 1e-30 of the largest); the service level, the share *answered*
    within ``threshold``, comes from the tagged customer's race between the work ahead
    of it and its own patience, solved by uniformization.
    """
    traffic = _check_traffic("erlang_a", traffic)
    agents = _check_agents("erlang_a", agents)
    aht = _check_positive("erlang_a", "aht", aht)
    patience = _check_positive("erlang_a", "patience", patience)
    if threshold is not None:
        threshold = _check_non_negative("erlang_a", "threshold", threshold)
    if traffic == 0:
        return ErlangA(0.0, 0.0, 0.0, 0.0, 0.0, None if threshold is None else 1.0, 0.0)
    arrival = traffic / aht
    service = 1.0 / aht
    abandon = 1.0 / patience

    # log π_n (unnormalised) for n = 0 .. agents, then the queue tail until negligible.
    log_terms = [0.0]
    log_arrival = math.log(arrival)
    for n in range(1, agents + 1):
        log_terms.append(log_terms[-1] + log_arrival - math.log(n * service))
    queue_terms: list[float] = []
    last = log_terms[-1]
    peak = max(log_terms)
    k = 0
    while True:
        k += 1
        last = last + log_arrival - math.log(agents * service + k * abandon)
        queue_terms.append(last)
        peak = max(peak, last)
        # Death rates grow without bound, so the tail decreases once k·θ > λ − Nμ.
        if last < peak - 69.0 and agents * service + k * abandon > arrival:
            break
    log_total = -math.inf
    for term in log_terms + queue_terms:
        log_total = _log_add(log_total, term)
    busy_terms = [log_terms[-1], *queue_terms]
    p_wait = 0.0
    expected_queue = 0.0
    expected_busy = 0.0
    for n, term in enumerate(log_terms):
        expected_busy += n * math.exp(term - log_total)
    for length, term in enumerate(queue_terms, start=1):
        share = math.exp(term - log_total)
        expected_queue += length * share
        expected_busy += agents * share
    for term in busy_terms:
        p_wait += math.exp(term - log_total)
    p_abandon = abandon * expected_queue / arrival
    mean_wait = expected_queue / arrival
    seeing = [math.exp(t - log_total) for t in busy_terms]
    answered, asa_answered = _answered_wait(agents, service, abandon, seeing)
    immediate = 1.0 - sum(seeing)
    waited_answered = (answered - immediate) / answered if answered > 0 else 1.0
    level = None
    if threshold is not None:
        level = _probability(_answered_within(agents, service, abandon, seeing, threshold))
    return ErlangA(
        p_all_busy=_probability(p_wait),
        p_wait_answered=_probability(waited_answered),
        p_abandon=_probability(p_abandon),
        mean_wait=max(0.0, mean_wait),
        asa_answered=max(0.0, asa_answered),
        service_level=level,
        occupancy=_probability(expected_busy / agents),
    )


def _answered_wait(
    agents: int, service: float, abandon: float, arrivals_seeing: list[float]
) -> tuple[float, float]:
    """``(P(answered), E[wait · 1{answered}] / P(answered))`` for a tagged arrival.

    An arrival that sees ``j`` customers waiting moves to ``j − 1`` ahead at rate
    ``Nμ + jθ`` (a service or an abandonment ahead) and abandons itself at rate θ;
    with none ahead it is answered at rate ``Nμ``. Both the answer probability and
    the expected wait until answer follow by a backward recursion over ``j``.
    """
    top = agents * service
    # reach[j]: P(answered | j ahead); time[j]: E[wait · 1{answered} | j ahead].
    answered_total = 1.0 - sum(arrivals_seeing)  # arrivals who find a free agent
    weighted_time = 0.0
    reach_prev = 0.0
    time_prev = 0.0
    for j, share in enumerate(arrivals_seeing):
        leave = top + j * abandon
        rate = leave + abandon
        advance = leave / rate
        # From j ahead: wait Exp(rate), then advance (to j−1 ahead, or answered at j=0).
        if j == 0:
            reach = advance
            time = reach / rate
        else:
            reach = advance * reach_prev
            time = reach / rate + advance * time_prev
        answered_total += share * reach
        weighted_time += share * time
        reach_prev, time_prev = reach, time
    return answered_total, 0.0 if answered_total <= 0 else weighted_time / answered_total


def _answered_within(
    agents: int,
    service: float,
    abandon: float,
    arrivals_seeing: list[float],
    threshold: float,
) -> float:
    """Share of all arrivals answered within ``threshold`` (uniformization)."""
    top = agents * service
    immediate = 1.0 - sum(arrivals_seeing)
    if threshold == 0 or not arrivals_seeing:
        return immediate
    size = len(arrivals_seeing)
    uniform = top + size * abandon + abandon
    # probability vector over "j ahead" (still waiting); mass leaves to answered/abandoned.
    waiting = list(arrivals_seeing)
    answered = 0.0
    mean_jumps = uniform * threshold
    # Poisson weights computed in log space so large uniformization rates stay finite.
    log_weight = -mean_jumps
    cumulative_weight = math.exp(log_weight)
    total = 0.0
    steps = int(mean_jumps + 12.0 * math.sqrt(mean_jumps) + 30)
    for step in range(1, steps + 1):
        moved = [0.0] * size
        for j, mass in enumerate(waiting):
            if mass == 0.0:
                continue
            leave = top + j * abandon
            if j == 0:
                answered += mass * leave / uniform
            else:
                moved[j - 1] += mass * leave / uniform
            stay = 1.0 - (leave + abandon) / uniform
            moved[j] += mass * stay
        waiting = moved
        log_weight += math.log(mean_jumps) - math.log(step)
        weight = math.exp(log_weight)
        total += answered * weight
        cumulative_weight += weight
    # Steps beyond the truncation carry their answered mass at its last value.
    total += answered * max(0.0, 1.0 - cumulative_weight)
    return immediate + total
