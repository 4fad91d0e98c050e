"""The per-record time budget: interrupts Python loops in any thread, never fires late."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from tests.faults.fault_corpus import article, huge_page
from transforms.budget import BudgetExceeded, Watchdog
from transforms.documents import DocumentConfig, Toolbox, process_record
from transforms.records import RawRecord


def spin(seconds: float) -> int:
    """Busy Python bytecode for ``seconds``: what trafilatura's tree walks look like."""
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        n += 1
    return n


def in_thread(fn: Callable[[], object]) -> object:
    """Run ``fn`` in a worker thread (as Beam does) and return its result or exception."""
    box: list[object] = []

    def target() -> None:
        try:
            box.append(fn())
        except BaseException as error:  # handed back to the test
            box.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    return box[0]


def budgeted(watchdog: Watchdog, seconds: float, work: Callable[[], object]) -> object:
    with watchdog.budget(seconds):
        return work()


def test_fast_block_is_untouched():
    watchdog = Watchdog(tick=0.01)
    assert budgeted(watchdog, 5.0, lambda: 42) == 42


def test_slow_block_is_interrupted_in_a_worker_thread():
    watchdog = Watchdog(tick=0.01)
    started = time.monotonic()
    result = in_thread(lambda: budgeted(watchdog, 0.2, lambda: spin(30)))
    assert isinstance(result, BudgetExceeded)
    assert "0.2 s" in str(result)
    assert time.monotonic() - started < 5


def test_interrupts_in_the_main_thread_too():
    watchdog = Watchdog(tick=0.01)
    with pytest.raises(BudgetExceeded):
        budgeted(watchdog, 0.1, lambda: spin(30))


def test_except_exception_does_not_swallow_it():
    def stubborn() -> str:
        try:
            spin(30)
        except Exception:  # what extraction libraries do
            return "swallowed"
        return "finished"

    assert isinstance(
        in_thread(lambda: budgeted(Watchdog(tick=0.01), 0.1, stubborn)), BudgetExceeded
    )


def test_swallowed_delivery_still_ends_in_budget_exceeded():
    def swallows_everything() -> str:
        try:
            spin(30)
        except BudgetExceeded:
            return "swallowed"
        return "finished"

    result = in_thread(lambda: budgeted(Watchdog(tick=0.01), 0.1, swallows_everything))
    assert isinstance(result, BudgetExceeded)


def test_deadline_passed_in_a_long_c_call_is_reported_at_exit():
    # time.sleep is one C call: the exception can only be delivered after it returns.
    result = in_thread(lambda: budgeted(Watchdog(tick=0.01), 0.05, lambda: time.sleep(0.3)))
    assert isinstance(result, BudgetExceeded)


def test_zero_disables_the_budget():
    watchdog = Watchdog(tick=0.01)
    assert budgeted(watchdog, 0, lambda: time.sleep(0.1) or "done") == "done"
    assert watchdog._thread is None


def test_nothing_fires_after_the_block():
    watchdog = Watchdog(tick=0.01)

    def many() -> int:
        for _ in range(200):
            budgeted(watchdog, 0.02, lambda: spin(0.0001))
        spin(0.3)  # well past every deadline armed above
        return 1

    assert in_thread(many) == 1


def test_threads_have_separate_budgets():
    watchdog = Watchdog(tick=0.01)
    results: dict[str, object] = {}

    def run(name: str, seconds: float, work: float) -> None:
        results[name] = in_thread(lambda: budgeted(watchdog, seconds, lambda: spin(work)))

    threads = [
        threading.Thread(target=run, args=("slow", 0.1, 30)),
        threading.Thread(target=run, args=("fast", 20, 0.3)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert isinstance(results["slow"], BudgetExceeded)
    assert isinstance(results["fast"], int)


def test_watchdog_thread_stops_when_idle_and_restarts():
    watchdog = Watchdog(tick=0.01, idle_seconds=0.05)
    budgeted(watchdog, 1.0, lambda: None)
    deadline = time.monotonic() + 5
    while watchdog._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert watchdog._thread is None
    with pytest.raises(BudgetExceeded):
        budgeted(watchdog, 0.05, lambda: spin(30))


def test_a_slow_record_is_an_error_and_the_next_one_is_fine():
    def raw(name: str, payload: bytes) -> RawRecord:
        return RawRecord(name, f"/in/{name}.html", 0, len(payload), payload=payload)

    tools = Toolbox(DocumentConfig(extraction_budget_seconds=0.05, dedup="none")).load()
    # The same worker's watchdog, with a budget a small page never exceeds, even on a busy machine.
    generous = Toolbox(
        DocumentConfig(extraction_budget_seconds=30, dedup="none"),
        tagger=tools.tagger,
        watchdog=tools.watchdog,
    )
    counts: list[str] = []

    def both() -> tuple[dict, dict]:
        slow = process_record(raw("slow", huge_page(2_000_000)), "b", tools, counts.append)
        fast = process_record(raw("fast", article("fast")), "b", generous, counts.append)
        return slow.location, fast.location

    slow, fast = in_thread(both)
    assert (slow["status"], slow["reason"]) == ("error", "error:time_budget")
    assert fast["status"] == "candidate" and fast["reason"] is None
    assert "error:time_budget" in counts
