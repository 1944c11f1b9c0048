"""A stateful property: under any sequence of calls, forgets and crashes, a crash
recovers exactly the acknowledged state, and a forgotten customer's text is nowhere in
the journal's files (until they write again)."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from ops_helpers import Clock

import omnirouter as om

CUSTOMERS = ("c0", "c1", "c2")


def _tag(customer: str, n: int) -> str:
    return f"QZX-{customer}-{n}-SECRET"


class JournalMachine(RuleBasedStateMachine):
    """One journaled router driven by random calls (see the module doc)."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="omnirouter-stateful-"))
        self.clock = Clock()
        self.router = om.Router(
            clock=self.clock, journal=om.SQLiteJournal(self.folder / "j.db", snapshot_every=4)
        )
        self.router.add_agent(om.Agent(id="a", capacity={"email": 2}))
        self.router.set_presence("a", "available")
        self.ids = itertools.count()
        self.written: dict[str, list[str]] = {c: [] for c in CUSTOMERS}
        self.forgotten: list[str] = []
        self.crashes = itertools.count()

    @rule(customer=st.sampled_from(CUSTOMERS))
    def submit(self, customer: str) -> None:
        n = next(self.ids)
        tag = _tag(customer, n)
        self.clock.advance(3)
        self.router.submit(
            om.Interaction(
                id=f"i{n}",
                channel="email",
                customer_id=customer,
                preview=f"{tag} " * 40,
                handover=om.BotHandover(bot="b", transcript=[tag]),
            ),
            customer=om.Contact(id=customer, family_name=tag),
        )
        self.written[customer].append(tag)

    @rule()
    def complete(self) -> None:
        held = self.router.agent_status("a").work
        if held:
            self.clock.advance(5)
            self.router.complete(held[0])

    @rule(customer=st.sampled_from(CUSTOMERS))
    def forget(self, customer: str) -> None:
        self.router.forget(customer)
        self.forgotten.extend(self.written[customer])
        self.written[customer] = []

    @rule()
    def crash_and_recover(self) -> None:
        copy = self.folder / f"crash-{next(self.crashes)}"
        copy.mkdir()
        for name in ("j.db", "j.db-wal", "j.db-mark"):
            if (self.folder / name).exists():
                shutil.copy(self.folder / name, copy / name)
        recovered = om.Router.recover(om.SQLiteJournal(copy / "j.db"), clock=self.clock)
        assert recovered.snapshot() == self.router.snapshot()
        assert recovered.journal is not None
        recovered.journal.close()

    @invariant()
    def forgotten_text_is_gone(self) -> None:
        raw = b"".join(p.read_bytes() for p in self.folder.iterdir() if p.name.startswith("j.db"))
        assert [tag for tag in self.forgotten if tag.encode() in raw] == []
        written = [tag for tags in self.written.values() for tag in tags]
        assert [tag for tag in written if tag.encode() not in raw] == []  # the control

    def teardown(self) -> None:
        if self.router.journal is not None:
            self.router.journal.close()
        shutil.rmtree(self.folder, ignore_errors=True)


JournalMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=12, deadline=None)
TestJournalMachine = JournalMachine.TestCase
