"""ReportFilter: the first error of each kind, bounded kinds, doubling samples beyond them."""

from __future__ import annotations

from realtime_typed.client.reporting import MAX_KEY_CHARS, MAX_KINDS, ReportFilter


def test_the_first_error_of_each_kind_is_reported_and_repeats_are_not() -> None:
    reports = ReportFilter()
    assert [reports.should_report(kind) for kind in "abab"] == [True, True, False, False]
    assert reports.suppressed == 2


def test_300000_distinct_kinds_give_a_logarithmic_number_of_reports_in_bounded_memory() -> None:
    reports = ReportFilter()
    count = sum(reports.should_report(f"unknown event event-{n}") for n in range(300_000))
    beyond = 300_000 - MAX_KINDS
    assert count == MAX_KINDS + beyond.bit_length()  # the 1st, 2nd, 4th, ... beyond the cap
    assert len(reports) == MAX_KINDS
    assert reports.overflow == beyond
    assert reports.suppressed == 300_000 - count


def test_keys_are_cut_to_a_bounded_length() -> None:
    reports = ReportFilter()
    assert reports.should_report("x" * MAX_KEY_CHARS + "first")
    assert not reports.should_report("x" * MAX_KEY_CHARS + "second")


def test_known_kinds_stay_reported_once_after_the_cap() -> None:
    reports = ReportFilter(max_kinds=2)
    assert reports.should_report("a") and reports.should_report("b")
    assert not reports.should_report("a")
    assert [reports.should_report(f"new-{n}") for n in range(5)] == [True, True, False, True, False]
