"""Per-worker state the document steps keep between records: where the CPU went (``StageClock``)
and which payloads were already extracted (``TextCache``). Neither is ever pickled loaded: a
``Toolbox`` builds them in ``DoFn.setup()``."""

from __future__ import annotations

import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

TEXT_CACHE_SIZE = 1024  # extracted texts remembered per worker, by payload digest
CachedText = tuple[str | None, tuple[str, ...]]  # (text, the counters its cleanup incremented)


class StageClock:
    """CPU seconds of the calling thread spent per stage; drained into ``time:<stage>_ms``
    counters, so the run summary says where the CPU went."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.thread_time()
        try:
            yield
        finally:
            self.seconds[name] += time.thread_time() - started

    def drain(self) -> dict[str, int]:
        """The counters accumulated since the last drain (whole milliseconds)."""
        counters = {f"time:{name}_ms": round(value * 1000) for name, value in self.seconds.items()}
        self.seconds.clear()
        return counters


class TextCache:
    """The last ``size`` extractions by (payload digest, declared charset): a payload seen before
    (the same page under another URL, a re-crawl) is not extracted again. Extraction is a pure
    function of the decoded HTML (links and images are off, so the URL does not matter)."""

    def __init__(self, size: int = TEXT_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, str | None], CachedText] = OrderedDict()

    def get(self, key: tuple[str, str | None]) -> CachedText | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[str, str | None], entry: CachedText) -> None:
        self._entries[key] = entry
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
