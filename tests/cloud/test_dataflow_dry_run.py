"""The real pipeline translates to a Dataflow job, offline: DataflowRunner's dry run.

The driver runs as a user would run it (``--runner=DataflowRunner --dry_run=True --no_auth`` with
placeholder project and buckets); the job it builds is captured and inspected: its stages, the
paths its workers will open, the code shipped to them, and that no DuckDB store is involved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sys
import tarfile
import tempfile
import types
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.internal import pickler
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2 as runner_api

from metadata_store import MetadataStore
from pipelines import cloud_store, crawl_to_shards, run_driver
from transforms.layout import OutputLayout
from transforms.records import FILE_SCHEMA, LOCATION_SCHEMA, OUTCOME_SCHEMA

pytest.importorskip("apache_beam.runners.dataflow.internal.apiclient")  # the [gcp] extra

REPO = Path(__file__).resolve().parents[2]
INPUT = "gs://crawlsift-example-input/crawl/**/*.warc.gz"
OUTPUT = "gs://crawlsift-example-output/out"
ARGV = [
    *("--input", INPUT, "--output", OUTPUT),
    *("--runner=DataflowRunner", "--project=crawlsift-example", "--region=us-central1"),
    *("--temp_location=gs://crawlsift-example-temp/tmp", f"--setup_file={REPO / 'setup.py'}"),
    *("--dry_run=True", "--no_auth"),
]
STAGES = ("ListInputs", "ProcessFiles", "Deduplicate", "PublishShards")


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    """(exit code, stdout, the DataflowRunner's job, the working directory afterwards)."""
    workdir = tmp_path_factory.mktemp("launch")
    results = []
    run_pipeline = run_driver.run_pipeline

    def capture(options, build):
        results.append(run_pipeline(options, build))
        return results[-1]

    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(stdout):
        patch.setattr(run_driver, "run_pipeline", capture)
        patch.chdir(workdir)
        patch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("staging")))  # Beam's
        code = crawl_to_shards.run(ARGV)
    return code, stdout.getvalue(), results[0].job if results else None, workdir


def transforms_of(job):
    return job.proto_pipeline.components.transforms


def fn_objects(transform):
    """The user function a step's workers run (unpickled), or None for a runner primitive."""
    urn = transform.spec.urn
    if urn == common_urns.primitives.PAR_DO.urn:
        spec = runner_api.ParDoPayload.FromString(transform.spec.payload).do_fn
    elif urn in (
        common_urns.composites.COMBINE_PER_KEY.urn,
        common_urns.combine_components.COMBINE_GROUPED_VALUES.urn,
    ):
        spec = runner_api.CombinePayload.FromString(transform.spec.payload).combine_fn
    else:
        return None
    return pickler.loads(spec.payload)


def reachable(obj, seen=None):
    """Every value reachable from a pickled function: attributes, containers, closures."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.CodeType)):
        return
    seen.add(id(obj))
    yield obj
    if isinstance(obj, (str, bytes, int, float, type(None))):
        return
    if isinstance(obj, dict):
        children = [*obj.keys(), *obj.values()]
    elif isinstance(obj, (list, tuple, set, frozenset)):
        children = list(obj)
    elif isinstance(obj, types.FunctionType):
        cells = [c.cell_contents for c in obj.__closure__ or () if c.cell_contents is not None]
        children = [*cells, *(obj.__defaults__ or ())]
    else:
        children = [getattr(obj, "__dict__", {})]
    for child in children:
        yield from reachable(child, seen)


def worker_values(job):
    fns = (fn_objects(transform) for transform in transforms_of(job).values())
    return [value for fn in fns if fn is not None for value in reachable(fn)]


def test_the_driver_builds_the_job_and_stops(dry_run):
    code, stdout, job, workdir = dry_run
    assert code == 0, stdout
    assert "dry run: job built, not submitted" in stdout
    assert job is not None and job.proto.type_.name == "JOB_TYPE_BATCH"
    assert not any(workdir.iterdir()), "the driver wrote local files (a DuckDB store?)"
    options = job.options.get_all_options()
    assert options["temp_location"].startswith("gs://crawlsift-example-temp/")
    assert options["staging_location"].startswith("gs://crawlsift-example-temp/")


def test_the_expected_stages_are_there(dry_run):
    job = dry_run[2]
    transforms = transforms_of(job)
    root = transforms[job.proto_pipeline.root_transform_ids[0]]
    top = [transforms[t].unique_name for t in root.subtransforms]
    assert top == list(STAGES)
    shuffles = [
        t.unique_name
        for t in transforms.values()
        if t.spec.urn == common_urns.primitives.GROUP_BY_KEY.urn
    ]
    assert any(name.startswith("ListInputs/") for name in shuffles)
    assert any(name.startswith("Deduplicate/") for name in shuffles)
    assert any(name.startswith("PublishShards/") for name in shuffles)
    assert not any(name.startswith("ProcessFiles/") for name in shuffles), "texts crossed a shuffle"
    for stage in STAGES:
        assert any(
            t.unique_name.startswith(f"{stage}/") and fn_objects(t) is not None
            for t in transforms.values()
        ), f"{stage} runs no code"
    bounded = job.proto_pipeline.components.pcollections.values()
    assert all(p.is_bounded == runner_api.IsBounded.BOUNDED for p in bounded)


def test_no_step_depends_on_a_local_path(dry_run):
    values = worker_values(dry_run[2])
    texts = {v.decode("utf-8", "replace") for v in values if isinstance(v, bytes)}
    texts |= {v for v in values if isinstance(v, str)}
    paths = {t for t in texts if "/" in t}
    assert INPUT in paths and OUTPUT in paths
    assert all(p.startswith("gs://") for p in paths), sorted(paths)
    assert not any("metadata.duckdb" in t for t in texts)


def test_the_store_is_parts_under_the_output(dry_run):
    """No DuckDB load: workers write the store's parts as Parquet under the gs:// output."""
    layouts = {v for v in worker_values(dry_run[2]) if isinstance(v, OutputLayout)}
    assert layouts and {layout.output for layout in layouts} == {OUTPUT}
    (run_id,) = {layout.run_id for layout in layouts}
    assert {layout.run_parts_dir for layout in layouts} == {f"{OUTPUT}/store/runs/{run_id}"}
    assert f"{OUTPUT}/store/runs/{run_id}/" in dry_run[1]


def test_workers_get_the_package_in_the_matching_sdk_container(dry_run):
    job = dry_run[2]
    (environment,) = job.proto_pipeline.components.environments.values()
    assert environment.urn == common_urns.environments.DOCKER.urn
    image = runner_api.DockerPayload.FromString(environment.payload).container_image
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert image.endswith(f"beam_python{python}_sdk:{beam.__version__}")
    staged = {}
    for dependency in environment.dependencies:
        name = runner_api.ArtifactStagingToRolePayload.FromString(dependency.role_payload)
        staged[name.staged_name] = runner_api.ArtifactFilePayload.FromString(
            dependency.type_payload
        ).path
    assert "workflow.tar.gz" in staged, sorted(staged)
    with tarfile.open(staged["workflow.tar.gz"]) as sdist:
        names = {name.split("/", 1)[-1] for name in sdist.getnames()}
    for module in ("pipelines/crawl_to_shards.py", "transforms/process_files.py"):
        assert module in names
    assert "metadata_store/loading.py" in names


@pytest.mark.parametrize(
    ("drop", "replace", "message"),
    [
        (None, str, "needs gs:// --input and --output"),
        ("--setup_file", None, "ship crawlsift to the workers with --setup_file"),
    ],
)
def test_dataflow_refuses_a_launch_that_cannot_work(tmp_path, capsys, drop, replace, message):
    argv = [a for a in ARGV if not (drop and a.startswith(drop))]
    argv = [str(tmp_path) if replace and a == OUTPUT else a for a in argv]
    assert crawl_to_shards.run(argv) == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


# The cloud store: a run's accounting and records from its parts equal the DuckDB store's.


def location(record_id, status, reason=None, batch="a"):
    uri = f"gs://in/{batch}.warc.gz"
    return {"record_id": record_id, "url": f"https://example.com/{record_id}", "source_uri": uri,
            "source_offset": int(record_id[1:]), "source_length": 1, "size": 1,
            "status": status, "reason": reason, "batch_id": batch}  # fmt: skip


def outcome(record_id, status, duplicate_of=None, shard=None):
    reason = "duplicate:near" if duplicate_of else None
    return {"record_id": record_id, "status": status, "reason": reason,
            "duplicate_of": duplicate_of, "similarity": 0.9 if duplicate_of else None,
            "shard": shard}  # fmt: skip


@pytest.fixture
def parts(tmp_path):
    """Two batches: filtered, error, kept, duplicate; and a candidate that lost its outcome."""
    run = tmp_path / "out" / "store" / "runs" / "20260101T000000Z-abcdef"
    shard = "data/language=en/part-{}-00000.parquet"
    batches = {
        "a": (
            [location("r1", "filtered", "filtered:too_short"),
             location("r2", "error", "error:truncated_record"),
             location("r3", "candidate"), location("r4", "candidate")],
            [outcome("r3", "kept", shard=shard.format("a")),
             outcome("r4", "duplicate", duplicate_of="r3")],
        ),
        "b": (
            [location("r5", "candidate", batch="b"), location("r6", "candidate", batch="b")],
            [outcome("r5", "kept", shard=shard.format("b"))],
        ),
    }  # fmt: skip
    for batch, (locations, outcomes) in batches.items():
        files = [{"source_uri": f"gs://in/{batch}.warc.gz", "size": 1, "batch_id": batch,
                  "n_records": len(locations)}]  # fmt: skip
        for kind, rows, schema in (
            ("locations", locations, LOCATION_SCHEMA),
            ("outcomes", outcomes, OUTCOME_SCHEMA),
            ("files", files, FILE_SCHEMA),
        ):
            (run / kind).mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(rows, schema), run / kind / f"{batch}.parquet")
    return run


def test_accounting_from_parts_matches_the_duckdb_store(parts, tmp_path):
    accounting = cloud_store.accounting_from_parts(str(parts))
    assert accounting == cloud_store.PartsAccounting(
        records_in=6, kept=2, filtered=1, duplicate=1, error=2, lost_in_dedup=1
    )
    assert accounting.balanced
    now = dt.datetime.now(dt.timezone.utc)
    with MetadataStore.open(tmp_path / "store.duckdb") as store:
        store.load_run(parts.name, parts, now, now, [], {})
        stored = store.accounting(parts.name)
        rows = {r["record_id"]: r for r in store.locate_prefix("https://example.com/")}
    counts = ("records_in", "kept", "filtered", "duplicate", "error")
    assert [getattr(stored, c) for c in counts] == [getattr(accounting, c) for c in counts]
    records = cloud_store.records_from_parts(str(parts)).to_pylist()
    assert len(records) == 6
    for record in records:
        for column in ("status", "reason", "duplicate_of", "shard", "source_uri"):
            assert record[column] == rows[record["record_id"]][column], (record, column)


def test_a_run_is_committed_once_marked(parts):
    output = str(parts.parents[2])
    layout = OutputLayout(output, parts.name)
    assert cloud_store.latest_run(output) == parts.name
    assert cloud_store.committed_parts(layout) == ()
    cloud_store.mark_committed(layout, "{}")
    assert cloud_store.committed_parts(layout) == (f"{parts}/files/*.parquet",)
    dead = parts.parent / "99991231T235959Z-dead00" / "locations"  # newer, never committed
    dead.mkdir(parents=True)
    (dead / "b.parquet").write_bytes(
        (parts / "locations").glob("*.parquet").__next__().read_bytes()
    )
    assert cloud_store.latest_run(output) == parts.name
    with cloud_store.local_parts(layout.run_parts_dir) as local:
        assert local == layout.run_parts_dir


def test_cloud_store_cli_prints_the_accounting_and_how_to_query(parts, capsys):
    assert cloud_store.main([str(parts.parents[2])]) == 0
    out = capsys.readouterr().out
    assert "accounting OK: records in 6 = kept 2 + filtered 1 + duplicate 1 + error 2" in out
    assert "CREATE EXTERNAL TABLE" in out and "read_parquet" not in out.split("DuckDB")[0]


def test_remote_parts_are_copied_down_for_a_local_store(parts, monkeypatch):
    monkeypatch.setattr(cloud_store, "is_remote", lambda path: True)
    with cloud_store.local_parts(str(parts)) as local:
        assert local != str(parts)
        copied = sorted(p.relative_to(local).as_posix() for p in Path(local).rglob("*.parquet"))
        assert cloud_store.accounting_from_parts(local) == cloud_store.accounting_from_parts(
            str(parts)
        )
    assert copied == sorted(p.relative_to(parts).as_posix() for p in parts.rglob("*.parquet"))
    assert not Path(local).exists()
