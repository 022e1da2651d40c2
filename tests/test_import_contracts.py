"""The layers as import-linter checks them ([tool.importlinter] in pyproject.toml), on every test
run: handlers over storage over bot, and a core that imports no platform, SQL or web library,
not even through another module or inside a function."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        missing = (f"import-linter is not installed beside {sys.executable}: "
                   "`pip install -e '.[dev]'` (or `make setup`) brings it")
        if os.environ.get("CI", "").lower() == "true":  # CI installs the dev extras: it must run
            pytest.fail(missing)
        pytest.skip(missing)
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_the_layers_hold() -> None:
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_a_core_module_that_reaches_for_a_door_or_sql_breaks_both_contracts(tmp_path: Path) -> None:
    for package in ("bot", "storage", "handlers"):
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "bot" / "planted.py").write_text(
        "def later() -> None:\n    from handlers.server import build_web_app  # noqa: F401\n",
        encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert "0 kept, 2 broken" in done.stdout
    assert "bot.planted -> handlers.server" in done.stdout
