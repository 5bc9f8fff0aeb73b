"""The layout's promise, checked: dependencies point one way (function handlers -> web -> domain -> integration
-> core) and no function imports another function's package. The contracts live in pyproject.toml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(cwd: Path) -> str:
    """lint-imports' report (colours removed), run in `cwd` on the `functions` package found there."""
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    result = subprocess.run([command, "--no-cache"], cwd=cwd, capture_output=True, text=True,
                            env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})
    return f"exit {result.returncode}\n" + re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def _copy_with_import(tmp_path: Path, module: str, statement: str) -> Path:
    """A copy of the project in which `module` (a path under functions/) also runs `statement`."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "functions", copy / "functions", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    path = copy / "functions" / module
    path.write_text(path.read_text() + f"\n{statement}  # noqa: E402\n")
    return copy


def test_the_import_contracts_are_kept():
    # When import-linter checks the project's contracts
    report = _lint_imports(ROOT)
    # Then every contract is kept
    assert report.startswith("exit 0"), report
    assert "3 kept, 0 broken" in report


def test_a_domain_module_importing_the_web_layer_breaks_the_layers_contract(tmp_path):
    # Given a copy of the project in which a domain module imports the web layer (an upward dependency)
    copy = _copy_with_import(tmp_path, "domain/moves.py", "from functions.web import responses")
    # When the contracts are checked
    report = _lint_imports(copy)
    # Then the layers contract is broken and names the import
    assert report.startswith("exit 1")
    assert "Layers: function handlers -> web -> domain -> integration -> core BROKEN" in report
    assert "functions.domain.moves -> functions.web.responses" in report


def test_one_function_importing_another_breaks_the_independence_contract(tmp_path):
    # Given a copy in which the notify function imports the cancel function's routes
    copy = _copy_with_import(tmp_path, "notify/handler.py", "from functions.cancel import routes")
    # When the contracts are checked
    report = _lint_imports(copy)
    # Then the independence contract is broken
    assert report.startswith("exit 1")
    assert "No function imports another function's package BROKEN" in report
    assert "functions.notify.handler -> functions.cancel.routes" in report


def test_no_module_is_over_400_lines_and_no_folder_holds_more_than_15_modules():
    modules = list((ROOT / "functions").rglob("*.py"))
    long = {p.relative_to(ROOT).as_posix(): n for p in modules if (n := len(p.read_text().splitlines())) > 400}
    crowded = {}
    for folder in {p.parent for p in modules}:
        count = len([p for p in folder.glob("*.py") if p.name != "__init__.py"])
        if count > 15:
            crowded[folder.relative_to(ROOT).as_posix()] = count
    assert long == {}
    assert crowded == {}
