"""Lambda assets built without Docker: the dependencies for the Lambda platform and the handlers beside them.

The Lambda target is arm64 (aarch64). This machine may not be (`uname -m`): native extensions built for
aarch64 (pydantic_core, numpy, ...) cannot be imported on x86_64. So:
- the aarch64 folders are checked for content: every handler, every pinned dependency, only aarch64 binaries;
- the import test builds the same folders for the host platform (HOST target, same code path and requirements)
  and imports every handler module from them in a clean interpreter that sees nothing else.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from infra_helpers import ROOT

from infra import assets, topology

ELF_MACHINE_AARCH64 = 183
ELF_MACHINE_X86_64 = 62


def _handler_module(function: topology.Function) -> str:
    return function.handler.rsplit(".", 1)[0]


def _handler_file(folder: Path, function: topology.Function) -> Path:
    return folder / (_handler_module(function).replace(".", "/") + ".py")


def _missing_handlers() -> list[str]:
    return [f.handler for f in topology.FUNCTIONS if not _handler_file(ROOT, f).is_file()]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _installed(folder: Path) -> dict[str, str]:
    """normalised distribution name -> version, from the dist-info folders."""
    found = {}
    for info in folder.glob("*.dist-info"):
        name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
        found[_normalise(name)] = version
    return found


def _elf_machine(path: Path) -> int | None:
    with path.open("rb") as f:
        header = f.read(20)
    if header[:4] != b"\x7fELF":
        return None
    return int.from_bytes(header[18:20], "little")


@pytest.fixture(scope="module")
def arm64_assets() -> dict[str, Path]:
    return assets.build_function_assets([f.name for f in topology.FUNCTIONS], assets.LAMBDA_ARM64)


def test_every_asset_holds_its_handler_and_pinned_dependencies_for_lambda_arm64(arm64_assets):
    # Given the asset folder built for each function (pip --platform manylinux*_aarch64, no Docker)
    for function in topology.FUNCTIONS:
        folder = arm64_assets[function.name]
        assert folder == ROOT / "build" / "lambda" / function.name
        # Then it holds the functions package with the handler
        assert (folder / "functions" / "__init__.py").is_file()
        if _handler_file(ROOT, function).is_file():
            assert _handler_file(folder, function).is_file(), function.handler
        assert not list(folder.rglob("__pycache__")), "bytecode of the build machine got into the asset"
        # And every pinned runtime dependency at its pinned version (the analytics extra only for analytics),
        # except the AWS SDK, which the Lambda runtime provides
        installed = _installed(folder)
        for requirement in assets.requirements_for(function.name):
            name, version = requirement.split("==")
            if _normalise(name) in {_normalise(n) for n in assets.RUNTIME_PROVIDED}:
                assert _normalise(name) not in installed, name
            else:
                assert installed.get(_normalise(name)) == version, (function.name, requirement)
        # NumPy (the risk model) only in analytics, and scikit-learn (a dev dependency) in none
        assert ("numpy" in installed) == (function.name == "analytics"), function.name
        assert "scikit_learn" not in installed and "scipy" not in installed, function.name
        # And msal (Microsoft 365 calendars) only where calendars are written and read
        assert ("msal" in installed) == (function.name == "notify"), function.name


def test_every_native_library_in_the_assets_is_built_for_aarch64(arm64_assets):
    # Given every ELF file in the asset folders
    machines: dict[int, list[str]] = {}
    for folder in {p.resolve() for p in arm64_assets.values()}:
        for path in folder.rglob("*.so*"):
            if path.is_file():
                machine = _elf_machine(path)
                if machine is not None:
                    machines.setdefault(machine, []).append(str(path.relative_to(folder)))
    # Then there are some (pydantic_core, PyYAML, numpy...), and all of them are aarch64
    assert ELF_MACHINE_AARCH64 in machines
    assert set(machines) == {ELF_MACHINE_AARCH64}, {m: paths[:5] for m, paths in machines.items()}
    assert any("pydantic_core" in p and "aarch64" in p for p in machines[ELF_MACHINE_AARCH64])


def test_every_asset_fits_lambdas_unzipped_size_limit(arm64_assets):
    # Given the asset folders
    for name, folder in arm64_assets.items():
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
        # Then each is within Lambda's 250 MiB for unzipped code
        assert size <= assets.LAMBDA_UNZIPPED_LIMIT_BYTES, (name, size)


@pytest.mark.skipif(
    bool(_missing_handlers()), reason=f"handler modules not written yet: {_missing_handlers()}"
)
def test_every_handler_imports_from_an_asset_built_for_this_machine(tmp_path):
    # Given asset folders built the same way for this machine's platform (native extensions for
    # this machine cannot come from the aarch64 build), the AWS SDK included as the runtime has it
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONNOUSERSITE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "STAGE": "test",
        "EVENT_BUS_NAME": "bus",
        "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:test",
        "LINK_SIGNING_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:test",
        "PUBLIC_BASE_URL": "https://example.com/test",
        "REPORT_BUCKET": "reports",
        "POWERTOOLS_SERVICE_NAME": "interview-cancellations",
        "POWERTOOLS_METRICS_NAMESPACE": "InterviewCancellations",
        "LOG_LEVEL": "INFO",
        **{t.env_var: f"test-{t.name}" for t in topology.TABLES},
    }
    probe = (
        "import importlib, importlib.machinery, json, sys\n"
        "compiled = []\n"  # a module whose bytecode is missing or stale is compiled from its source here
        "loader = importlib.machinery.SourceFileLoader\n"
        "source_to_code = loader.source_to_code\n"
        "loader.source_to_code = lambda self, data, path, **kw: compiled.append(str(path)) or"
        " source_to_code(self, data, path, **kw)\n"
        "module = importlib.import_module(sys.argv[1])\n"
        "import pydantic_core\n"
        "handler = callable(getattr(module, 'lambda_handler', None))\n"
        "print(json.dumps({'module': module.__file__, 'handler': handler,"
        " 'pydantic_core': pydantic_core.__file__, 'path': sys.path, 'compiled': compiled}))\n"
    )
    folders = assets.build_function_assets([f.name for f in topology.FUNCTIONS], assets.HOST)
    # When a clean interpreter (no site-packages, no repository on the path) imports each handler module
    running = {
        function.name: subprocess.Popen(
            [sys.executable, "-S", "-B", "-c", probe, _handler_module(function)],
            cwd=tmp_path,
            env={**environment, "PYTHONPATH": str(folders[function.name])},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for function in topology.FUNCTIONS
    }
    for function in topology.FUNCTIONS:
        folder = folders[function.name]
        stdout, stderr = running[function.name].communicate(timeout=180)
        # Then it imports, from the asset folder, with its dependencies from the same folder
        assert running[function.name].returncode == 0, f"{function.handler}:\n{stderr[-3000:]}"
        seen = json.loads(stdout.strip().splitlines()[-1])
        assert seen["module"].startswith(str(folder)), seen
        assert seen["pydantic_core"].startswith(str(folder)), seen
        assert seen["handler"] is True, function.handler
        # And nothing of the asset is compiled at the import: its bytecode was written when it was built
        assert [path for path in seen["compiled"] if path.startswith(str(folder))] == []


def test_a_dependency_without_a_wheel_for_the_platform_fails_with_a_clear_message(tmp_path):
    # Given a project whose only dependency has a wheel for x86_64 but none for aarch64 (a local index)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / "onlyx86-1.0-cp314-cp314-manylinux2014_x86_64.whl").write_bytes(b"not read")
    project = tmp_path / "project"
    (project / "functions").mkdir(parents=True)
    (project / "functions" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\ndependencies = ["onlyx86==1.0"]\n'
    )
    target = assets.Target(
        name="arm64-offline",
        platforms=assets.LAMBDA_ARM64.platforms,
        python_version=assets.LAMBDA_PYTHON_VERSION,
        pip_args=("--no-index", "--find-links", str(wheels)),
    )
    # When its asset is built for Lambda arm64
    with pytest.raises(assets.AssetBuildError) as error:
        assets.build_function_asset("cancel", target, root=project, build_root=tmp_path / "build")
    # Then the build stops, naming the platform and the requirement, and says why
    message = str(error.value)
    assert "manylinux2014_aarch64" in message
    assert "onlyx86" in message
    assert "no binary wheel" in message
    assert not (tmp_path / "build" / "cancel").exists()


def test_bytecode_is_written_by_the_targets_own_python_unchecked_or_not_at_all(tmp_path, capsys):
    # Given a module, and targets this machine has a Python for (its own version) and has not (3.99)
    this_python = f"{sys.version_info.major}.{sys.version_info.minor}"
    same = dataclasses.replace(assets.LAMBDA_ARM64, name="same-python", python_version=this_python)
    missing = dataclasses.replace(assets.LAMBDA_ARM64, name="no-python", python_version="3.99")
    with_bytecode, without = tmp_path / "with", tmp_path / "without"
    for folder in (with_bytecode, without):
        folder.mkdir()
        (folder / "module.py").write_text("VALUE = 1\n")
    # When the bytecode is written for each
    assets._compile_bytecode(with_bytecode, same)
    assets._compile_bytecode(without, missing)
    # Then the first has its .pyc, hash-based and never checked against the source (flags 0b01 in the header),
    cached = with_bytecode / "__pycache__" / f"module.{sys.implementation.cache_tag}.pyc"
    assert int.from_bytes(cached.read_bytes()[4:8], "little") == 0b01
    # and the second none, with a note that says why
    assert not (without / "__pycache__").exists()
    assert "no python3.99 on this machine" in capsys.readouterr().err
    assert assets.bytecode_interpreter(same) == assets.bytecode_interpreter(assets.HOST) == sys.executable
