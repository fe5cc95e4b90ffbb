"""Presence under a hostile server: diffs before the state are bounded, bad metas are left out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from realtime_typed.client.presence import PresenceView
from realtime_typed.protocol.presence import MAX_PENDING_METAS, PresenceSync
from realtime_typed.typed import PresenceSpec


def group(key: str, *refs: str, **fields: Any) -> dict[str, Any]:
    return {key: {"metas": [{"phx_ref": ref, **fields} for ref in refs]}}


def test_diffs_before_the_state_keep_at_most_the_bound_newest_first() -> None:
    sync = PresenceSync()
    sync.reset("1")
    per_diff = 1_000
    for n in range(30):
        joins = {f"k{n}-{k}": {"metas": [{"phx_ref": f"r{n}-{k}"}]} for k in range(per_diff)}
        sync.apply_diff({"joins": joins, "leaves": {}})
        assert sync.pending_metas <= MAX_PENDING_METAS
    assert sync.overflowed_diffs == 30 - MAX_PENDING_METAS // per_diff
    sync.apply_state("1", {})
    state = sync.state()
    assert "k29-0" in state and "k0-0" not in state
    assert len(state) == MAX_PENDING_METAS
    assert sync.pending_metas == 0


def test_empty_diffs_count_and_one_diff_over_the_bound_is_kept() -> None:
    sync = PresenceSync()
    sync.reset("1")
    for _ in range(MAX_PENDING_METAS + 5):
        sync.apply_diff({"joins": {}, "leaves": {}})
    assert sync.overflowed_diffs == 5
    big = {f"k{k}": {"metas": [{"phx_ref": f"r{k}"}]} for k in range(MAX_PENDING_METAS + 1)}
    sync.apply_diff({"joins": big, "leaves": {}})
    assert sync.pending_metas == MAX_PENDING_METAS + 1
    sync.apply_state("1", {})
    assert len(sync.state()) == MAX_PENDING_METAS + 1


class User(BaseModel):
    user_id: str


def test_an_invalid_meta_is_reported_once_and_never_poisons_the_typed_state() -> None:
    invalid: list[tuple[str, str]] = []

    def on_invalid(key: str, meta: dict[str, Any], error: ValidationError) -> None:
        invalid.append((key, meta["presence_ref"]))

    view: PresenceView[User] = PresenceView(PresenceSpec(User), on_invalid)
    sync = view.sync
    view.deliver(sync.apply_state(None, {**group("a", "r1", user_id="u1"), **group("b", "r2")}))
    assert invalid == [("b", "r2")]
    for _ in range(3):
        assert view.state() == {"a": [User(user_id="u1")]}
    view.deliver(sync.apply_diff({"joins": group("a", "r3", user_id=7), "leaves": {}}))
    assert invalid == [("b", "r2"), ("a", "r3")]
    assert view.state() == {"a": [User(user_id="u1")]}
    leaves = {**group("b", "r2"), **group("a", "r3", user_id=7)}
    view.deliver(sync.apply_diff({"joins": {}, "leaves": leaves}))
    assert view.state() == {"a": [User(user_id="u1")]}
    assert len(invalid) == 2


def test_a_meta_is_validated_once_while_it_is_present() -> None:
    decoded: list[object] = []

    class Counting(PresenceSpec[User]):
        def decode(self, meta: Any) -> User:
            decoded.append(meta["presence_ref"])
            return super().decode(meta)

    view: PresenceView[User] = PresenceView(Counting(User))
    view.deliver(view.sync.apply_state(None, group("a", "r1", user_id="u1")))
    for _ in range(3):
        view.state()
    assert decoded == ["r1"]
    view.deliver(view.sync.apply_diff({"joins": {}, "leaves": group("a", "r1", user_id="u1")}))
    assert view.state() == {}
