"""Negative-post alerts: a rule on public channels that raises an alert event.

A post or review submitted on a public channel (``ChannelTraits.public``: social posts,
reviews) whose subject or text the classifier labels negative raises an
:class:`~omnirouter.Event` of kind ``negative_post``, delivered to the callback once the
submit's own events have been delivered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.priority.classifiers import KeywordClassifier
from omnirouter.routing.events import Event

if TYPE_CHECKING:
    from omnirouter.routing.router import Router

__all__ = ["ALERT_KIND", "NegativePostRule", "TextClassifier", "watch_negative_posts"]

#: The kind of the alert events.
ALERT_KIND: Final = "negative_post"
_EXCERPT: Final = 200


class TextClassifier(Protocol):
    """Anything that labels a text (``om.KeywordClassifier`` or a model of your own)."""

    def classify(self, text: str, language: str | None) -> str | None:
        """The label of ``text`` (``negative`` raises the alert), or None."""
        ...


def _channels(values: Iterable[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


@attrs.frozen
class NegativePostRule:
    """Which submits raise an alert: the ``channels`` watched (default: every public
    channel of the router) and the ``classifier`` (default: the built-in negative
    keywords); an alert is raised when the label is in ``labels``."""

    classifier: TextClassifier = attrs.field(factory=KeywordClassifier.negative_sentiment)
    channels: frozenset[str] | None = attrs.field(default=None, converter=_channels)
    labels: frozenset[str] = attrs.field(default=frozenset({"negative"}), converter=frozenset)

    def check(self, interaction: Mapping[str, Any], public: bool) -> Mapping[str, Any] | None:
        """The alert's detail when the submitted ``interaction`` (JSON form) is a
        negative public post, else None."""
        channel = interaction.get("channel")
        if self.channels is not None:
            if channel not in self.channels:
                return None
        elif not public:
            return None
        text = " ".join(
            str(interaction[field]) for field in ("subject", "preview") if interaction.get(field)
        )
        label = self.classifier.classify(text, interaction.get("language"))
        if label not in self.labels:
            return None
        return {
            "label": label,
            "customer_id": interaction.get("customer_id"),
            "excerpt": text[:_EXCERPT],
        }


def watch_negative_posts(
    router: Router,
    callback: Callable[[Event], object],
    rule: NegativePostRule | None = None,
) -> Callable[[], None]:
    """Call ``callback(alert)`` for every negative post submitted on a watched channel.

    The alert is an ``om.Event`` of kind ``negative_post`` with the interaction's id
    and channel; ``detail`` holds the label, the customer id and an excerpt. Returns
    the function that stops watching.
    """
    if not callable(callback):
        raise ValidationError(
            "watch_negative_posts", [ErrorDetail(["callback"], f"{callback!r} is not callable")]
        )
    rule = rule if rule is not None else NegativePostRule()
    pending: list[Event] = []
    registry = router.channels

    def on_command(name: str, arguments: dict[str, Any], at: float) -> None:
        if name != "submit":
            return
        interaction = arguments["interaction"]
        channel = interaction.get("channel", "")
        public = channel in registry and registry.get(channel).public
        detail = rule.check(interaction, public)
        if detail is not None:
            pending.append(
                Event(ALERT_KIND, at, interaction.get("id"), None, None, channel, detail)
            )

    def on_commit() -> None:
        while pending:
            callback(pending.pop(0))

    remove_listener = router.add_command_listener(on_command)
    remove_hook = router.add_commit_hook(on_commit)

    def stop() -> None:
        remove_listener()
        remove_hook()

    return stop
