"""The core stays pure: importing it pulls in neither Qt nor bleak, and --help starts fast."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "hrvcoach.beats",
    "hrvcoach.pacer",
    "hrvcoach.session",
    "hrvcoach.timing",
    "hrvcoach.hrm",
    "hrvcoach.hrv",
    "hrvcoach.live",
    "hrvcoach.artifacts",
    "hrvcoach.recording",
    "hrvcoach.readers",
    "hrvcoach.analysis",
    "hrvcoach.assess",
    "hrvcoach.protocols.phases",
    "hrvcoach.protocols.signals",
    "hrvcoach.protocols.resonance",
    "hrvcoach.protocols.resonance.recordings",
    "hrvcoach.store",
    "hrvcoach.training",
    "hrvcoach.pmd",
    "hrvcoach.signals",
]


def _modules_after_import(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_core_imports_neither_qt_nor_bleak() -> None:
    import importlib.util

    present = [m for m in CORE if importlib.util.find_spec(m) is not None]
    assert "hrvcoach.beats" in present
    mods = _modules_after_import("\n".join(f"import {m}" for m in present))
    assert not {m for m in mods if m.startswith(("PySide6", "pyqtgraph", "bleak", "qasync"))}


def test_cli_help_does_not_import_heavy_libraries() -> None:
    mods = _modules_after_import(
        "import contextlib, io\n"
        "from hrvcoach.cli import build_parser\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        build_parser().parse_args(['--help'])\n"
        "    except SystemExit:\n        pass"
    )
    heavy = {"neurokit2", "PySide6", "pyqtgraph", "bleak", "pandas", "scipy", "fitdecode"}
    assert not {m.split(".")[0] for m in mods} & heavy


def test_training_core_takes_time_as_an_argument() -> None:
    """The training rules never read the clock, files or Qt: dates come in as arguments."""
    from pathlib import Path

    import hrvcoach.training

    root = Path(hrvcoach.training.__file__).parent
    banned = (
        "datetime.now",
        "date.today",
        ".now(",
        "time.time",
        "time.monotonic",
        "open(",
        "Path(",
        "PySide6",
        "sqlite3",
    )
    for source in sorted(root.glob("*.py")):
        text = source.read_text(encoding="utf-8")
        found = [word for word in banned if word in text]
        assert not found, f"{source.name} uses {found}"


def test_every_package_is_listed_for_installation() -> None:
    """A package missing from pyproject's list imports in a checkout but not from a built wheel."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set()
    tops = ((root / "src" / "hrvcoach", "hrvcoach"), (root / "drivers", "hrvcoach.drivers"))
    for top, name in tops:
        for init in top.rglob("__init__.py"):
            found.add(".".join([name, *init.parent.relative_to(top).parts]))
    assert found == listed
