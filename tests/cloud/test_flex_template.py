"""dataflow/metadata.json and dataflow/Dockerfile, checked against the pipeline (no docker here).

The template's parameters must be the pipeline's own flags (the launcher passes each as
``--name=value``), every flag must be offered or deliberately left out, the example launch must
parse, and the image must pin the Beam version this repository runs.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import apache_beam as beam
import pytest

from pipelines.crawl_to_shards import PROG, parse_args
from pipelines.options import build_parser

REPO = Path(__file__).resolve().parents[2]
METADATA = REPO / "dataflow" / "metadata.json"
DOCKERFILE = REPO / "dataflow" / "Dockerfile"

# Flags a template launch does not offer, and why.
LEFT_OUT = {
    "metadata_store": "a local DuckDB file; a template's store is the Parquet parts",
    "quiet": "a switch (the launcher passes --name=value); logs go to Cloud Logging anyway",
    "reprocess": "a switch (the launcher passes --name=value)",
    "index_only": "a switch (the launcher passes --name=value)",
    "max_store_layers": "merges the layers of the local DuckDB store; a template has none",
}
# A valid value for each parameter: the example launch.
EXAMPLE = {
    "input": "gs://crawlsift-example-input/crawl/**/*.warc.gz",
    "output": "gs://crawlsift-example-output/out",
    "dedup": "exact",
    "dedup_threshold": "0.85",
    "num_perm": "64",
    "min_words": "0",
    "languages": "en,de,zh",
    "min_language_score": "0.5",
    "extraction_mode": "precision",
    "max_rows_per_shard": "50000",
    "row_group_rows": "1000",
    "files_per_batch": "32",
    "batch_bytes": "33554432",
    "max_record_bytes": "1048576",
    "max_decompressed_bytes": "134217728",
    "extraction_budget_seconds": "10",
}


@pytest.fixture(scope="module")
def parameters() -> dict[str, dict]:
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    assert metadata["name"] and metadata["description"] and metadata["streaming"] is False
    names = [p["name"] for p in metadata["parameters"]]
    assert len(names) == len(set(names)), "duplicate parameter"
    return {p["name"]: p for p in metadata["parameters"]}


def flags() -> dict[str, argparse.Action]:
    return {
        action.dest: action
        for action in build_parser(PROG)._actions
        if action.option_strings and action.dest != "help"
    }


def test_parameters_are_exactly_the_pipeline_flags(parameters):
    known = flags()
    assert set(parameters) <= set(known), set(parameters) - set(known)
    assert set(parameters) | set(LEFT_OUT) == set(known), "a flag is neither offered nor left out"
    assert not set(parameters) & set(LEFT_OUT)
    for name in parameters:
        assert not isinstance(known[name], argparse._StoreTrueAction), f"{name} is a switch"


def test_each_parameter_is_described(parameters):
    for name, parameter in parameters.items():
        assert parameter["label"] and len(parameter["helpText"]) > 20, name
        assert parameter["isOptional"] is (name not in ("input", "output")), name
        assert parameter.get("regexes"), f"{name} accepts anything"


def test_regexes_accept_the_flag_choices_and_the_example(parameters):
    known = flags()
    for name, parameter in parameters.items():
        patterns = [re.compile(r) for r in parameter["regexes"]]
        values = [EXAMPLE[name], *(known[name].choices or ())]
        for value in values:
            assert all(p.fullmatch(value) for p in patterns), (name, value)
    rejected = {"input": "crawl/*.warc.gz", "dedup": "fuzzy", "dedup_threshold": "1.5"}
    for name, value in rejected.items():
        assert not all(re.fullmatch(r, value) for r in parameters[name]["regexes"]), name


def test_the_example_launch_parses(parameters):
    argv = [f"--{name}={EXAMPLE[name]}" for name in parameters]
    argv += ["--runner=DataflowRunner", "--project=p", "--region=us-central1"]
    options, settings = parse_args(argv)
    assert settings.inputs == (EXAMPLE["input"],) and settings.output == EXAMPLE["output"]
    assert settings.documents.languages == ("de", "en", "zh")
    assert settings.documents.dedup_threshold == 0.85
    assert options.get_all_options()["runner"] == "DataflowRunner"


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def test_the_image_is_the_beam_sdk_image_of_this_version_plus_the_launcher():
    steps = instructions()
    froms = [arg for op, arg in steps if op == "FROM"]
    assert froms[-1] == f"apache/beam_python3.11_sdk:{beam.__version__}"
    assert froms[0].startswith("gcr.io/dataflow-templates-base/python311-template-launcher-base")
    runs = " ".join(arg for op, arg in steps if op == "RUN")
    assert f'"apache-beam[gcp]=={beam.__version__}" .' in runs
    copies = [arg.split() for op, arg in steps if op == "COPY"]
    launcher = "/opt/google/dataflow/python_template_launcher"
    assert ["--from=launcher", launcher, launcher] in copies
    for *sources, _ in (c for c in copies if not c[0].startswith("--from")):
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
    assert dict(steps)["ENTRYPOINT"] == '["/opt/apache/beam/boot"]'


def test_the_launcher_entry_point_runs_the_pipeline():
    steps = instructions()
    env = dict(arg.split("=", 1) for op, arg in steps if op == "ENV")
    entry = env["FLEX_TEMPLATE_PYTHON_PY_FILE"]
    workdir = dict(steps)["WORKDIR"]
    writes = [arg for op, arg in steps if op == "RUN" and arg.endswith(f"> {Path(entry).name}")]
    assert entry == f"{workdir}/{Path(entry).name}" and len(writes) == 1
    source = re.match(r"printf '(.*)' >", writes[0]).group(1).encode().decode("unicode_escape")
    compile(source, entry, "exec")
    assert "from pipelines.crawl_to_shards import run" in source
