"""Channels are data: a name plus traits, kept in a :class:`ChannelRegistry`.

Adding a channel is a registry entry, never a code path: the router reads only the
traits (synchronous, public, interruptible, service level, length limit).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from typing import Annotated, Any, Final, TypeVar

import pydantic
from pydantic import Field

from omnirouter.errors import ErrorDetail, UnknownChannelError, ValidationError
from omnirouter.model._base import BoundaryModel
from omnirouter.model._limits import FieldLimits

__all__ = [
    "BUILTIN_CHANNELS",
    "DEFAULT_TARGETS",
    "ChannelName",
    "ChannelRegistry",
    "ChannelTraits",
    "check_channel_name",
]

CHANNEL_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"

#: A channel name: lowercase letters, digits and underscores, starting with a letter.
ChannelName = Annotated[
    str, Field(pattern=CHANNEL_NAME_PATTERN, min_length=1, max_length=64, examples=["email"])
]

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


#: The service-level target a channel gets from its traits when none is given: an answer
#: now for live channels (80/20, as phone), within the hour where the world watches
#: (social media), within a day for the rest (e-mail).
DEFAULT_TARGETS: Final = {
    "synchronous": timedelta(seconds=20),
    "public": timedelta(hours=1),
    "asynchronous": timedelta(hours=24),
}


def _target_from_traits(data: dict[str, Any]) -> timedelta:
    if data.get("synchronous"):
        return DEFAULT_TARGETS["synchronous"]
    if data.get("public"):
        return DEFAULT_TARGETS["public"]
    return DEFAULT_TARGETS["asynchronous"]


class ChannelTraits(BoundaryModel):
    """What routing needs to know about a channel.

    A new channel needs only a name and its traits: ``ChannelTraits(name="pager",
    synchronous=False)`` gets a service-level target from them (see
    :data:`DEFAULT_TARGETS`).

    ``service_level_target`` and ``service_level_goal`` form the channel's default
    service level: ``goal`` of the work answered within ``target`` (e.g. 80 % in 20 s).
    ``family`` groups related channels (whatsapp belongs to ``messenger``): an agent's
    capacity or skill given for the family applies to each member.
    """

    model_config = pydantic.ConfigDict(frozen=True)

    name: ChannelName
    label: str = ""
    synchronous: bool = Field(
        description="The customer waits live (phone, chat, video): answer now, cannot be planned."
    )
    public: bool = Field(
        default=False, description="The world watches the conversation (social posts, reviews)."
    )
    interruptible: bool = Field(
        default=False,
        description="Work on this channel may be paused when synchronous load rises (e-mail).",
    )
    service_level_target: timedelta = Field(
        default_factory=_target_from_traits,
        gt=timedelta(0),
        description="Default answer-time target; JSON: seconds. Without one: 20 s for a "
        "synchronous channel, 1 h for a public one, else 24 h.",
    )
    service_level_goal: float = Field(
        default=0.8, gt=0.0, le=1.0, description="Share of work to answer within the target."
    )
    max_length: int | None = Field(default=None, gt=0, description="Longest message, if limited.")
    family: ChannelName | None = None

    @pydantic.model_validator(mode="after")
    def _default_label(self) -> ChannelTraits:
        if not self.label:
            object.__setattr__(self, "label", " ".join(self.name.replace("_", " ").split()).title())
        return self


def _builtin(
    name: str,
    *,
    synchronous: bool,
    target: timedelta,
    goal: float = 0.8,
    public: bool = False,
    interruptible: bool = False,
    max_length: int | None = None,
    family: str | None = None,
    label: str = "",
) -> ChannelTraits:
    return ChannelTraits(
        name=name,
        label=label,
        synchronous=synchronous,
        public=public,
        interruptible=interruptible,
        service_level_target=target,
        service_level_goal=goal,
        max_length=max_length,
        family=family,
    )


_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)

#: The channels every registry starts with. Their default service levels follow published
#: customer surveys: e-mail 80 % within 24 h, social media 45 % within 60 min, messenger 64 %
#: within one hour, reviews 93 % answered (within two days here); voice 80/20.
BUILTIN_CHANNELS: tuple[ChannelTraits, ...] = (
    _builtin("voice", synchronous=True, target=timedelta(seconds=20), label="Phone"),
    _builtin("callback", synchronous=True, target=15 * _MINUTE, label="Phone callback"),
    _builtin("video", synchronous=True, target=timedelta(seconds=30), label="Video advice"),
    _builtin("chat", synchronous=True, target=timedelta(seconds=30), label="Web chat"),
    _builtin("messenger", synchronous=False, target=_HOUR, goal=0.64),
    _builtin(
        "whatsapp", synchronous=False, target=_HOUR, goal=0.64, family="messenger", label="WhatsApp"
    ),
    _builtin("facebook_messenger", synchronous=False, target=_HOUR, goal=0.64, family="messenger"),
    _builtin("telegram", synchronous=False, target=_HOUR, goal=0.64, family="messenger"),
    _builtin("apple_business_chat", synchronous=False, target=_HOUR, goal=0.64, family="messenger"),
    _builtin("rcs", synchronous=False, target=_HOUR, goal=0.64, family="messenger", label="RCS"),
    _builtin("sms", synchronous=False, target=_HOUR, max_length=160, label="SMS"),
    _builtin("email", synchronous=False, interruptible=True, target=24 * _HOUR, label="E-mail"),
    _builtin("web_form", synchronous=False, interruptible=True, target=24 * _HOUR),
    _builtin("letter", synchronous=False, interruptible=True, target=5 * 24 * _HOUR),
    _builtin("fax", synchronous=False, interruptible=True, target=24 * _HOUR),
    _builtin("social_public", synchronous=False, public=True, target=_HOUR, goal=0.45),
    _builtin("social_private", synchronous=False, target=_HOUR, goal=0.45),
    _builtin("review", synchronous=False, public=True, target=48 * _HOUR, goal=0.93),
    _builtin("business_event", synchronous=False, interruptible=True, target=24 * _HOUR),
)

_BUILTIN_NAMES = frozenset(traits.name for traits in BUILTIN_CHANNELS)


class ChannelRegistry:
    """The channels one router (or one validation) knows, by name.

    A new registry holds the built-in channels; pass ``include_builtin=False`` for an
    empty one. Register more at run time with :meth:`register`.

    >>> registry = ChannelRegistry()
    >>> registry["email"].synchronous
    False
    """

    def __init__(
        self,
        channels: Iterable[ChannelTraits] = (),
        *,
        include_builtin: bool = True,
        limits: FieldLimits | None = None,
    ) -> None:
        if limits is not None and not isinstance(limits, FieldLimits):
            raise ValidationError(
                "ChannelRegistry", [_detail("limits", "must be an om.FieldLimits")]
            )
        #: The free-form field limits :meth:`validate` applies (None: the defaults).
        self.limits = limits
        self._channels: dict[str, ChannelTraits] = {}
        if include_builtin:
            for traits in BUILTIN_CHANNELS:
                self._channels[traits.name] = traits
        for traits in channels:
            self.register(traits, replace=True)

    def register(self, traits: ChannelTraits, *, replace: bool = False) -> ChannelTraits:
        """Add a channel; it is usable at once. Re-registering a name needs ``replace=True``."""
        if not isinstance(traits, ChannelTraits):
            raise TypeError(f"register() takes ChannelTraits, not {type(traits).__name__}")
        if traits.name in self._channels and not replace:
            raise ValidationError(
                "ChannelTraits",
                [_detail("name", f"channel {traits.name!r} is already registered")],
            )
        if traits.family is not None and traits.family not in self._channels:
            raise ValidationError(
                "ChannelTraits",
                [_detail("family", f"family {traits.family!r} is not a registered channel")],
            )
        self._channels[traits.name] = traits
        return traits

    def get(self, name: str) -> ChannelTraits:
        """The traits of ``name``; :class:`UnknownChannelError` lists the known names."""
        try:
            return self._channels[name]
        except KeyError:
            raise UnknownChannelError(name, self._channels) from None

    __getitem__ = get

    def __contains__(self, name: object) -> bool:
        return name in self._channels

    def __iter__(self) -> Iterator[ChannelTraits]:
        return iter(self._channels.values())

    def __len__(self) -> int:
        return len(self._channels)

    def names(self) -> list[str]:
        """Every registered channel name, in registration order."""
        return list(self._channels)

    def family_of(self, name: str) -> str:
        """The family a channel belongs to, or the channel itself when it has none."""
        return self.get(name).family or name

    def members(self, family: str) -> list[str]:
        """The channel itself and every channel registered with it as family."""
        self.get(family)
        return [t.name for t in self._channels.values() if t.name == family or t.family == family]

    def validate(
        self, model: type[ModelT], data: Any, *, limits: FieldLimits | None = None
    ) -> ModelT:
        """Validate ``data`` as ``model`` with this registry's channels known, and its
        free-form fields checked against ``limits`` (default: the registry's ``limits``,
        else :data:`~omnirouter.model.DEFAULT_FIELD_LIMITS`).

        >>> from omnirouter import Interaction
        >>> registry = ChannelRegistry()
        >>> _ = registry.register(ChannelTraits(name="pager", synchronous=False,
        ...                                      service_level_target=60))
        >>> registry.validate(Interaction, {"id": "i-1", "channel": "pager"}).channel
        'pager'
        """
        chosen = limits if limits is not None else self.limits
        context: dict[str, Any] = {"channels": self}
        if chosen is not None:
            context["limits"] = chosen
        return model.model_validate(data, context=context)

    def to_json(self) -> list[dict[str, Any]]:
        """Every channel's traits as JSON-ready dicts."""
        return [traits.model_dump(mode="json") for traits in self._channels.values()]

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, Any]]) -> ChannelRegistry:
        """A registry holding exactly the channels in ``data`` (as from :meth:`to_json`)."""
        registry = cls(include_builtin=False)
        for item in data:
            registry.register(ChannelTraits.model_validate(item), replace=True)
        return registry

    def __repr__(self) -> str:
        return f"ChannelRegistry({len(self)} channels)"


def _detail(field: str, message: str) -> ErrorDetail:
    return ErrorDetail([field], message)


def check_channel_name(name: str, info: pydantic.ValidationInfo) -> str:
    """Validate ``name`` against the registry in the validation context.

    Without a ``{"channels": registry}`` context the built-in channels are known.
    """
    registry = info.context.get("channels") if isinstance(info.context, dict) else None
    if isinstance(registry, ChannelRegistry):
        if name not in registry:
            raise ValueError(str(UnknownChannelError(name, registry.names())))
    elif name not in _BUILTIN_NAMES:
        raise ValueError(
            str(UnknownChannelError(name, _BUILTIN_NAMES))
            + " (register custom channels in a ChannelRegistry and validate with it)"
        )
    return name
