"""The local-runner defaults crawlsift adds to Beam's flags (pure function, no pipeline)."""

from __future__ import annotations

import pytest

from pipelines.crawl_to_shards import SKIP_PRISM, beam_arguments


def test_local_defaults_are_added_when_not_given():
    args = beam_arguments([])
    assert args[args.index("--direct_running_mode") + 1] == "multi_processing"
    assert args[args.index("--direct_num_workers") + 1] == "0"
    assert SKIP_PRISM in args


def test_one_worker_runs_in_the_driver_process():
    args = beam_arguments(["--direct_num_workers", "1"])
    assert args[args.index("--direct_running_mode") + 1] == "in_memory"


def test_what_the_user_set_wins():
    args = beam_arguments(["--direct_running_mode=multi_threading", "--direct_num_workers=3"])
    assert args.count("--direct_running_mode=multi_threading") == 1
    assert "--direct_running_mode" not in args and "--direct_num_workers" not in args


@pytest.mark.parametrize("runner", ["DataflowRunner", "PrismRunner"])
def test_other_runners_get_no_local_defaults(runner):
    assert beam_arguments(["--runner", runner]) == ["--runner", runner]
