"""The single-writer lock: ``<store>.lock``, created with O_EXCL, naming its holder.

DuckDB already refuses a second read-write process, but its error names only a PID and arrives
after the caller has done its work. The lock file is taken *before* the database is opened, says
who holds it (pid, host, start time) and survives the holder crashing: a lock left by a dead pid
on this host is stale and taken over; one from another host cannot be checked and is reported.
DuckDB's own file lock remains the backstop if two processes race through a stale takeover.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from metadata_store.errors import StoreLockedError


@dataclass(frozen=True)
class LockHolder:
    """What a lock file says about the process that created it."""

    pid: int
    host: str
    started: str  # ISO 8601, UTC
    token: str  # distinguishes our lock from a successor's when releasing


def lock_path_for(store_path: Path) -> Path:
    """``metadata.duckdb`` -> ``metadata.duckdb.lock``, next to the store."""
    return store_path.with_name(store_path.name + ".lock")


def read_holder(lock_path: Path) -> LockHolder | None:
    """The holder named in ``lock_path``, or None if it is missing, empty or unreadable."""
    try:
        data = json.loads(lock_path.read_text(encoding="utf-8"))
        holder = LockHolder(
            int(data["pid"]), str(data["host"]), str(data["started"]), str(data["token"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return holder if holder.pid > 0 else None  # os.kill(0 or -1, 0) would address groups


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (signal 0 only checks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def is_stale(holder: LockHolder, host: str) -> bool:
    """A lock is stale only when we can prove its holder is gone: same host, dead pid."""
    return holder.host == host and holder.pid != os.getpid() and not pid_alive(holder.pid)


def describe_holder(holder: LockHolder | None) -> str:
    if holder is None:
        return "an unknown process (lock file unreadable)"
    return f"pid {holder.pid} on {holder.host} since {holder.started}"


class StoreLock:
    """An acquired lock file; ``release()`` removes it if it is still ours."""

    def __init__(self, path: Path, holder: LockHolder) -> None:
        self.path = path
        self.holder = holder

    @classmethod
    def acquire(cls, lock_path: Path, store_path: Path) -> StoreLock:
        """Create the lock file or raise StoreLockedError naming the live holder."""
        host = socket.gethostname()
        me = LockHolder(
            pid=os.getpid(),
            host=host,
            started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            token=uuid.uuid4().hex,
        )
        for _attempt in range(2):  # second attempt only after removing a stale lock
            try:
                fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = read_holder(lock_path)
                if holder is not None and is_stale(holder, host):
                    lock_path.unlink(missing_ok=True)
                    continue
                raise StoreLockedError(
                    f"metadata store at {store_path} is locked by {describe_holder(holder)} "
                    f"(lock file {lock_path}); wait for it to finish, or delete the lock file "
                    "if that process is gone",
                    pid=holder.pid if holder else None,
                    host=holder.host if holder else None,
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(me), f)
                f.flush()
                os.fsync(f.fileno())
            return cls(lock_path, me)
        raise StoreLockedError(
            f"metadata store at {store_path}: another process took over the stale lock "
            f"{lock_path} at the same time; retry"
        )

    def release(self) -> None:
        """Remove the lock file, unless a successor has replaced it (then it is theirs)."""
        current = read_holder(self.path)
        if current is not None and current.token == self.holder.token:
            self.path.unlink(missing_ok=True)
