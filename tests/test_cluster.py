"""The Ray pipeline on a local Ray: the same texts as the reader in this process.
Skips when Ray (an optional extra, requirements-cluster.txt) is not installed."""
import glob
import json
import os

import pytest

from conftest import REPO, SHIPPED_TFLITE

ray = pytest.importorskip("ray")

IMAGES = sorted(glob.glob(os.path.join(REPO, "images", "*.png")))


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": REPO}})
    yield
    ray.shutdown()


def test_ray_reads_what_the_reader_reads(local_ray, tmp_path):
    from pyimagesearch.io.image import load_image
    from pyimagesearch.reader.cluster import read_on_ray
    from pyimagesearch.reader.loading import load_reader
    from pyimagesearch.reader.options import ReaderOptions
    options = ReaderOptions(model=SHIPPED_TFLITE)
    read_on_ray(IMAGES, str(tmp_path / "out"), options, actors=2)
    rows = [json.loads(line) for name in glob.glob(str(tmp_path / "out" / "*.json"))
            for line in open(name, encoding="utf-8")]
    reader = load_reader(options)
    expected = {path: reader.read(load_image(path), path).text for path in IMAGES}
    assert {row["image"]: row["text"] for row in rows} == expected
    assert all(row["error"] == "" and json.loads(row["page"])["image"] == row["image"] for row in rows)
