"""The pipeline the composite tests run on: Beam's local runner without Prism (``SKIP_PRISM``).

It runs in the test process (``in_memory``), which still pickles every DoFn into the pipeline
and unpickles it in the SDK harness, so a DoFn that does not pickle fails here. Worker processes
(what Dataflow and ``make demo`` use) are exercised by the end-to-end tests of each pipeline:
starting them for every small composite would double these tests' time.
"""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline

from pipelines.crawl_to_shards import SKIP_PRISM

IN_PROCESS = ("--runner", "DirectRunner", "--direct_running_mode", "in_memory", SKIP_PRISM)


def local_pipeline() -> TestPipeline:
    """A TestPipeline on the local runner, in this process."""
    return TestPipeline(options=PipelineOptions(list(IN_PROCESS)))
