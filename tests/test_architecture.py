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
