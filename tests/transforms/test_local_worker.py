"""Local worker processes skip their interpreter teardown; nothing else does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from transforms import local_worker
from transforms.local_worker import DRIVER_ENV, WORKER_MAIN, driver_of_local_run, is_local_worker

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def as_worker_main(monkeypatch: pytest.MonkeyPatch) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = types.SimpleNamespace(name=WORKER_MAIN)  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "__main__", main)


def test_the_driver_is_named_while_its_pipeline_runs_then_the_name_is_restored() -> None:
    environ: dict[str, str] = {}
    with driver_of_local_run(environ):
        assert environ == {DRIVER_ENV: str(os.getpid())}
    assert environ == {}
    environ = {DRIVER_ENV: "7"}
    with driver_of_local_run(environ):
        assert environ == {DRIVER_ENV: str(os.getpid())}
    assert environ == {DRIVER_ENV: "7"}


def test_a_worker_of_another_driver_qualifies(as_worker_main: None) -> None:
    assert is_local_worker({DRIVER_ENV: str(os.getpid() + 1)})


def test_the_driver_itself_never_qualifies(as_worker_main: None) -> None:
    environ: dict[str, str] = {}
    with driver_of_local_run(environ):  # in_memory runs call setup() in the driver
        assert not is_local_worker(environ)


def test_no_driver_no_fast_exit(as_worker_main: None) -> None:
    assert not is_local_worker({})  # a Dataflow worker, or a pipeline not run by crawlsift


def test_a_process_that_is_not_beams_worker_never_qualifies() -> None:
    assert not is_local_worker({DRIVER_ENV: str(os.getpid() + 1)})  # pytest's own process


def test_exit_promptly_outside_a_worker_registers_nothing() -> None:
    local_worker.exit_promptly()
    assert local_worker._register_once.cache_info().currsize == 0


def _fake_worker(body: str, before: str = "") -> subprocess.CompletedProcess[str]:
    """A process that looks like a local worker: Beam's worker main, another driver's pid."""
    code = textwrap.dedent(
        f"""
        {before}
        import sys, types
        sys.modules["__main__"].__spec__ = types.SimpleNamespace(name={WORKER_MAIN!r})
        from transforms.local_worker import exit_promptly
        exit_promptly()
        print("work done", flush=False)
        {body}
        """
    )
    env = dict(os.environ, PYTHONPATH=str(REPO), **{DRIVER_ENV: "1"})
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )


def test_a_worker_that_finished_exits_zero_with_its_output_flushed() -> None:
    done = _fake_worker("")
    assert (done.returncode, done.stdout) == (0, "work done\n")


def test_the_teardown_skipped_includes_hooks_registered_before() -> None:
    code = "import atexit; atexit.register(print, 'teardown ran')"
    done = _fake_worker("", before=code)
    assert (done.returncode, done.stdout) == (0, "work done\n")


def test_a_worker_that_died_keeps_its_exit_status() -> None:
    died = _fake_worker("raise RuntimeError('bundle failed')")
    assert died.returncode == 1
    assert "bundle failed" in died.stderr
