"""The analytics asset without llvm-strip: a deployment must not depend on a binary tool being installed to fit
Lambda. The build strips native libraries when `llvm-strip` is present (infra/assets.py), which hid how close the
unstripped folder is to the limit; this builds it with stripping off, as a machine without `llvm` would.

Issue #18 asks for under 200 MB unstripped; the asset is 254.2 MB (242.4 MiB) today, so the budget here is still
Lambda's 250 MiB (benchmarks/asset_size.py prints the breakdown, and what a split of training from serving gives).
The first run installs the requirement set with pip for Lambda arm64 (about 75 s, network); later runs reuse
build/lambda/.deps/lambda-arm64-unstripped-<hash>/ and take a few seconds.
"""

from __future__ import annotations

import sys

from infra_helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import asset_size  # noqa: E402

from infra import assets  # noqa: E402

UNSTRIPPED_BUDGET_BYTES = assets.LAMBDA_UNZIPPED_LIMIT_BYTES


def test_the_analytics_asset_fits_lambda_unpacked_without_stripping_native_libraries():
    # Given the analytics asset built for Lambda arm64 exactly as a synth builds it, but not stripped
    folder = assets.build_function_asset("analytics", asset_size.UNSTRIPPED)
    assert (folder / "functions" / "analytics" / "handler.py").is_file()
    assert list(folder.glob("scikit_learn-*.dist-info")), "the risk model's library is in the asset"
    # Then it is within the budget, and the message says what is big when it is not
    total, parts = asset_size.size_of(folder)
    biggest = sorted(parts.items(), key=lambda kv: kv[1], reverse=True)[:8]
    assert total <= UNSTRIPPED_BUDGET_BYTES, (
        f"analytics is {total / 1e6:.1f} MB unstripped, over {UNSTRIPPED_BUDGET_BYTES / 1e6:.1f} MB: "
        + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in biggest))
