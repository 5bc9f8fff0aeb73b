"""benchmarks/asset_size.py measures the Lambda assets without stripping; these check that it counts what Lambda
counts (regular files, not symlinks) and that a target can really switch stripping off."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import asset_size  # noqa: E402

from infra import assets  # noqa: E402


def test_sizes_fold_a_package_s_libs_and_dist_info_into_it_and_skip_symlinks(tmp_path):
    for name, size in {"numpy/core.so": 300, "numpy.libs/openblas.so": 200, "numpy-2.5.5.dist-info/RECORD": 10,
                       "babel/data.dat": 50}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    (tmp_path / "numpy" / "link.so").symlink_to(tmp_path / "numpy" / "core.so")
    total, parts = asset_size.size_of(tmp_path)
    assert parts == {"numpy": 510, "babel": 50}
    assert total == 560


def test_the_unstripped_target_installs_for_lambda_arm64_and_never_strips(tmp_path, monkeypatch):
    stripped = []
    monkeypatch.setattr(assets, "_strip_native_libraries", stripped.append)
    assert asset_size.UNSTRIPPED.platforms == assets.LAMBDA_ARM64.platforms
    assets._slim(tmp_path, asset_size.UNSTRIPPED)
    assert stripped == []
    assets._slim(tmp_path, dataclasses.replace(asset_size.UNSTRIPPED, strip_native=True))
    assert stripped == [tmp_path]
