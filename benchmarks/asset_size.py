"""How big each function's Lambda asset is unpacked, without stripping native libraries, and what is big in it.

Issue #18 asks for the analytics asset under 200 MB without `llvm-strip` (infra/assets.py strips native libraries
when it is installed, which hid how big the unstripped folder was). This prints the figures: every function's
asset built for Lambda arm64 exactly as a synth builds it (pip --platform ..._aarch64, bytecode only where Python
3.14 is installed, no tests folders, no AWS SDK) but with stripping off, its total and its biggest parts. analytics
was 254.2 MB with scikit-learn and SciPy; the risk model now needs NumPy alone (functions/analytics/linear_model/).
tests/infra/test_infra_asset_size.py holds analytics to the 200 MB.

    .venv/bin/python benchmarks/asset_size.py            # every function
    .venv/bin/python benchmarks/asset_size.py analytics

The first run installs each set with pip (about 15 s each, network); later runs reuse the cache under
build/lambda/.deps/. Prints figures; asserts nothing.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from infra import assets  # noqa: E402
from infra.topology import FUNCTIONS  # noqa: E402

UNSTRIPPED = dataclasses.replace(assets.LAMBDA_ARM64, name="lambda-arm64-unstripped", strip_native=False,
                                 enforce_size_limit=False)
TARGET_BYTES = 200 * 1000 * 1000  # issue #18: under 200 MB unpacked


def size_of(folder: Path) -> tuple[int, dict[str, int]]:
    """Bytes of the regular files under `folder` (as infra/assets.py counts them), and per top-level entry with
    a package's `.libs` and `.dist-info` folded into the package."""
    parts: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            top = re.sub(r"(\.libs|-[^-]+\.dist-info)$", "", path.relative_to(folder).parts[0])
            parts[top] = parts.get(top, 0) + path.stat().st_size
    return sum(parts.values()), parts


def _report(label: str, total: int, parts: dict[str, int], top: int = 8) -> None:
    verdict = "under" if total <= TARGET_BYTES else "OVER"
    print(f"  {label:44s} {total / 1e6:7.1f} MB ({total / 2**20:6.1f} MiB)  {verdict} 200 MB")
    biggest = sorted(parts.items(), key=lambda kv: kv[1], reverse=True)[:top]
    print("      " + ", ".join(f"{name} {size / 1e6:.1f}" for name, size in biggest))


def main(names: list[str]) -> int:
    names = names or [f.name for f in FUNCTIONS]
    print("Lambda assets for arm64, unpacked, native libraries NOT stripped (MB = 10^6 bytes)")
    for name in names:
        started = time.time()
        folder = assets.build_function_asset(name, UNSTRIPPED)
        total, parts = size_of(folder)
        _report(f"{name} (built in {time.time() - started:.0f} s)", total, parts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
