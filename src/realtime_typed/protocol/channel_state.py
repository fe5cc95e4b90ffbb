"""The channel state machine, as one table.

States follow Phoenix: ``closed`` (initial), ``joining``, ``joined``, ``errored``, ``leaving``.
:data:`TRANSITIONS` maps each state to the triggers it accepts and the state they lead to; any
other pair is a bug in the caller and raises :class:`IllegalTransition`. Guards (for example
"ignore a join reply unless joining") live with the caller, the table only says what is legal.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from realtime_typed.errors import ProtocolError

__all__ = ["TRANSITIONS", "ChannelState", "IllegalTransition", "Trigger", "next_state"]


class ChannelState(StrEnum):
    """Where a channel is in its lifecycle."""

    CLOSED = "closed"
    JOINING = "joining"
    JOINED = "joined"
    ERRORED = "errored"
    LEAVING = "leaving"


class Trigger(StrEnum):
    """What happened to a channel."""

    JOIN = "join"
    JOIN_OK = "join_ok"
    JOIN_ERROR = "join_error"
    JOIN_TIMEOUT = "join_timeout"
    ERROR = "error"
    LEAVE = "leave"
    CLOSE = "close"


class IllegalTransition(ProtocolError):
    """A trigger the current state does not accept: a local bug, not a server fault."""

    def __init__(self, state: ChannelState, trigger: Trigger) -> None:
        super().__init__(f"channel cannot take {trigger.value!r} while {state.value}")
        self.state = state
        self.trigger = trigger


_S = ChannelState
_T = Trigger

TRANSITIONS: Final[dict[ChannelState, dict[Trigger, ChannelState]]] = {
    _S.CLOSED: {_T.JOIN: _S.JOINING, _T.CLOSE: _S.CLOSED},
    _S.JOINING: {
        _T.JOIN: _S.JOINING,
        _T.JOIN_OK: _S.JOINED,
        _T.JOIN_ERROR: _S.ERRORED,
        _T.JOIN_TIMEOUT: _S.ERRORED,
        _T.ERROR: _S.ERRORED,
        _T.LEAVE: _S.LEAVING,
        _T.CLOSE: _S.CLOSED,
    },
    _S.JOINED: {_T.ERROR: _S.ERRORED, _T.LEAVE: _S.LEAVING, _T.CLOSE: _S.CLOSED},
    _S.ERRORED: {
        _T.JOIN: _S.JOINING,
        _T.ERROR: _S.ERRORED,
        _T.LEAVE: _S.LEAVING,
        _T.CLOSE: _S.CLOSED,
    },
    _S.LEAVING: {_T.LEAVE: _S.LEAVING, _T.CLOSE: _S.CLOSED},
}


def next_state(state: ChannelState, trigger: Trigger) -> ChannelState:
    """The state ``trigger`` leads to from ``state``; raises :class:`IllegalTransition`."""
    try:
        return TRANSITIONS[state][trigger]
    except KeyError:
        raise IllegalTransition(state, trigger) from None
