"""The inspector's record of the traffic: numbered records, a fan-out as one record, the ring's
bounds and what falls out of it."""

from __future__ import annotations

from typing import cast

from realtime_typed.local.inspector.recorder import NAMED_SOCKETS, TrafficRecorder
from realtime_typed.local.transport.session import SocketSession


class _Socket:
    """What the recorder reads of a socket."""

    def __init__(self) -> None:
        self.token = "token"
        self.vsn = "2.0.0"
        self.connected_at = 0.0


def _sockets(count: int) -> list[SocketSession]:
    return [cast("SocketSession", _Socket()) for _ in range(count)]


def _recorder(*, max_records: int = 2000, max_bytes: int = 4096) -> TrafficRecorder:
    return TrafficRecorder(
        lambda _token: {"role": "anon"},
        lambda: 1.0,
        max_records=max_records,
        max_bytes=max_bytes,
    )


def test_a_fan_out_is_one_record_naming_its_first_sockets() -> None:
    recorder = _recorder()
    sockets = _sockets(NAMED_SOCKETS + 10)
    for socket in sockets:
        recorder.opened(socket)
    recorder.received(sockets[0], "push", None)
    for socket in sockets:
        recorder.sent(socket, "fan-out")
    recorder.sent(sockets[1], "reply")
    records, skipped = recorder.since(0, 10)
    assert skipped == 0
    assert [(record.seq, record.direction, record.data) for record in records] == [
        (0, "in", "push"),
        (1, "out", "fan-out"),
        (2, "out", "reply"),
    ]
    assert [record.recipients for record in records] == [1, NAMED_SOCKETS + 10, 1]
    assert records[1].sockets == list(range(1, NAMED_SOCKETS + 1))
    assert (records[0].sockets, records[2].sockets) == ([1], [2])
    assert (recorder.frames_in, recorder.frames_out) == (1, NAMED_SOCKETS + 11)
    assert recorder.next_seq == 3


def test_the_ring_keeps_its_bounds_and_counts_what_falls_out() -> None:
    recorder = _recorder(max_records=3, max_bytes=10)
    (socket,) = _sockets(1)
    recorder.opened(socket)
    for number in range(5):
        recorder.received(socket, str(number), None)
    records, skipped = recorder.since(0, 10)
    assert [(record.seq, record.data) for record in records] == [(2, "2"), (3, "3"), (4, "4")]
    assert skipped == recorder.evicted == 2
    recorder.sent(socket, "x" * 9)  # 11 bytes in the ring: the oldest left goes too
    records, _ = recorder.since(0, 10)
    assert [(record.seq, record.data) for record in records] == [(4, "4"), (5, "x" * 9)]
    recorder.sent(socket, "y" * 20)  # alone over the byte bound, and still kept
    records, skipped = recorder.since(4, 10)
    assert [(record.seq, record.data) for record in records] == [(6, "y" * 20)]
    assert skipped == 2
    assert recorder.evicted == 6
    assert recorder.since(6, 1)[0][0].data == "y" * 20
    assert recorder.since(7, 10) == ([], 0)
