"""The identity graph: which records, interactions and anonymous identities are one person.

Records and interactions are linked through the identities they carry:
normalised e-mail addresses, E.164 phone numbers, social handles (platform and
handle), customer numbers and chat/web session ids. The graph is a union-find over
those nodes that keeps the evidence of every link, so each merge can say which
identity joined which records.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, insort
from collections.abc import Hashable, Iterable, Iterator
from typing import Generic, TypeVar

import attrs

from omnirouter.errors import OmnirouterError
from omnirouter.history.normalize import normalize_email, normalize_phone
from omnirouter.model.contact import Contact
from omnirouter.model.interaction import Interaction

__all__ = [
    "ALL_IDENTITY_KINDS",
    "IdentityGraph",
    "IdentityKey",
    "IdentityKind",
    "IdentityLink",
    "KeyMemo",
    "contact_keys",
    "hint_keys",
    "interaction_keys",
]

NodeT = TypeVar("NodeT", bound=Hashable)


class IdentityKind(enum.StrEnum):
    """What kind of identity a key is."""

    EMAIL = "email"
    PHONE = "phone"
    HANDLE = "handle"
    CUSTOMER_NUMBER = "customer_number"
    SESSION = "session"


#: Every identity kind; the default of ``link_on`` arguments.
ALL_IDENTITY_KINDS = frozenset(IdentityKind)


@attrs.frozen(order=True, cache_hash=True)
class IdentityKey:
    """One normalised identity, e.g. ``email:anna@example.org`` or ``handle:x:hasei4711``."""

    kind: IdentityKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"

    @classmethod
    def email(cls, address: str) -> IdentityKey | None:
        """The key of an e-mail address, or ``None`` when it is not an address."""
        try:
            return cls(IdentityKind.EMAIL, normalize_email(address))
        except OmnirouterError:
            return None

    @classmethod
    def phone(cls, number: str, default_region: str = "DE") -> IdentityKey | None:
        """The key of a phone number in E.164, or ``None`` when it cannot be parsed."""
        e164 = normalize_phone(number, default_region)
        return cls(IdentityKind.PHONE, e164) if e164 else None

    @classmethod
    def handle(cls, platform: str, handle: str) -> IdentityKey | None:
        """The key of a social handle: platform and handle, case-folded, without ``@``."""
        name = handle.strip().lstrip("@").casefold()
        where = platform.strip().casefold()
        return cls(IdentityKind.HANDLE, f"{where}:{name}") if name and where else None

    @classmethod
    def customer_number(cls, number: str) -> IdentityKey | None:
        """The key of a customer number (trimmed, case-folded)."""
        text = number.strip().casefold()
        return cls(IdentityKind.CUSTOMER_NUMBER, text) if text else None

    @classmethod
    def session(cls, session_id: str) -> IdentityKey | None:
        """The key of a chat or web session id (trimmed; session ids are case-sensitive)."""
        text = session_id.strip()
        return cls(IdentityKind.SESSION, text) if text else None


def _keep(keys: Iterable[IdentityKey | None], kinds: frozenset[IdentityKind]) -> list[IdentityKey]:
    unique: dict[IdentityKey, None] = {}
    for key in keys:
        if key is not None and key.kind in kinds:
            unique[key] = None
    return list(unique)


class KeyMemo:
    """Remembers the keys of e-mail addresses and phone numbers already normalised.

    Parsing a phone number is the costly step of linking; one memo serves one batch
    (one ``merge`` call) and is dropped with it, so it never outlives the data.
    """

    def __init__(self, default_region: str = "DE") -> None:
        self.default_region = default_region
        self._emails: dict[str, IdentityKey | None] = {}
        self._phones: dict[str, IdentityKey | None] = {}

    def email(self, address: str) -> IdentityKey | None:
        """Like :meth:`IdentityKey.email`, computed once per distinct text."""
        if address not in self._emails:
            self._emails[address] = IdentityKey.email(address)
        return self._emails[address]

    def phone(self, number: str) -> IdentityKey | None:
        """Like :meth:`IdentityKey.phone` in the memo's region, once per distinct text."""
        if number not in self._phones:
            self._phones[number] = IdentityKey.phone(number, self.default_region)
        return self._phones[number]


def contact_keys(
    contact: Contact,
    *,
    default_region: str = "DE",
    kinds: Iterable[IdentityKind | str] = ALL_IDENTITY_KINDS,
    memo: KeyMemo | None = None,
) -> list[IdentityKey]:
    """The identity keys of a contact, without repeats; unparseable values give no key.

    With a ``memo`` its region applies instead of ``default_region``.
    """
    wanted = frozenset(IdentityKind(kind) for kind in kinds)
    memo = memo or KeyMemo(default_region)
    ids = contact.identities
    keys: list[IdentityKey | None] = []
    keys += (memo.email(address) for address in ids.emails)
    keys += (memo.phone(number) for number in ids.phones)
    keys += (IdentityKey.handle(h.platform, h.handle) for h in ids.handles)
    keys += (IdentityKey.customer_number(number) for number in ids.customer_numbers)
    keys += (IdentityKey.session(session) for session in ids.session_ids)
    return _keep(keys, wanted)


def hint_keys(interaction: Interaction, *, default_region: str = "DE") -> dict[str, IdentityKey]:
    """Each identity hint of ``interaction`` (``email``, ``phone``, ``handle``,
    ``session_id``) that gives a key, by hint field.

    A handle's platform is the interaction's ``attributes["platform"]`` when given,
    else its channel name.
    """
    hints = interaction.identity
    platform = interaction.attributes.get("platform")
    keys: dict[str, IdentityKey | None] = {}
    if hints.email:
        keys["email"] = IdentityKey.email(hints.email)
    if hints.phone:
        keys["phone"] = IdentityKey.phone(hints.phone, default_region)
    if hints.handle:
        where = platform if isinstance(platform, str) else interaction.channel
        keys["handle"] = IdentityKey.handle(where, hints.handle)
    if hints.session_id:
        keys["session_id"] = IdentityKey.session(hints.session_id)
    return {field: key for field, key in keys.items() if key is not None}


def interaction_keys(
    interaction: Interaction,
    *,
    default_region: str = "DE",
    kinds: Iterable[IdentityKind | str] = ALL_IDENTITY_KINDS,
) -> list[IdentityKey]:
    """The identity keys an interaction's hints carry (see :func:`hint_keys`)."""
    wanted = frozenset(IdentityKind(kind) for kind in kinds)
    return _keep(hint_keys(interaction, default_region=default_region).values(), wanted)


@attrs.frozen
class IdentityLink(Generic[NodeT]):
    """Evidence that joined nodes: a shared identity key, or an explicit link with a reason.

    ``kind`` is an :class:`IdentityKind` value (``"email"``, ``"phone"`` …) or the
    kind of an explicit link (``"duplicate"``); ``value`` is the key or the reason.
    """

    kind: str
    value: str
    nodes: tuple[NodeT, ...]

    def __str__(self) -> str:
        joined = ", ".join(str(node) for node in self.nodes)
        return f"{self.kind} {self.value} links {joined}"


class _Component(Generic[NodeT]):
    """What one component holds, kept at its root only: record nodes, keys, explicit
    links, and the sorted stamps (times) noted on its nodes."""

    __slots__ = ("anchors", "keys", "links", "members", "revision", "stamps")

    def __init__(self, members: list[NodeT], keys: list[IdentityKey], revision: int) -> None:
        self.members = members
        self.keys = keys
        self.links: list[IdentityLink[NodeT]] = []
        self.stamps: list[float] | None = None  # most components never get one
        self.revision = revision
        self.anchors = 0

    def __len__(self) -> int:
        return len(self.members) + len(self.keys)

    def absorb(self, other: _Component[NodeT]) -> None:
        """Take over everything of ``other`` (a component joining this one)."""
        self.members += other.members
        self.keys += other.keys
        self.links += other.links
        self.anchors += other.anchors
        if other.stamps:
            if self.stamps:
                # Two sorted runs: the sort merges them in linear time.
                self.stamps += other.stamps
                self.stamps.sort()
            else:
                self.stamps = other.stamps


class IdentityGraph(Generic[NodeT]):
    """A union-find over record nodes and identity keys that remembers why nodes joined.

    Nodes are whatever hashable ids the caller uses (record ids, ``("interaction",
    id)`` tuples …). A node joins the component of every identity key it carries. Keys
    carried only by interactions (a social handle no customer is known for yet) form an
    *anonymous identity* that joins a record's component once a record with that key
    arrives. Adding a node costs amortised O(log n): components are joined smaller
    into larger, and each component's members, keys and links live at its root only.
    """

    def __init__(self) -> None:
        self._parent: dict[NodeT | IdentityKey, NodeT | IdentityKey] = {}
        # Per component root, so questions about one component never scan the graph.
        self._components: dict[NodeT | IdentityKey, _Component[NodeT]] = {}
        self._holders: dict[IdentityKey, list[NodeT]] = {}
        self._node_count = 0
        self._revisions = 0
        self._anchored: set[NodeT] = set()

    def _touch(self, component: _Component[NodeT]) -> None:
        self._revisions += 1
        component.revision = self._revisions

    def __contains__(self, node: object) -> bool:
        return node in self._parent and not isinstance(node, IdentityKey)

    def __len__(self) -> int:
        """The number of record nodes."""
        return self._node_count

    def _root(self, item: NodeT | IdentityKey) -> NodeT | IdentityKey:
        parent = self._parent
        root = item
        while (up := parent[root]) != root:
            root = up
        while (up := parent[item]) != root:  # path compression keeps later finds flat
            parent[item] = root
            item = up
        return root

    def _union(self, root_a: NodeT | IdentityKey, root_b: NodeT | IdentityKey) -> bool:
        if root_a == root_b:
            return False
        big, small = self._components[root_a], self._components[root_b]
        if len(big) < len(small):
            root_a, root_b, big, small = root_b, root_a, small, big
        self._parent[root_b] = root_a
        del self._components[root_b]
        big.absorb(small)
        self._touch(big)
        return True

    def _ensure_node(self, node: NodeT) -> bool:
        if node in self._parent:
            return False
        self._parent[node] = node
        self._revisions += 1
        self._components[node] = _Component([node], [], self._revisions)
        self._node_count += 1
        return True

    def add(self, node: NodeT, keys: Iterable[IdentityKey] = ()) -> bool:
        """Add ``node`` (if new) and join it with each of its identity ``keys``.

        True when this joined components that were apart (not when keys were new).
        """
        new = self._ensure_node(node)
        joined = False
        all_holders = self._holders
        for key in keys:
            holders = all_holders.get(key)
            if holders is None:
                # A key seen for the first time simply joins the node's component.
                all_holders[key] = [node]
                root = self._root(node)
                self._parent[key] = root
                component = self._components[root]
                component.keys.append(key)
                self._touch(component)
                continue
            if new or node not in holders:  # a new node cannot hold the key yet
                holders.append(node)
                self._touch(self._components[self._root(key)])
            joined = self._union(self._root(node), self._root(key)) or joined
        return joined

    def link(self, a: NodeT, b: NodeT, *, kind: str, reason: str) -> bool:
        """Join two nodes on explicit evidence (e.g. a duplicate finder's cluster).

        True when they were in different components.
        """
        self._ensure_node(a)
        self._ensure_node(b)
        joined = self._union(self._root(a), self._root(b))
        component = self._components[self._root(a)]
        component.links.append(IdentityLink(kind, reason, (a, b)))
        self._touch(component)
        return joined

    def stamp(self, node: NodeT, value: float) -> None:
        """Note a number (a time in epoch seconds, say) on ``node``'s component.

        Stamps follow components as they join, so :meth:`count_from` answers for a
        whole person in O(log n).
        """
        self._ensure_node(node)
        component = self._components[self._root(node)]
        if component.stamps is None:
            component.stamps = [value]
        else:
            insort(component.stamps, value)
        self._touch(component)

    def anchor(self, node: NodeT) -> None:
        """Mark ``node`` (adding it if new) as one that stands for a person, such as a
        contact record, so :meth:`anchored` can tell people from anonymous evidence."""
        self._ensure_node(node)
        if node not in self._anchored:
            self._anchored.add(node)
            self._components[self._root(node)].anchors += 1

    def anchored(self, node: NodeT | IdentityKey) -> bool:
        """Whether ``node``'s component holds an anchored node."""
        return self._components[self._root(node)].anchors > 0

    def links_of(self, node: NodeT | IdentityKey) -> list[IdentityLink[NodeT]]:
        """The explicit links inside ``node``'s component."""
        return list(self._components[self._root(node)].links)

    def revision(self, node: NodeT | IdentityKey) -> int:
        """A number that changes whenever ``node``'s component changes (a node, key, link
        or stamp added, another component joined), so answers about a component can be
        cached until it changes. Unique within this graph."""
        return self._components[self._root(node)].revision

    def count_from(self, node: NodeT, value: float) -> int:
        """How many stamps of ``node``'s component are ``value`` or more; 0 for unknown nodes."""
        if node not in self._parent:
            return 0
        stamps = self._components[self._root(node)].stamps
        return len(stamps) - bisect_left(stamps, value) if stamps else 0

    def same(self, a: NodeT | IdentityKey, b: NodeT | IdentityKey) -> bool:
        """Whether two known nodes (or identity keys) belong to one component."""
        if a not in self._parent or b not in self._parent:
            return False
        return self._root(a) == self._root(b)

    def component(self, node: NodeT | IdentityKey) -> list[NodeT]:
        """Every record node linked with ``node`` (itself included), in order of joining."""
        if node not in self._parent:
            raise KeyError(node)
        return list(self._components[self._root(node)].members)

    def components(self) -> Iterator[list[NodeT]]:
        """Each component's record nodes; components of keys alone are skipped."""
        for component in self._components.values():
            if component.members:
                yield list(component.members)

    def keys_of(self, node: NodeT | IdentityKey) -> list[IdentityKey]:
        """Every identity key in ``node``'s component."""
        return list(self._components[self._root(node)].keys)

    def all_keys(self) -> list[IdentityKey]:
        """Every identity key in the graph, in order of arrival."""
        return list(self._holders)

    def has_key(self, key: IdentityKey) -> bool:
        """Whether some node carries ``key``."""
        return key in self._holders

    def holders(self, key: IdentityKey) -> list[NodeT]:
        """The nodes that carry ``key`` themselves (not merely linked to it)."""
        return list(self._holders.get(key, ()))

    def explain(self, node: NodeT) -> list[IdentityLink[NodeT]]:
        """The evidence inside ``node``'s component: each key carried by two or more
        nodes, and each explicit link."""
        component = self._components[self._root(node)]
        holders = self._holders
        links: list[IdentityLink[NodeT]] = [
            IdentityLink(key.kind.value, key.value, tuple(holders[key]))
            for key in component.keys
            if len(holders[key]) > 1
        ]
        return links + component.links
