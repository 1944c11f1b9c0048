"""The router's commands: one table that ``Router.execute``, the journal and recovery read.

Every state-changing call a command listener hears about is a row here: its name, the
names of the JSON arguments the listener is given (what ``execute`` needs to repeat
the call) and whether it can be replayed from those arguments at all (a call that
takes a Python callable cannot: the journal stores a snapshot after it instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

__all__ = ["COMMANDS", "NOT_REPLAYABLE", "CommandSpec"]


@attrs.frozen(slots=True)
class CommandSpec:
    """One command: its name, its arguments' names and whether it replays."""

    name: str
    arguments: tuple[str, ...]
    replayable: bool = True


def _table(*specs: CommandSpec) -> Mapping[str, CommandSpec]:
    return {spec.name: spec for spec in specs}


#: Every command, by name.
COMMANDS: Final[Mapping[str, CommandSpec]] = _table(
    CommandSpec("tick", ("now",)),
    CommandSpec("add_agent", ("agent",)),
    CommandSpec("remove_agent", ("agent_id",)),
    CommandSpec("set_presence", ("agent_id", "presence")),
    CommandSpec("submit", ("interaction", "customer")),
    CommandSpec("accept", ("interaction_id",)),
    CommandSpec("decline", ("interaction_id",)),
    CommandSpec("complete", ("interaction_id", "wrap_up")),
    CommandSpec("pause", ("interaction_id",)),
    CommandSpec("resume", ("interaction_id",)),
    CommandSpec("abandon", ("interaction_id",)),
    CommandSpec("cancel", ("interaction_id",)),
    CommandSpec("transfer", ("interaction_id", "queue", "agent")),
    CommandSpec("pull", ("agent_id", "interaction_id")),
    CommandSpec("set_priority", ("interaction_id", "priority")),
    CommandSpec("split", ("interaction_id", "parts")),
    CommandSpec("consult", ("interaction_id", "parts")),
    CommandSpec("set_priority_strategy", ("strategy",), replayable=False),
)

#: Commands whose arguments cannot be replayed (they name a Python callable).
NOT_REPLAYABLE: Final = frozenset(name for name, spec in COMMANDS.items() if not spec.replayable)
