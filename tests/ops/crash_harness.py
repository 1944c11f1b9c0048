"""Kill -9 crash rounds: a forked child drives a journaled router with random traffic and
reports each acknowledged command on a pipe; the parent kills it with SIGKILL at a random
moment, recovers the journal and checks that nothing acknowledged was lost.

Used by tests/ops/test_crash.py (a fast run in the suite) and benchmarks/stress_crash.py
(many more rounds). Every random choice comes from a seeded ``random.Random``.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import omnirouter as om

AGENTS = [
    om.Agent(id=f"a{n}", capacity={"voice": 1, "chat": 3, "email": 4}, team=f"t{n % 2}")
    for n in range(6)
]
CHANNELS = ("voice", "chat", "email")
START = 1_700_000_000.0


class VirtualClock:
    """A clock the driver moves forward."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _open_router(path: Path, durability: str, clock: VirtualClock) -> om.Router:
    journal = om.SQLiteJournal(
        path,
        durability=durability,
        group_interval=0.002,
        snapshot_every=40,  # type: ignore[arg-type]
    )
    try:
        router = om.Router.recover(journal, clock=clock)
        clock.now = max(clock.now, float(router.snapshot()["now"] or START))
    except om.RecoveryError:  # the journal is empty: the first child (or it died at once)
        router = om.Router(clock=clock, offer_timeout=30.0, journal=journal)
    known = {agent.id for agent in router.agents}
    for agent in AGENTS:
        if agent.id not in known:
            router.add_agent(agent)
            router.set_presence(agent.id, "available")
    return router


def child_main(path: Path, durability: str, seed: int, round_no: int, fd: int) -> None:
    """Drive traffic until killed (or for 20 000 steps); write ``<seq> <json>`` lines."""
    clock = VirtualClock(START)
    router = _open_router(path, durability, clock)
    writer = router.journal
    assert writer is not None
    rng = random.Random(seed)
    pending: list[tuple[int, str]] = []
    lock = threading.Lock()

    def send(durable: int) -> None:
        with lock:
            ready = [line for seq, line in pending if seq <= durable]
            pending[:] = [(seq, line) for seq, line in pending if seq > durable]
        if ready:
            os.write(fd, "".join(ready).encode())

    if durability == "group":
        writer.on_durable(send)

    def ack(kind: str, interaction_id: str) -> None:
        seq = writer.last_seq
        line = f"{seq} {json.dumps([kind, interaction_id])}\n"
        if durability == "command":
            os.write(fd, line.encode())
        else:
            with lock:
                pending.append((seq, line))
            send(writer.durable_seq)

    open_ids: list[str] = list(router.waiting()) + [
        i for a in AGENTS for i in router.agent_status(a.id).work
    ]
    for step in range(20_000):
        clock.now += rng.expovariate(1.0)
        roll = rng.random()
        try:
            if roll < 0.4 or not open_ids:
                interaction_id = f"r{round_no}-{step}"
                router.submit(om.Interaction(id=interaction_id, channel=rng.choice(CHANNELS)))
                open_ids.append(interaction_id)
                ack("submitted", interaction_id)
            elif roll < 0.62:
                interaction_id = rng.choice(open_ids)
                router.complete(interaction_id, wrap_up=rng.choice((0.0, 0.0, 5.0)))
                open_ids.remove(interaction_id)
                ack("completed", interaction_id)
            elif roll < 0.74:
                router.accept(rng.choice(open_ids))
            elif roll < 0.8:
                interaction_id = rng.choice(open_ids)
                router.abandon(interaction_id)
                open_ids.remove(interaction_id)
                ack("abandoned", interaction_id)
            elif roll < 0.86:
                agent = rng.choice(AGENTS).id
                router.set_presence(agent, rng.choice(("available", "available", "away")))
            else:
                router.tick()
        except om.RoutingError:
            pass  # a command that does not fit the state: refused, nothing changed
    os._exit(0)


def run_round(
    path: Path, durability: str, seed: int, round_no: int, rng: random.Random
) -> dict[str, Any]:
    """Fork a child, kill it after a random number of acknowledgements, return what it
    acknowledged: ``{"acks": [(seq, kind, id)], "exit": status}``."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        try:
            child_main(path, durability, seed, round_no, write_fd)
        finally:
            os._exit(1)
    os.close(write_fd)
    target = rng.randint(1, 20)
    acks: list[tuple[int, str, str]] = []
    buffer = b""
    deadline = time.monotonic() + 20.0
    try:
        while len(acks) < target and time.monotonic() < deadline:
            ready, _, _ = select.select([read_fd], [], [], 1.0)
            if not ready:
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                seq, data = line.decode().split(" ", 1)
                kind, interaction_id = json.loads(data)
                acks.append((int(seq), kind, interaction_id))
        # Kill at a random moment: at once, or after a short random delay mid-traffic.
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0.0, 0.01))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        # Lines written before the kill are acknowledged too: drain the pipe.
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            buffer += chunk
        for line in buffer.split(b"\n"):
            if line:
                seq, data = line.decode().split(" ", 1)
                kind, interaction_id = json.loads(data)
                acks.append((int(seq), kind, interaction_id))
    finally:
        os.close(read_fd)
    return {"acks": acks, "exit": status}


def _over_capacity(router: om.Router) -> Iterator[str]:
    for state in router._agents.values():
        held: dict[str, int] = {}
        for channel in [*state.items.values(), *state.wrapping.values()]:
            held[channel] = held.get(channel, 0) + 1
        caps = state.agent.capacity.per_channel
        for channel, count in held.items():
            if count > caps.get(channel, 0):
                yield f"agent {state.id} holds {count} {channel} (cap {caps.get(channel, 0)})"
        if held and state.load.active != sum(held.values()):
            yield f"agent {state.id}: load counts {state.load.active}, holds {sum(held.values())}"


def check_recovered(path: Path, acks: list[tuple[int, str, str]], full_replay: bool) -> int:
    """Recover ``path`` and check every invariant; returns the number of commands."""
    journal = om.SQLiteJournal(path)
    if full_replay:
        journal.verify()
    router = om.Router.recover(journal, clock=VirtualClock(START), checkpoint=False)
    writer = router.journal
    assert writer is not None
    last = writer.last_seq
    try:
        assert max((seq for seq, _, _ in acks), default=0) <= last, "acknowledged seq lost"
        for _, kind, interaction_id in acks:
            active = interaction_id in router._work
            finished = interaction_id in router._finished
            assert active != finished, f"{interaction_id}: active={active} finished={finished}"
            state = router.state_of(interaction_id)
            if kind == "completed":
                assert state is om.InteractionState.COMPLETED, (interaction_id, state)
            elif kind == "abandoned":
                assert state is om.InteractionState.ABANDONED, (interaction_id, state)
        problems = list(_over_capacity(router))
        assert not problems, problems
        for work in router._work.values():
            if work.agent is not None:
                assert work.id in router._agents[work.agent].items, work.id
        if full_replay:
            again, upto = om.ops.replay(om.Router, journal, from_seq=0)
            assert upto == last
            assert again.snapshot() == router.snapshot(), "snapshot + tail != full replay"
    finally:
        writer.close()
    return last
