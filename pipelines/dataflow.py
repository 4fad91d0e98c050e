"""Launching on Google Cloud Dataflow: what is refused before a launch, and what a launch that
only builds the job (a dry run, a Flex Template) prints instead of a summary.

Workers on Dataflow see neither the launching machine's disk nor its packages, so a launch with a
local --input or --output, or without crawlsift shipped to the workers, fails here with one line
instead of minutes later on the workers. See README "Run on Dataflow".
"""

from __future__ import annotations

from collections.abc import Sequence

from apache_beam.options import pipeline_options as beam_options
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.cloud_store import is_remote
from pipelines.options import UsageError
from transforms.layout import OutputLayout


def is_dataflow(options: PipelineOptions) -> bool:
    return "dataflow" in str(options.view_as(beam_options.StandardOptions).runner or "").lower()


def is_dry_run(options: PipelineOptions) -> bool:
    """What DataflowRunner itself tests: any ``--dry_run`` value builds the job and stops."""
    return is_dataflow(options) and bool(options.view_as(beam_options.TestOptions).dry_run)


def job_ran(options: PipelineOptions, result: object) -> bool:
    """False when the runner only built the job: a dry run, or a template (``--template_location``,
    as Flex Template launchers do), whose job runs after this process has exited."""
    if is_dry_run(options) or options.view_as(beam_options.GoogleCloudOptions).template_location:
        return False
    return bool(getattr(result, "has_job", True))


def check_dataflow_launch(options: PipelineOptions, inputs: Sequence[str], output: str) -> None:
    """Refuse a Dataflow launch that cannot work: workers see neither the launching machine's disk
    nor its packages (crawlsift ships with --setup_file or comes in --sdk_container_image)."""
    if not is_dataflow(options):
        return
    local = [path for path in (*inputs, output) if not is_remote(path)]
    if local:
        raise UsageError(
            f"--runner DataflowRunner needs gs:// --input and --output; local: {', '.join(local)}"
        )
    setup, worker = (
        options.view_as(beam_options.SetupOptions),
        options.view_as(beam_options.WorkerOptions),
    )
    if not (setup.setup_file or setup.extra_packages or worker.sdk_container_image):
        raise UsageError(
            "--runner DataflowRunner: ship crawlsift to the workers with --setup_file=./setup.py "
            "or --sdk_container_image=IMAGE (README, Run on Dataflow)"
        )


def not_run_message(options: PipelineOptions, layout: OutputLayout) -> str:
    what = "dry run: job built, not submitted" if is_dry_run(options) else "job built as a template"
    return (
        f"{what} (run {layout.run_id}); it would write shards under {layout.data_dir}/ "
        f"and store parts under {layout.run_parts_dir}/"
    )
