"""Router.forget: a customer's personal data leaves the live state, the events, and the
journal's bytes (database, -wal, -shm); everybody else's work still recovers exactly."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from ops_helpers import Clock, staffed

import omnirouter as om

#: What must not survive: name, e-mail, the phone in every formatting, IBAN, transcript.
SECRETS = [
    "Mustermann",
    "Erika",
    "erika.mustermann@example.de",
    "+49 170 1234567",
    "+491701234567",
    "01701234567",
    "0170 1234567",
    "1701234567",
    "170 1234567",
    "DE89 3704 0044 0532 0130 00",
    "DE89370400440532013000",
    "my card was charged twice",
    "Lindenstrasse",
]
OTHER = "Gabler"  # the other customer, whose data stays


def _erika() -> om.Contact:
    return om.Contact(
        id="c1",
        given_name="Erika",
        family_name="Mustermann",
        tier="gold",
        identities={
            "emails": ["erika.mustermann@example.de"],
            "phones": ["+49 170 1234567", "01701234567"],
        },
        address={"street": "Lindenstrasse", "house_number": "7", "city": "Berlin"},
    )


def _busy_router(path: Path, clock: Clock, **options: Any) -> om.Router:
    router = staffed(clock, om.SQLiteJournal(path, snapshot_every=7, **options))
    for n in range(6):
        clock.advance(30)
        router.submit(
            om.Interaction(
                id=f"e{n}",
                channel=("chat", "email")[n % 2],
                customer_id="c1",
                identity={"email": "erika.mustermann@example.de", "phone": "0170 1234567"},
                subject="Refund, Erika Mustermann",
                preview="Hello, my card was charged twice. IBAN DE89 3704 0044 0532 0130 00",
                attributes={"iban": "DE89370400440532013000", "phone": "+491701234567"},
                handover=om.BotHandover(
                    bot="faq-bot",
                    transcript=["Hi, Erika Mustermann here", "my card was charged twice"],
                    extracted={"iban": "DE89 3704 0044 0532 0130 00", "phone": "1701234567"},
                ),
            ),
            customer=_erika(),
        )
        clock.advance(5)
        router.submit(
            om.Interaction(
                id=f"g{n}",
                channel="email",
                customer_id="c2",
                subject=f"Question from Gabler {n}",
                attributes={"order": n},
            ),
            customer=om.Contact(id="c2", family_name=OTHER),
        )
        if n % 2:
            for done in (f"e{n - 1}", f"g{n - 1}"):
                if router.state_of(done) is om.InteractionState.ASSIGNED:
                    router.complete(done)
    return router


def _raw(folder: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in sorted(folder.iterdir()) if p.name.startswith("j.db")
    ).lower()


def _traces(data: bytes) -> list[str]:
    return [secret for secret in SECRETS if secret.lower().encode() in data]


@pytest.mark.parametrize("durability", ["command", "group"])
def test_forget_leaves_no_trace_in_the_journal_files(tmp_path: Path, durability: str) -> None:
    clock = Clock()
    path = tmp_path / "live" / "j.db"
    path.parent.mkdir()
    router = _busy_router(path, clock, durability=durability)
    writer = router.journal
    assert writer is not None
    assert writer.wait_durable(timeout=10)
    assert _traces(_raw(path.parent)) == SECRETS  # the control: everything is there before

    redacted = router.forget("c1")
    assert redacted  # some of Erika's work is still live
    clock.advance(10)
    router.submit(om.Interaction(id="after", channel="email", customer_id="c2"))
    assert writer.wait_durable(timeout=10)
    raw = _raw(path.parent)
    assert _traces(raw) == []
    assert OTHER.lower().encode() in raw  # the other customer's data is untouched
    assert {p.name for p in path.parent.iterdir()} >= {"j.db", "j.db-wal", "j.db-shm"}

    # A crash now (the files copied while the writer holds them) recovers exactly.
    state = router.snapshot()
    assert not _traces(json.dumps(state).lower().encode())
    crash = tmp_path / "crash"
    shutil.copytree(path.parent, crash)
    writer.close()
    recovered = om.Router.recover(om.SQLiteJournal(crash / "j.db"), clock=clock)
    assert recovered.snapshot() == state
    for n in range(6):
        assert recovered.state_of(f"g{n}") is router.state_of(f"g{n}")
    assert recovered.journal is not None
    recovered.journal.close()
    assert _traces(_raw(crash)) == []
    om.SQLiteJournal(crash / "j.db").verify()


def test_reports_still_count_the_forgotten_customers_work(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "j.db"
    router = _busy_router(path, clock)
    before = om.ops.journal_report(om.SQLiteJournal(path), interval="day", by=["channel"])
    router.forget("c1")
    assert router.journal is not None
    router.journal.close()
    after = om.ops.journal_report(om.SQLiteJournal(path), interval="day", by=["channel"])
    assert [(r.group, r.offered, r.handled) for r in after.rows] == [
        (r.group, r.offered, r.handled) for r in before.rows
    ]


def test_the_live_router_keeps_only_non_personal_facts(tmp_path: Path) -> None:
    clock = Clock()
    router = _busy_router(tmp_path / "j.db", clock)
    live = router.forget("c1")
    for interaction_id in live:
        assert router.state_of(interaction_id) in (
            om.InteractionState.ASSIGNED,
            om.InteractionState.QUEUED,
        )
    assert not _traces(json.dumps(router.snapshot()).lower().encode())
    assert router.forget("nobody") == []
    with pytest.raises(om.ValidationError, match="customer_id"):
        router.forget("")
    assert router.journal is not None
    router.journal.close()


def test_a_router_without_journal_forgets_too() -> None:
    clock = Clock()
    router = staffed(clock)
    router.submit(
        om.Interaction(id="x", channel="email", customer_id="c1", preview="Erika Mustermann"),
        customer=_erika(),
    )
    assert router.forget("c1") == ["x"]
    assert not _traces(json.dumps(router.snapshot()).lower().encode())


def test_an_interrupted_erasure_is_repeated_by_recovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    path = tmp_path / "j.db"
    router = _busy_router(path, clock)

    def disk_full(self: om.SQLiteJournal, customer_id: str, snapshot: Any) -> list[str]:
        raise om.JournalError("disk full")

    monkeypatch.setattr(om.SQLiteJournal, "erase", disk_full)
    with pytest.raises(om.JournalError, match="recovering the router repeats it"):
        router.forget("c1")
    monkeypatch.undo()
    state = router.snapshot()
    assert router.journal is not None
    router.journal.close()
    assert _traces(_raw(tmp_path))  # the erasure did not happen yet
    recovered = om.Router.recover(om.SQLiteJournal(path), clock=clock)
    assert recovered.snapshot() == state
    assert _traces(_raw(tmp_path)) == []
    assert recovered.journal is not None
    recovered.journal.close()


def test_events_carry_transcripts_only_for_subscribers_that_ask() -> None:
    clock = Clock()
    router = staffed(clock)
    plain: list[om.Event] = []
    personal: list[om.Event] = []
    router.subscribe(plain.append)
    router.subscribe(personal.append, personal_data=True)
    router.submit(
        om.Interaction(
            id="bot-1",
            channel="chat",
            handover=om.BotHandover(
                bot="faq-bot", transcript=["my card was charged twice"], extracted={"iban": "DE"}
            ),
        )
    )
    assert [e.detail["handover"] for e in plain if "handover" in e.detail] == [
        {"bot": "faq-bot"},
        {"bot": "faq-bot"},
    ]
    full = [e.detail["handover"] for e in personal if "handover" in e.detail]
    assert full[0]["transcript"] == ["my card was charged twice"]
    assert full[0]["extracted"] == {"iban": "DE"}


@pytest.mark.parametrize("seed", [0, 1])
def test_forgetting_several_customers_of_a_busy_journal_leaves_no_trace(
    tmp_path: Path, seed: int
) -> None:
    """Long texts (overflow pages), many snapshots, both durability modes: the freed
    and rewritten pages hold no copy of a forgotten customer's text."""
    rng = random.Random(seed)
    clock = Clock()
    path = tmp_path / "j.db"
    journal = om.SQLiteJournal(
        path, snapshot_every=rng.choice([5, 50]), durability=rng.choice(["command", "group"])
    )
    router = om.Router(clock=clock, journal=journal)
    router.add_agent(om.Agent(id="a", capacity={"email": 3, "chat": 2}))
    router.set_presence("a", "available")
    tags = {c: f"ZQX{c:03d}SECRET" for c in range(20)}
    for n in range(150):
        clock.advance(1)
        c = rng.randrange(20)
        router.submit(
            om.Interaction(
                id=f"i{n}",
                channel=rng.choice(["email", "chat"]),
                customer_id=f"c{c}",
                preview=(tags[c] + " ") * rng.randrange(1, 300),
                handover=om.BotHandover(bot="b", transcript=[tags[c]] * rng.randrange(0, 4)),
            ),
            customer=om.Contact(id=f"c{c}", family_name=tags[c]),
        )
        held = router.agent_status("a").work
        if n % 3 == 0 and held:
            router.complete(held[0])
    gone = rng.sample(sorted(tags), 4)
    for c in gone:
        router.forget(f"c{c}")
    raw = _raw(tmp_path)
    assert [c for c in gone if tags[c].lower().encode() in raw] == []
    assert any(tags[c].lower().encode() in raw for c in tags if c not in gone)  # control
    assert router.journal is not None
    router.journal.close()
