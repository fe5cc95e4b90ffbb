"""The Phoenix client protocol, sans I/O: refs, channels, pushes, heartbeats and timers.

:class:`PhoenixProtocol` never reads a clock and never touches a socket. The I/O layer feeds it
decoded frames and socket events with the current time, writes out :meth:`data_to_send`, acts on
:meth:`events_received`, and calls :meth:`handle_timer` at :meth:`next_deadline`. Behaviour
follows the reference client (realtime-js on Phoenix JS):

* one ref counter per socket; a channel's join_ref is the ref of its current ``phx_join``;
  replies are matched by ref; frames carrying a stale join_ref (vsn 2.0.0) are dropped;
* heartbeats every ``heartbeat_interval`` after the last reply; a heartbeat unanswered for
  ``heartbeat_interval`` is a "heartbeat timeout": channels error, the socket must be closed,
  and a reconnect is scheduled;
* any lost connection schedules a reconnect with the ``reconnect_after`` backoff, for ever,
  until :meth:`stop`; on open, every channel not yet joined rejoins at once;
* join errors and timeouts retry with the ``rejoin_after`` backoff while connected; a join
  refused for a rate limit (:data:`RATE_LIMIT_CODES`) is not tried again before
  ``rate_limit_delay`` (30 s, as the official Python client), reconnects included;
* pushes made while a channel cannot send are buffered (at most :data:`MAX_PUSH_BUFFER`, the
  oldest dropped and reported), with their timeouts running, and sent with fresh refs on join;
* every write has a deadline: while the I/O layer reports the socket's send buffer full
  (:meth:`PhoenixProtocol.writes_blocked`), a push without reply waits for it to drain at most
  its timeout (:meth:`PhoenixProtocol.wait_written`), and a buffer that stays full for the
  heartbeat timeout is a dead link ("write stalled"), handled as a heartbeat timeout;
* a reply is matched by ref *and* topic: a reply naming another topic is a protocol anomaly
  (:data:`REPLY_TOPIC_MISMATCH`), dropped, and the push keeps waiting for its own reply.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final, cast

from realtime_typed.errors import AuthError, ChannelError, ConnectionError, JoinError, JoinTimeout
from realtime_typed.protocol.backoff import Backoff, reconnect_after, rejoin_after
from realtime_typed.protocol.channel_state import ChannelState, Trigger, next_state
from realtime_typed.protocol.deadlines import Deadline, DeadlineQueue
from realtime_typed.protocol.events import (
    CloseConnection,
    CoreEvent,
    FrameDropped,
    HeartbeatUpdate,
    LeaveOutcome,
    PushDone,
    ReconnectDue,
    StateChanged,
    SubscribeState,
)
from realtime_typed.protocol.frames import Frame
from realtime_typed.protocol.heartbeat import HeartbeatTracker
from realtime_typed.protocol.postgres_bindings import match_binding_ids
from realtime_typed.protocol.pushes import Push

__all__ = [
    "HEARTBEAT_TOPIC",
    "MAX_PUSH_BUFFER",
    "RATE_LIMIT_CODES",
    "REPLY_TOPIC_MISMATCH",
    "WRITE_STALLED",
    "ChannelMachine",
    "PhoenixProtocol",
]

MAX_PUSH_BUFFER: Final = 100
HEARTBEAT_TOPIC: Final = "phoenix"
BINDING_MISMATCH: Final = "mismatch between server and client bindings for postgres changes"
RATE_LIMIT_CODES: Final = frozenset(
    {
        "ChannelRateLimitReached",
        "ClientJoinRateLimitReached",
        "ConnectionRateLimitReached",
        "DatabaseConnectionRateLimitReached",
    }
)
"""Join refusals of the real server's rate limits: trying again at once only hits them again."""
WRITE_STALLED: Final = "write stalled"
"""Why the core gives up a socket whose send buffer stayed full for the heartbeat timeout."""
REPLY_TOPIC_MISMATCH: Final = "reply for another topic"
"""The :class:`FrameDropped` reason of a reply whose ref is pending on a different topic."""

_AUTH_WORDS: Final = ("token", "jwt", "permission", "unauthorized")
_LIVE: Final = (ChannelState.JOINED, ChannelState.JOINING)


class ChannelMachine:
    """The protocol state of one channel topic.

    ``config`` is the join config (``broadcast``, ``presence``, ``postgres_changes``,
    ``private``); the I/O layer may replace it before a join. After a join reply with
    ``postgres_changes``, ``binding_ids`` holds the server id of each binding, by position.
    """

    __slots__ = (
        "binding_ids",
        "buffer",
        "close_reason",
        "config",
        "extra_payload",
        "join_push",
        "join_ref",
        "join_timeout",
        "joined_once",
        "leave_outcome",
        "leave_push",
        "not_before",
        "rejoin_timer",
        "rejoin_tries",
        "state",
        "topic",
    )

    def __init__(self, topic: str, config: dict[str, Any]) -> None:
        self.topic: str = topic
        self.config: dict[str, Any] = config
        self.extra_payload: dict[str, Any] = {}
        """Keys merged into every join payload; a ``config`` map is merged into the config."""
        self.state: ChannelState = ChannelState.CLOSED
        self.join_ref: str | None = None
        self.joined_once: bool = False
        self.join_push: Push | None = None
        self.join_timeout: float | None = None
        self.leave_push: Push | None = None
        self.leave_outcome: LeaveOutcome | None = None
        """How the last ``phx_leave`` ended: answered ok, with an error, or not in time."""
        self.rejoin_timer: Deadline | None = None
        self.rejoin_tries: int = 0
        self.not_before: float = 0.0
        """No rejoin before this time (a rate-limited join's pause)."""
        self.buffer: list[Push] = []
        """Pushes waiting for the join, oldest first (at most :data:`MAX_PUSH_BUFFER`)."""
        self.binding_ids: list[Any] | None = None
        self.close_reason: str | None = None

    def __repr__(self) -> str:
        return f"ChannelMachine({self.topic!r}, {self.state.value}, join_ref={self.join_ref!r})"


def _fields(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else {}


def _reply_reason(response: object) -> str:
    if isinstance(response, str):
        return response or "error"
    values = _fields(response)
    return ", ".join(str(value) for value in values.values()) if values else "error"


def _error_reason(payload: object) -> str:
    reason = _fields(payload).get("reason")
    return str(reason) if reason else "connection lost"


def _close_error(reason: str | None) -> Exception | None:
    if reason is None:
        return None
    lowered = reason.lower()
    if any(word in lowered for word in _AUTH_WORDS):
        return AuthError(reason)
    return ChannelError(reason)


class PhoenixProtocol:
    """The client side of a Phoenix socket and its channels, driven by the caller's clock."""

    def __init__(
        self,
        *,
        heartbeat_interval: float = 25.0,
        timeout: float = 10.0,
        reconnect_after: Backoff = reconnect_after,
        rejoin_after: Backoff = rejoin_after,
        rate_limit_delay: float = 30.0,
    ) -> None:
        self.timeout = timeout
        self.rate_limit_delay = rate_limit_delay
        self.reconnect_after = reconnect_after
        self.rejoin_after = rejoin_after
        self.connected: bool = False
        self.stopped: bool = False
        self.channels: dict[str, ChannelMachine] = {}
        self.access_token: str | None = None
        self.has_token: bool = False
        self._ref = 0
        self._timers = DeadlineQueue()
        self._heartbeat = HeartbeatTracker(heartbeat_interval)
        self._heartbeat_timer: Deadline | None = None
        self._reconnect_timer: Deadline | None = None
        self._reconnect_tries = 0
        self._stall_timer: Deadline | None = None
        self._awaiting: dict[str, Push] = {}
        self._unwritten: dict[str, Push] = {}
        self._out: list[Frame] = []
        self._events: list[CoreEvent] = []

    # ------------------------------------------------------------------ output

    def data_to_send(self) -> list[Frame]:
        """Frames to write, in order; the list is handed over and the core's is emptied."""
        out = self._out
        if out:
            self._out = []
        return out

    def events_received(self) -> list[CoreEvent]:
        """What happened since the last call, in order."""
        events = self._events
        if events:
            self._events = []
        return events

    @property
    def has_output(self) -> bool:
        """Whether frames or events are waiting."""
        return bool(self._out or self._events)

    def next_deadline(self) -> float | None:
        """When :meth:`handle_timer` must next be called, or ``None``."""
        return self._timers.next_deadline()

    def handle_timer(self, now: float) -> None:
        """Run every timer due at ``now``."""
        self._timers.fire_due(now)

    def make_ref(self) -> str:
        """The next ref of this socket."""
        self._ref += 1
        return str(self._ref)

    # ------------------------------------------------------------------ socket lifecycle

    def start(self) -> None:
        """Allow connections (again) after :meth:`stop`."""
        self.stopped = False

    def connection_made(self, now: float) -> None:
        """The socket is open: start heartbeats and (re)join every channel not joined."""
        self.connected = True
        self._cancel_reconnect()
        self._reconnect_tries = 0
        self._heartbeat.reset()
        self._schedule_heartbeat(now)
        for machine in list(self.channels.values()):
            if machine.state in (ChannelState.ERRORED, ChannelState.JOINING):
                self._cancel_rejoin(machine)
                machine.rejoin_tries = 0
                if machine.state is ChannelState.ERRORED and machine.not_before > now:
                    self._schedule_rejoin(machine, now)
                else:
                    self._rejoin(machine, now)

    def connection_lost(self, now: float, error: Exception) -> None:
        """The socket closed or could not open: error channels, schedule a reconnect.

        A failed attempt to open reports ``error`` again to every channel waiting to join.
        """
        if not self.connected:
            for machine in list(self.channels.values()):
                if machine.state in (ChannelState.JOINING, ChannelState.ERRORED):
                    self._channel_error(machine, now, error)
        else:
            self.connected = False
            self._heartbeat.reset()
            if self._heartbeat_timer is not None:
                self._heartbeat_timer.cancel()
                self._heartbeat_timer = None
            self._out.clear()
            self._writes_lost()
            for machine in list(self.channels.values()):
                if machine.state in _LIVE:
                    self._channel_error(machine, now, error)
                elif machine.state is ChannelState.LEAVING:
                    self._close(machine, None)
        self._schedule_reconnect(now)

    def stop(self) -> None:
        """Close for good: no reconnect; every channel closes and every push fails."""
        self.stopped = True
        self.connected = False
        self._heartbeat.reset()
        for machine in list(self.channels.values()):
            self._close(machine, None)
        for push in self._awaiting.values():
            self._events.append(PushDone(push, "closed"))
        self._awaiting.clear()
        self._writes_lost()
        self._out.clear()
        self._timers.clear()
        self._heartbeat_timer = None
        self._reconnect_timer = None

    def _schedule_reconnect(self, now: float) -> None:
        if self.stopped or self._reconnect_timer is not None:
            return
        delay = self.reconnect_after(self._reconnect_tries + 1)
        self._reconnect_timer = self._timers.add(now + delay, self._reconnect_due)

    def _cancel_reconnect(self) -> None:
        if self._reconnect_timer is not None:
            self._reconnect_timer.cancel()
            self._reconnect_timer = None

    def _reconnect_due(self, now: float) -> None:
        self._reconnect_timer = None
        self._reconnect_tries += 1
        if not self.stopped and not self.connected:
            self._events.append(ReconnectDue(self._reconnect_tries))

    # ------------------------------------------------------------------ heartbeat

    def _schedule_heartbeat(self, now: float) -> None:
        self._heartbeat_timer = self._timers.add(
            now + self._heartbeat.interval, self._heartbeat_due
        )

    def _heartbeat_due(self, now: float) -> None:
        self._heartbeat_timer = None
        if not self.connected:
            return
        if self._heartbeat.pending_ref is not None:
            self._heartbeat_timed_out(now)
            return
        ref = self.make_ref()
        reply_due = self._heartbeat.sent(ref, now)
        self._out.append(Frame(None, ref, HEARTBEAT_TOPIC, "heartbeat", {}))
        self._events.append(HeartbeatUpdate("sent"))
        self._heartbeat_timer = self._timers.add(reply_due, self._heartbeat_due)

    def send_heartbeat(self, now: float) -> None:
        """Send a heartbeat now rather than at its time (a pending one unanswered is a timeout).

        While disconnected nothing is sent and a ``disconnected`` status is reported.
        """
        if not self.connected:
            self._events.append(HeartbeatUpdate("disconnected"))
            return
        if self._heartbeat_timer is not None:
            self._heartbeat_timer.cancel()
        self._heartbeat_due(now)

    def _heartbeat_replied(self, payload: Any, now: float) -> None:
        if self._heartbeat_timer is not None:
            self._heartbeat_timer.cancel()
        latency = self._heartbeat.replied(now)
        ok = _fields(payload).get("status") == "ok"
        self._events.append(HeartbeatUpdate("ok" if ok else "error", latency))
        self._schedule_heartbeat(now)

    def _heartbeat_timed_out(self, now: float) -> None:
        self._heartbeat.reset()
        self._events.append(HeartbeatUpdate("timeout"))
        self._events.append(CloseConnection("heartbeat timeout"))
        self.connection_lost(now, ChannelError("heartbeat timeout"))

    # ------------------------------------------------------------------ writing

    @property
    def writes_are_blocked(self) -> bool:
        """Whether the socket's send buffer was reported full and has not drained since."""
        return self._stall_timer is not None

    def writes_blocked(self, now: float) -> None:
        """The socket's send buffer is full: what is written now waits for the peer to read.

        If it stays full for the heartbeat timeout (``heartbeat_interval``), the link is dead:
        :class:`CloseConnection` ("write stalled") and the channels error as for a heartbeat
        timeout, and a reconnect is scheduled. No-op when already blocked or not connected.
        """
        if self.connected and self._stall_timer is None:
            self._stall_timer = self._timers.add(
                now + self._heartbeat.interval, self._write_stalled
            )

    def writes_resumed(self, now: float) -> None:
        """The send buffer drained: every push waiting for it is written (``PushDone`` ok)."""
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        unwritten = self._unwritten
        if unwritten:
            for push in unwritten.values():
                push.cancel_deadline()
                self._events.append(PushDone(push, "ok"))
            unwritten.clear()

    def wait_written(self, push: Push, now: float) -> bool:
        """Make a sent push without reply wait for the full send buffer to drain.

        Its result comes as a :class:`PushDone`: ``ok`` once :meth:`writes_resumed`,
        ``timeout`` if the buffer is still full ``push.timeout`` seconds from ``now``,
        ``closed`` if the connection is lost first. False (and nothing to wait for) when writes
        are not blocked or the push was not written (it is buffered, or expects a reply).
        """
        ref = push.ref
        if self._stall_timer is None or ref is None or push.expects_reply:
            return False
        push.deadline = self._timers.add(now + push.timeout, partial(self._write_expired, push))
        self._unwritten[ref] = push
        return True

    def _write_expired(self, push: Push, now: float) -> None:
        push.deadline = None
        if push.ref is not None and self._unwritten.get(push.ref) is push:
            del self._unwritten[push.ref]
            self._events.append(PushDone(push, "timeout"))

    def _write_stalled(self, now: float) -> None:
        self._stall_timer = None
        if not self.connected:
            return
        seconds = self._heartbeat.interval
        self._events.append(CloseConnection(WRITE_STALLED))
        error = ConnectionError(f"{WRITE_STALLED}: the peer read nothing for {seconds:g} s")
        self.connection_lost(now, error)

    def _writes_lost(self) -> None:
        """The socket is gone: pushes waiting to be written fail, the stall timer stops."""
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        unwritten = self._unwritten
        if unwritten:
            for push in unwritten.values():
                push.cancel_deadline()
                self._events.append(PushDone(push, "closed"))
            unwritten.clear()

    # ------------------------------------------------------------------ tokens

    def set_access_token(self, token: str | None) -> bool:
        """Use ``token`` from now on; pushes it to joined channels if it changed."""
        if self.has_token and token == self.access_token:
            return False
        self.access_token = token
        self.has_token = True
        if self.connected:
            for machine in self.channels.values():
                if machine.state is ChannelState.JOINED:
                    frame = Frame(
                        machine.join_ref,
                        self.make_ref(),
                        machine.topic,
                        "access_token",
                        {"access_token": token},
                    )
                    self._out.append(frame)
        return True

    # ------------------------------------------------------------------ channels

    def add_channel(self, topic: str, config: dict[str, Any]) -> ChannelMachine:
        """Register a channel (closed until :meth:`join`); a topic has one channel at a time."""
        if topic in self.channels:
            raise ChannelError(f"a channel for {topic} already exists")
        machine = ChannelMachine(topic, config)
        self.channels[topic] = machine
        return machine

    def join(self, topic: str, now: float, timeout: float | None = None) -> None:
        """Join ``topic``; no-op while joining or joined. ``timeout`` applies to this join only."""
        machine = self._machine(topic)
        if machine.state in _LIVE:
            return
        machine.join_timeout = timeout
        self._cancel_rejoin(machine)
        self._rejoin(machine, now)

    def leave(self, topic: str, now: float) -> None:
        """Leave ``topic``: ``phx_leave`` if it is live, then closed on reply or timeout."""
        machine = self.channels.get(topic)
        if machine is None or machine.state is ChannelState.LEAVING:
            return
        self._cancel_rejoin(machine)
        self._cancel_join(machine)
        if not (self.connected and machine.state in _LIVE):
            machine.leave_outcome = "ok"
            self._close(machine, None)
            return
        machine.state = next_state(machine.state, Trigger.LEAVE)
        machine.leave_outcome = None
        push = Push(topic, "phx_leave", {}, self.timeout, expects_reply=True)
        push.ref = ref = self.make_ref()
        push.deadline = self._timers.add(now + self.timeout, partial(self._leave_done, push))
        machine.leave_push = push
        self._awaiting[ref] = push
        self._out.append(Frame(machine.join_ref, ref, topic, "phx_leave", {}))

    def push(
        self,
        topic: str,
        event: str,
        payload: Any,
        now: float,
        *,
        expects_reply: bool = True,
        timeout: float | None = None,
    ) -> Push:
        """Send ``event`` on ``topic`` now if joined, else buffer it with its timeout running.

        A push without ``expects_reply`` produces a :class:`PushDone` only when it fails
        (dropped, timed out in the buffer, or closed).
        """
        machine = self._machine(topic)
        push = Push(topic, event, payload, timeout or self.timeout, expects_reply=expects_reply)
        if self.connected and machine.state is ChannelState.JOINED:
            self._send_push(machine, push, now)
            return push
        push.deadline = self._timers.add(
            now + push.timeout, partial(self._buffered_push_expired, machine, push)
        )
        buffer = machine.buffer
        buffer.append(push)
        if len(buffer) > MAX_PUSH_BUFFER:
            oldest = buffer.pop(0)
            oldest.cancel_deadline()
            self._events.append(PushDone(oldest, "dropped"))
        return push

    def _machine(self, topic: str) -> ChannelMachine:
        machine = self.channels.get(topic)
        if machine is None:
            raise ChannelError(f"channel {topic} is closed")
        return machine

    def _send_push(self, machine: ChannelMachine, push: Push, now: float) -> None:
        push.ref = ref = self.make_ref()
        if push.expects_reply:
            push.deadline = self._timers.add(now + push.timeout, partial(self._push_expired, push))
            self._awaiting[ref] = push
        else:
            push.deadline = None
        self._out.append(Frame(machine.join_ref, ref, machine.topic, push.event, push.payload))

    def _push_expired(self, push: Push, now: float) -> None:
        push.deadline = None
        if push.ref is not None and self._awaiting.get(push.ref) is push:
            del self._awaiting[push.ref]
            self._events.append(PushDone(push, "timeout"))

    def _buffered_push_expired(self, machine: ChannelMachine, push: Push, now: float) -> None:
        push.deadline = None
        try:
            machine.buffer.remove(push)
        except ValueError:
            return
        self._events.append(PushDone(push, "timeout"))

    def _join_payload(self, machine: ChannelMachine) -> dict[str, Any]:
        extra = machine.extra_payload
        config = machine.config
        extra_config = extra.get("config")
        if isinstance(extra_config, dict):
            config = {**config, **cast("dict[str, Any]", extra_config)}
        payload: dict[str, Any] = {**extra, "config": config}
        if self.has_token:
            payload["access_token"] = self.access_token
        return payload

    def _rejoin(self, machine: ChannelMachine, now: float) -> None:
        machine.state = next_state(machine.state, Trigger.JOIN)
        self._cancel_join(machine)
        machine.join_ref = ref = self.make_ref()
        payload = self._join_payload(machine)
        timeout = machine.join_timeout or self.timeout
        push = Push(machine.topic, "phx_join", payload, timeout, expects_reply=True)
        push.ref = ref
        push.deadline = self._timers.add(now + timeout, partial(self._join_expired, machine, push))
        machine.join_push = push
        if self.connected:
            self._awaiting[ref] = push
            self._out.append(Frame(ref, ref, machine.topic, "phx_join", payload))

    def _cancel_join(self, machine: ChannelMachine) -> None:
        push = machine.join_push
        if push is not None:
            push.cancel_deadline()
            if push.ref is not None:
                self._awaiting.pop(push.ref, None)
            machine.join_push = None

    def _cancel_rejoin(self, machine: ChannelMachine) -> None:
        if machine.rejoin_timer is not None:
            machine.rejoin_timer.cancel()
            machine.rejoin_timer = None

    def _schedule_rejoin(self, machine: ChannelMachine, now: float) -> None:
        self._cancel_rejoin(machine)
        if not self.connected:
            return
        delay = max(self.rejoin_after(machine.rejoin_tries + 1), machine.not_before - now)
        machine.rejoin_timer = self._timers.add(now + delay, partial(self._rejoin_due, machine))

    def _rejoin_due(self, machine: ChannelMachine, now: float) -> None:
        machine.rejoin_timer = None
        machine.rejoin_tries += 1
        if (
            self.connected
            and machine.state is ChannelState.ERRORED
            and self.channels.get(machine.topic) is machine
        ):
            self._rejoin(machine, now)

    def _join_expired(self, machine: ChannelMachine, push: Push, now: float) -> None:
        if machine.join_push is not push:
            return
        push.deadline = None
        self._cancel_join(machine)
        if self.connected:
            self._out.append(
                Frame(machine.join_ref, self.make_ref(), machine.topic, "phx_leave", {})
            )
        # The abandoned join's frames are stale from now on: the server answers that leave with
        # a phx_close carrying the old join_ref, which must not close the channel (realtime-js
        # resets its join push, and drops it the same way).
        machine.join_ref = None
        machine.state = next_state(machine.state, Trigger.JOIN_TIMEOUT)
        error = JoinTimeout(f"no reply to joining {machine.topic} within {push.timeout} s")
        self._events.append(StateChanged(machine.topic, SubscribeState.TIMED_OUT, error))
        self._schedule_rejoin(machine, now)

    def _join_replied(self, machine: ChannelMachine, payload: Any, now: float) -> None:
        self._cancel_join(machine)
        machine.join_timeout = None
        reply = _fields(payload)
        response = reply.get("response")
        if reply.get("status") != "ok":
            machine.state = next_state(machine.state, Trigger.JOIN_ERROR)
            error = JoinError(_reply_reason(response), topic=machine.topic)
            if error.code in RATE_LIMIT_CODES:
                machine.not_before = now + self.rate_limit_delay
            self._events.append(StateChanged(machine.topic, SubscribeState.CHANNEL_ERROR, error))
            self._schedule_rejoin(machine, now)
            return
        machine.state = next_state(machine.state, Trigger.JOIN_OK)
        machine.joined_once = True
        machine.rejoin_tries = 0
        machine.not_before = 0.0
        echoed = _fields(response)
        if "postgres_changes" in echoed:
            bindings: list[dict[str, Any]] = machine.config.get("postgres_changes") or []
            ids = match_binding_ids(bindings, echoed["postgres_changes"])
            if ids is None:
                mismatch = ChannelError(BINDING_MISMATCH)
                self._events.append(
                    StateChanged(machine.topic, SubscribeState.CHANNEL_ERROR, mismatch)
                )
                self.leave(machine.topic, now)
                return
            machine.binding_ids = ids
        buffered = list(machine.buffer)
        machine.buffer.clear()
        for push in buffered:
            push.cancel_deadline()
            self._send_push(machine, push, now)
        self._events.append(StateChanged(machine.topic, SubscribeState.SUBSCRIBED))

    def _leave_done(self, push: Push, now: float) -> None:
        push.deadline = None
        if push.ref is not None:
            self._awaiting.pop(push.ref, None)
        machine = self.channels.get(push.topic)
        if machine is not None and machine.leave_push is push:
            machine.leave_outcome = "timed out"
            self._close(machine, None)

    def _channel_error(self, machine: ChannelMachine, now: float, error: Exception) -> None:
        if machine.state in (ChannelState.CLOSED, ChannelState.LEAVING):
            return
        self._cancel_join(machine)
        machine.state = next_state(machine.state, Trigger.ERROR)
        self._events.append(StateChanged(machine.topic, SubscribeState.CHANNEL_ERROR, error))
        self._schedule_rejoin(machine, now)

    def _close(self, machine: ChannelMachine, error: Exception | None) -> None:
        self._cancel_join(machine)
        self._cancel_rejoin(machine)
        leave = machine.leave_push
        if leave is not None:
            leave.cancel_deadline()
            if leave.ref is not None:
                self._awaiting.pop(leave.ref, None)
            machine.leave_push = None
        machine.state = next_state(machine.state, Trigger.CLOSE)
        for push in machine.buffer:
            push.cancel_deadline()
            self._events.append(PushDone(push, "closed"))
        machine.buffer.clear()
        topic = machine.topic
        for ref in [ref for ref, push in self._awaiting.items() if push.topic == topic]:
            push = self._awaiting.pop(ref)
            push.cancel_deadline()
            self._events.append(PushDone(push, "closed"))
        if self.channels.get(topic) is machine:
            del self.channels[topic]
        self._events.append(StateChanged(topic, SubscribeState.CLOSED, error))

    # ------------------------------------------------------------------ receiving

    def receive(self, frame: Frame, now: float) -> bool:
        """Take one decoded frame. True when it is channel data for the I/O layer to deliver.

        Replies, ``phx_error`` and ``phx_close`` are handled here and produce events; frames for
        an unknown topic or with a stale join_ref produce :class:`FrameDropped`.
        """
        event = frame.event
        if event == "phx_reply":
            self._reply(frame, now)
            return False
        machine = self.channels.get(frame.topic)
        if machine is None:
            self._events.append(FrameDropped(frame, "unknown topic"))
            return False
        join_ref = frame.join_ref
        if join_ref is not None and join_ref != machine.join_ref:
            self._events.append(FrameDropped(frame, "stale join_ref"))
            return False
        if event == "phx_error" or event == "phx_close":
            if frame.ref is not None and frame.ref != machine.join_ref:
                self._events.append(FrameDropped(frame, "stale ref"))
            elif event == "phx_close":
                if machine.state is not ChannelState.CLOSED:
                    self._close(machine, _close_error(machine.close_reason))
            else:
                error = ChannelError(f"channel error: {_error_reason(frame.payload)}")
                self._channel_error(machine, now, error)
            return False
        if event == "system":
            self._note_system(machine, frame.payload)
        return True

    def _reply(self, frame: Frame, now: float) -> None:
        ref = frame.ref
        if ref is not None and ref == self._heartbeat.pending_ref:
            self._heartbeat_replied(frame.payload, now)
            return
        push = self._awaiting.get(ref) if ref is not None else None
        if ref is None or push is None:
            self._events.append(FrameDropped(frame, "reply to no pending push"))
            return
        if push.topic != frame.topic:
            self._events.append(FrameDropped(frame, REPLY_TOPIC_MISMATCH))
            return
        del self._awaiting[ref]
        push.cancel_deadline()
        machine = self.channels.get(push.topic)
        if push.event == "phx_join":
            if machine is not None and machine.join_push is push:
                self._join_replied(machine, frame.payload, now)
        elif push.event == "phx_leave":
            if machine is not None and machine.leave_push is push:
                ok = _fields(frame.payload).get("status") == "ok"
                machine.leave_outcome = "ok" if ok else "error"
                self._close(machine, None)
        else:
            reply = _fields(frame.payload)
            ok = reply.get("status") == "ok"
            self._events.append(PushDone(push, "ok" if ok else "error", reply.get("response")))

    @staticmethod
    def _note_system(machine: ChannelMachine, payload: Any) -> None:
        fields = _fields(payload)
        if fields.get("status") == "error" and fields.get("extension") != "postgres_changes":
            machine.close_reason = str(fields.get("message") or "channel error")
