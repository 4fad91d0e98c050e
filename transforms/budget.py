"""A wall-clock budget per record: stop extracting a page that takes too long.

Beam runs a DoFn in a worker thread, not in the main thread, so ``signal.alarm`` cannot interrupt
it. Instead a ``Watchdog`` (one daemon thread, owned by the caller, started on first use and
stopped when idle) raises ``BudgetExceeded`` *in the worker thread* with CPython's
``PyThreadState_SetAsyncExc`` once the thread's deadline has passed::

    watchdog = Watchdog()
    try:
        with watchdog.budget(10.0):
            text = extract(page)
    except BudgetExceeded:
        ...  # "error:time_budget"

The exception is delivered when the thread next runs Python bytecode: trafilatura is mostly Python
over lxml, so it stops within the watchdog's ``tick``, but one long C call (a single lxml parse or
regular expression) runs to its end first. ``--max_record_bytes`` bounds those.

Guarantees: the exception is raised at most once per budget and never outside the ``with`` block
(leaving the block drops a delivery still pending), and a block whose deadline passed always ends
in ``BudgetExceeded``, even if the code inside swallowed the delivered exception.
"""

from __future__ import annotations

import ctypes
import threading
import time
from dataclasses import dataclass
from types import TracebackType


class BudgetExceeded(BaseException):
    """A block ran past its time budget.

    A ``BaseException`` (like ``KeyboardInterrupt``), so the ``except Exception`` blocks inside
    extraction libraries do not swallow it; callers catch it by name."""


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> int:
    """Schedule ``exc`` in the thread (None cancels a pending one); returns threads affected."""
    value = ctypes.py_object(exc) if exc is not None else None
    return int(ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), value))


@dataclass(eq=False)
class _Guard:
    thread_id: int
    deadline: float
    fired: bool = False


class Watchdog:
    """Interrupts threads whose budget ran out. Arming and disarming cost a lock and a dict
    update; the watchdog thread wakes every ``tick`` seconds while budgets are armed and exits
    after ``idle_seconds`` without any."""

    def __init__(self, tick: float = 0.05, idle_seconds: float = 30.0) -> None:
        self.tick = tick
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._guards: dict[int, _Guard] = {}
        self._thread: threading.Thread | None = None

    def budget(self, seconds: float) -> TimeBudget:
        """A context manager that raises ``BudgetExceeded`` after ``seconds`` (0: no budget)."""
        return TimeBudget(seconds, self)

    def arm(self, seconds: float) -> _Guard:
        guard = _Guard(threading.get_ident(), time.monotonic() + seconds)
        with self._lock:
            self._guards[id(guard)] = guard
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="crawlsift-budget-watchdog", daemon=True
                )
                self._thread.start()
        return guard

    def disarm(self, guard: _Guard) -> bool:
        """Stop watching ``guard``; True if its deadline passed. An exception scheduled but not
        yet delivered is cancelled, so it cannot surface after the block."""
        with self._lock:
            self._guards.pop(id(guard), None)
            if guard.fired:
                _set_async_exc(guard.thread_id, None)
        return guard.fired

    def _fire_expired(self, now: float) -> None:
        """Called with the lock held."""
        for key, guard in list(self._guards.items()):
            if guard.deadline <= now:
                del self._guards[key]
                guard.fired = True
                _set_async_exc(guard.thread_id, BudgetExceeded)

    def _watch(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(self.tick)
            now = time.monotonic()
            with self._lock:
                self._fire_expired(now)
                if self._guards:
                    idle_since = now
                elif now - idle_since >= self.idle_seconds:
                    self._thread = None
                    return


class TimeBudget:
    """``with watchdog.budget(seconds):`` - see the module docstring."""

    def __init__(self, seconds: float, watchdog: Watchdog) -> None:
        self.seconds = seconds
        self.watchdog = watchdog
        self._guard: _Guard | None = None

    def __enter__(self) -> TimeBudget:
        if self.seconds > 0:
            self._guard = self.watchdog.arm(self.seconds)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        guard, self._guard = self._guard, None
        if guard is not None and self.watchdog.disarm(guard):
            raise BudgetExceeded(f"over the time budget of {self.seconds:g} s") from (
                None if isinstance(exc, BudgetExceeded) else exc
            )
