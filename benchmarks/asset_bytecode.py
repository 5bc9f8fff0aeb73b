"""What a Lambda asset's bytecode saves at a cold start: each handler imported from its asset folder, with the
.pyc files the build writes, against the same folder without them, and against `import boto3` from that folder.

Lambda's /var/task is read-only, so a module shipped without bytecode is compiled again by every new execution
environment. infra/assets.py writes the bytecode with the target's own Python (bytecode_interpreter). This builds
the folders for this machine (assets.HOST: the same code path and requirements as the Lambda build, the AWS SDK
included as the runtime has it, with its bytecode), copies each without the bytecode of anything but the AWS SDK,
and imports the handler in a clean interpreter (`-S -B`, the folder alone on the path, the production environment
of benchmarks/_local_system.py). Median of N interleaved runs; prints figures, asserts nothing.

    .venv/bin/python benchmarks/asset_bytecode.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from infra import assets  # noqa: E402
from infra.topology import FUNCTIONS  # noqa: E402

AWS_SDK = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "jmespath", "six")  # the runtime's, compiled


def without_bytecode(folder: Path, into: Path) -> Path:
    """A copy of `folder` with no .pyc but the AWS SDK's (the runtime brings that compiled)."""
    def ignore(directory: str, names: list[str]) -> list[str]:
        package = Path(directory).relative_to(folder).parts[:1]
        return [] if package and package[0] in AWS_SDK else [name for name in names if name == "__pycache__"]

    shutil.copytree(folder, into, ignore=ignore, symlinks=True)
    return into


def cold_import(folder: Path, module: str, environment: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-S", "-B", "-c", f"import {module}"],
                   env={**environment, "PYTHONPATH": str(folder)}, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "benchmarks"))
    import _local_system as local

    system = local.start(prefix="bytecode")
    folders = assets.build_function_assets([f.name for f in FUNCTIONS], assets.HOST)
    scratch = Path(tempfile.mkdtemp(prefix="asset-bytecode-"))
    bare = {name: without_bytecode(folder, scratch / name) for name, folder in folders.items()}
    rows = [("baseline", "import boto3", "boto3", folders[FUNCTIONS[0].name])]
    for function in FUNCTIONS:
        module = function.handler.rsplit(".", 1)[0]
        rows += [(function.name, "with bytecode", module, folders[function.name]),
                 (function.name, "without bytecode", module, bare[function.name])]
    samples: dict[tuple[str, str], list[float]] = {(name, kind): [] for name, kind, *_ in rows}
    try:
        for _ in range(args.repeat):  # interleaved: a busy moment on the machine falls on every row alike
            for name, kind, module, folder in rows:
                environment = local.production_env(system, name)
                samples[name, kind].append(cold_import(folder, module, environment))
    finally:
        system.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    base = statistics.median(samples["baseline", "import boto3"])
    print(f"Cold import from the function's asset folder (-S -B), median of {args.repeat} fresh interpreters each")
    print(f"  {'':10s} {'':18s} {'wall ms':>8s} {'vs boto3':>9s}")
    for name, kind, *_ in rows:
        median = statistics.median(samples[name, kind])
        print(f"  {name:10s} {kind:18s} {median * 1000:8.1f} {median / base:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
