"""Lambda packaging without Docker: one asset folder per function under build/lambda/<name>/.

Each folder holds the runtime dependencies, installed by pip from wheels built for the Lambda platform
(`pip install --platform manylinux..._aarch64 --only-binary=:all: --python-version 3.14 --target ...`), and
the `functions/` package beside them. The dependencies come from pyproject.toml: `[project].dependencies` for
every function, plus `[project.optional-dependencies].analytics` for the analytics function and `.m365` (msal, for
Microsoft 365 calendars) for the notify function.

Installed dependency sets are cached under build/lambda/.deps/<hash>/, the hash taken over the requirements,
the target platform and this module's format version, so a repeated synth only re-copies the functions
package.

Slimming, so every function stays well inside Lambda's 250 MiB unzipped limit (analytics, the largest with
NumPy, is about 117 MB unstripped; tests/infra/test_infra_asset_size.py holds it under 200 MB):
- bytecode written by the target's own Python, never pip's (which would be for the build machine's): see
  `bytecode_interpreter`;
- no `tests` folders of third-party packages;
- no AWS SDK (boto3, botocore, s3transfer) in Lambda assets: every Lambda Python runtime ships it;
- native libraries that still carry a symbol table are stripped when llvm-strip is installed.
A folder still over the limit fails the build with a breakdown of what is big.

No dependency without a wheel for the platform is ever built from source: pip's refusal becomes an
AssetBuildError that names the platform and the requirement pip could not satisfy.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_ROOT = ROOT / "build" / "lambda"
FUNCTIONS_PACKAGE = "functions"
# Bump when the layout of a built folder changes, so old caches are not reused.
FORMAT_VERSION = "2"
# Lambda's limit for a function's unzipped code (with its layers): 250 MiB.
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024
# The Lambda runtime provides these; shipping our own copy would cost about 26 MB per function.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
# Functions that need the analytics extra on top of the runtime dependencies.
EXTRAS_BY_FUNCTION = {"analytics": ("analytics",), "notify": ("m365",)}


class AssetBuildError(RuntimeError):
    """The asset could not be built for the target platform (no wheel, too big, pip failed)."""


@dataclass(frozen=True)
class Target:
    """What the dependencies are installed for."""

    name: str
    platforms: tuple[str, ...] = ()  # pip --platform values; empty: the running interpreter's platform
    python_version: str | None = None  # pip --python-version; None: the running interpreter's
    implementation: str = "cp"
    include_runtime_provided: bool = (
        False  # keep boto3/botocore/s3transfer (a host stands in for the runtime)
    )
    enforce_size_limit: bool = True
    strip_native: bool = True  # strip native libraries when llvm-strip is installed (not for hosts)
    pip_args: tuple[str, ...] = ()  # extra pip options, e.g. a private index

    @property
    def is_host(self) -> bool:
        return not self.platforms


# Lambda's Python runtime version, kept in one place: infra/constructs/functions.py picks the runtime from it.
LAMBDA_PYTHON_VERSION = "3.14"

# Lambda arm64 (Graviton) on Amazon Linux 2023, glibc 2.34: manylinux2014 (glibc 2.17) up to manylinux_2_34.
LAMBDA_ARM64 = Target(
    name="lambda-arm64",
    platforms=("manylinux2014_aarch64", "manylinux_2_28_aarch64", "manylinux_2_34_aarch64"),
    python_version=LAMBDA_PYTHON_VERSION,
)

# The machine running the build: used by the tests to import every handler from a built folder, which an
# aarch64 build cannot do on an x86_64 host (its native extensions would not load).
HOST = Target(name="host", include_runtime_provided=True, enforce_size_limit=False)


def pyproject(root: Path = ROOT) -> dict:
    with (root / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def requirements_for(function_name: str, root: Path = ROOT) -> list[str]:
    """The pinned requirements a function's asset installs, read from pyproject.toml."""
    project = pyproject(root)["project"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in EXTRAS_BY_FUNCTION.get(function_name, ()):
        if extra not in optional:
            raise AssetBuildError(
                f"pyproject.toml has no [project.optional-dependencies].{extra} for {function_name}"
            )
        requirements.extend(optional[extra])
    return requirements


def dependency_hash(requirements: list[str], target: Target) -> str:
    python_version = target.python_version or f"{sys.version_info.major}.{sys.version_info.minor}"
    payload = json.dumps(
        {
            "format": FORMAT_VERSION,
            "requirements": sorted(requirements),
            "platforms": list(target.platforms) or [f"host-{os.uname().machine}"],
            "python": python_version,
            "implementation": target.implementation,
            "runtime_provided": target.include_runtime_provided,
            "pip_args": list(target.pip_args),
            "bytecode": bytecode_interpreter(target) is not None,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def tree_hash(folder: Path) -> str:
    """A hash of the files under `folder` (names and contents), ignoring bytecode."""
    digest = hashlib.sha256()
    for path in sorted(_source_files(folder)):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def build_function_asset(
    function_name: str,
    target: Target = LAMBDA_ARM64,
    *,
    root: Path = ROOT,
    build_root: Path | None = None,
) -> Path:
    """Build (or reuse) the asset folder of one function and return it.

    The folder is build/lambda/<name>/ for the Lambda target and build/lambda/<target>/<name>/ for others.
    """
    build_root = build_root or root / "build" / "lambda"
    requirements = requirements_for(function_name, root)
    deps = _dependencies(requirements, target, build_root)
    source = root / FUNCTIONS_PACKAGE
    if not (source / "__init__.py").is_file():
        raise AssetBuildError(f"{source} is not a package: nothing to put in the {function_name} asset")
    folder = (
        build_root / function_name if target == LAMBDA_ARM64 else build_root / target.name / function_name
    )
    stamp = json.dumps({"deps": deps.name, "functions": tree_hash(source)})
    if (folder / ".asset-stamp").is_file() and (folder / ".asset-stamp").read_text() == stamp:
        return folder
    with _lock(build_root, f"asset-{target.name}-{function_name}"):
        staging = folder.with_name(folder.name + ".staging")
        shutil.rmtree(staging, ignore_errors=True)
        _link_tree(deps, staging)
        shutil.copytree(
            source,
            staging / FUNCTIONS_PACKAGE,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"),
        )
        _compile_bytecode(staging / FUNCTIONS_PACKAGE, target)
        (staging / ".asset-stamp").write_text(stamp)
        if target.enforce_size_limit:
            _check_size(staging, function_name, target)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    return folder


def build_function_assets(
    function_names: list[str],
    target: Target = LAMBDA_ARM64,
    *,
    root: Path = ROOT,
    build_root: Path | None = None,
) -> dict[str, Path]:
    """Build several functions' assets (one pip run per distinct set of requirements, then cached)."""
    return {
        name: build_function_asset(name, target, root=root, build_root=build_root) for name in function_names
    }


def asset_hash(folder: Path) -> str:
    """A content hash for CDK, from the stamp (cheaper than CDK fingerprinting hundreds of MB)."""
    return hashlib.sha256((folder / ".asset-stamp").read_bytes()).hexdigest()


def placeholder_asset(root: Path = ROOT) -> Path:
    """A tiny folder standing in for every function's code when the build is skipped (synth-only tests)."""
    folder = root / "build" / "lambda" / "_placeholder"
    folder.mkdir(parents=True, exist_ok=True)
    readme = folder / "README.txt"
    text = "Placeholder code: synthesized with -c skipAssetBuild=true. Never deploy this.\n"
    if not readme.is_file() or readme.read_text() != text:
        readme.write_text(text)
    return folder


def bytecode_interpreter(target: Target) -> str | None:
    """The interpreter that writes an asset's bytecode, or None when this machine has none for the target.

    Lambda's /var/task is read-only, so a module shipped without its .pyc is compiled again at every cold start
    (the cancel handler's import from its asset: 927 ms with bytecode, 2,179 ms without; benchmarks/
    asset_bytecode.py). A .pyc is only valid for the Python minor version that wrote it: the running interpreter
    for a host build, else `python<version>` on the PATH (install Python 3.14 on the machine that deploys; without
    it the assets carry no bytecode and the build says so)."""
    wanted = target.python_version
    if wanted is None or wanted == f"{sys.version_info.major}.{sys.version_info.minor}":
        return sys.executable
    return shutil.which(f"python{wanted}")


# --- internals ---------------------------------------------------------------------------------------------


def _dependencies(requirements: list[str], target: Target, build_root: Path) -> Path:
    deps = build_root / ".deps" / f"{target.name}-{dependency_hash(requirements, target)}"
    if (deps / ".complete").is_file():
        return deps
    with _lock(build_root, deps.name):
        if (deps / ".complete").is_file():  # built by another process while we waited
            return deps
        staging = deps.with_name(deps.name + ".staging")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        _pip_install(requirements, target, staging)
        _slim(staging, target)
        _compile_bytecode(staging, target)
        (staging / ".complete").write_text("\n".join(requirements) + "\n")
        shutil.rmtree(deps, ignore_errors=True)
        staging.rename(deps)
    return deps


def _pip_install(requirements: list[str], target: Target, into: Path) -> None:
    requirements_file = into.parent / f"{into.name}.requirements.txt"
    requirements_file.write_text("\n".join(requirements) + "\n")
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--only-binary=:all:",
        "--no-compile",
        "--target",
        str(into),
        "-r",
        str(requirements_file),
    ]
    if not target.is_host:
        for platform in target.platforms:
            command += ["--platform", platform]
        command += [
            "--python-version",
            target.python_version or "",
            "--implementation",
            target.implementation,
        ]
    command += list(target.pip_args)
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        requirements_file.unlink(missing_ok=True)
    if result.returncode != 0:
        stderr = "\n".join(
            line for line in result.stderr.splitlines() if "is ignored: it is neither" not in line
        )
        where = ", ".join(target.platforms) or "this machine"
        hint = ""
        if "No matching distribution" in stderr or "Could not find a version" in stderr:
            hint = (
                f"\nA dependency has no binary wheel for {where} "
                f"(CPython {target.python_version or 'host'}); "
                "Lambda assets are never built from source. Pin a version that publishes such a wheel, "
                "or drop the dependency."
            )
        raise AssetBuildError(
            f"pip could not install the Lambda dependencies for {where}:{hint}\n{stderr[-4000:]}"
        )


def _slim(folder: Path, target: Target) -> None:
    for pycache in list(folder.rglob("__pycache__")):
        shutil.rmtree(pycache, ignore_errors=True)
    for tests in sorted((p for p in folder.rglob("tests") if p.is_dir()), key=lambda p: len(p.parts)):
        shutil.rmtree(tests, ignore_errors=True)
    if not target.include_runtime_provided:
        for name in RUNTIME_PROVIDED:
            shutil.rmtree(folder / name, ignore_errors=True)
            for info in folder.glob(f"{name}-*.dist-info"):
                shutil.rmtree(info, ignore_errors=True)
    shutil.rmtree(folder / "bin", ignore_errors=True)  # console scripts: never run in Lambda
    if not target.is_host and target.strip_native:
        _strip_native_libraries(folder)


def _compile_bytecode(folder: Path, target: Target) -> None:
    """Write the .pyc of every module under `folder`, unchecked: an asset never changes after it is built, so
    the runtime need not compare sources (whose timestamps the zip does not keep) with their bytecode."""
    interpreter = bytecode_interpreter(target)
    if interpreter is None:
        _say_without_bytecode(target)
        return
    # A file that does not compile (a package's Python 2 example, say) is never imported: compileall's exit
    # status is not an error here.
    subprocess.run([interpreter, "-m", "compileall", "-q", "-q", "-j", "0", "--invalidation-mode",
                    "unchecked-hash", str(folder)], capture_output=True, check=False)


@functools.cache
def _say_without_bytecode(target: Target) -> None:
    print(f"note: no python{target.python_version} on this machine, so the {target.name} assets carry no bytecode "
          "and every cold start compiles them (infra/assets.py, bytecode_interpreter)", file=sys.stderr)


def _strip_native_libraries(folder: Path) -> None:
    strip = shutil.which("llvm-strip") or shutil.which("aarch64-linux-gnu-strip")
    if strip is None:
        return
    libraries = [p for p in folder.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    for start in range(0, len(libraries), 200):
        subprocess.run(
            [strip, "--strip-unneeded", *map(str, libraries[start : start + 200])],
            capture_output=True,
            check=False,
        )


def _check_size(folder: Path, function_name: str, target: Target) -> None:
    sizes: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            top = path.relative_to(folder).parts[0]
            sizes[top] = sizes.get(top, 0) + path.stat().st_size
    total = sum(sizes.values())
    if total <= LAMBDA_UNZIPPED_LIMIT_BYTES:
        return
    biggest = sorted(sizes.items(), key=lambda kv: kv[1], reverse=True)[:12]
    lines = "\n".join(f"  {size / 1e6:8.1f} MB  {name}" for name, size in biggest)
    stripped = (
        ""
        if shutil.which("llvm-strip")
        else " (llvm-strip is not installed: `apt-get install llvm` saves ~40 MB)"
    )
    raise AssetBuildError(
        f"the {function_name} asset for {target.name} is {total / 1e6:.1f} MB unzipped, "
        f"over Lambda's limit of "
        f"{LAMBDA_UNZIPPED_LIMIT_BYTES / 1e6:.1f} MB{stripped}. Biggest parts:\n{lines}"
    )


def _source_files(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


def _link_tree(source: Path, destination: Path) -> None:
    """Copy a tree as hard links where the filesystem allows (fast and free), else as copies."""

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(
        source,
        destination,
        copy_function=link_or_copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(".complete"),
    )


@contextlib.contextmanager
def _lock(build_root: Path, name: str):
    """An exclusive lock between processes (a synth and a test run) building the same thing."""
    (build_root / ".locks").mkdir(parents=True, exist_ok=True)
    with (build_root / ".locks" / name).open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


if __name__ == "__main__":  # python -m infra.assets [function ...]: build assets ahead of a synth
    from infra.topology import FUNCTIONS

    for name, folder in build_function_assets(sys.argv[1:] or [f.name for f in FUNCTIONS]).items():
        print(name, folder)
