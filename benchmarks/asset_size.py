"""How big each function's Lambda asset is unpacked, without stripping native libraries, and what is big in it.

infra/assets.py keeps the analytics asset under Lambda's 250 MiB only with `llvm-strip` (docs/deploy.md); issue #18
asks for under 200 MB without it. This prints the figures that decision needs: every function's asset built for
Lambda arm64 exactly as a synth builds it (pip --platform ..._aarch64, no bytecode, no tests folders, no AWS SDK)
but with stripping off, its total and its biggest parts; then, for analytics, the two halves a split of training
from serving would leave (a serving function that scores with NumPy alone, a training function with scikit-learn
and only the runtime the model code needs).

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
# What the risk model's code imports besides scikit-learn and NumPy (functions/analytics/risk*.py and the stores
# it reads and writes): the runtime a training-only function would carry.
TRAINING_RUNTIME = ("aws-lambda-powertools", "aws-xray-sdk", "pydantic", "pynamodb", "pyyaml", "tzdata")


def size_of(folder: Path) -> tuple[int, dict[str, int]]:
    """Bytes of the regular files under `folder` (as infra/assets.py counts them), and per top-level entry with
    a package's `.libs` and `.dist-info` folded into the package."""
    parts: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            top = re.sub(r"(\.libs|-[^-]+\.dist-info)$", "", path.relative_to(folder).parts[0])
            parts[top] = parts.get(top, 0) + path.stat().st_size
    return sum(parts.values()), parts


def _pinned(requirements: list[str], names: tuple[str, ...]) -> list[str]:
    return [r for r in requirements if r.split("==")[0].lower() in names]


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
    if "analytics" not in names:
        return 0
    requirements = assets.requirements_for("analytics")
    functions_bytes, _ = size_of(REPO / assets.FUNCTIONS_PACKAGE)
    numpy_pin = next(f"numpy=={info.name.removesuffix('.dist-info').split('-')[1]}" for info in
                     assets.build_function_asset("analytics", UNSTRIPPED).glob("numpy-*.dist-info"))
    sets = {
        "analytics serving only (NumPy, no scikit-learn)":
            [r for r in requirements if not r.startswith("scikit-learn")] + [numpy_pin],
        "analytics training only (scikit-learn + runtime)":
            _pinned(requirements, TRAINING_RUNTIME) + [r for r in requirements if r.startswith("scikit-learn")],
    }
    print("\nIf training were split from serving (dependencies + the functions package, "
          f"{functions_bytes / 1e6:.1f} MB)")
    build_root = REPO / "build" / "lambda"
    for label, chosen in sets.items():
        deps = assets._dependencies(chosen, UNSTRIPPED, build_root)
        total, parts = size_of(deps)
        parts["functions"] = functions_bytes
        _report(label, total + functions_bytes, parts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
