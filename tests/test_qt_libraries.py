"""Where Qt cannot open a window, the message names the system libraries the loader cannot find
and the one command that installs them (Qt itself names libxcb-cursor0 whatever is missing)."""

from __future__ import annotations

import ctypes

import pytest

from hrvcoach import display


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libfontconfig.so.1", "libfontconfig1"),
    ],
)
def test_a_library_maps_to_its_debian_package(soname: str, package: str) -> None:
    assert display.debian_package(soname) == package


def test_the_missing_libraries_are_the_ones_the_loader_cannot_load() -> None:
    missing = display.missing_qt_libraries()
    if not missing:
        pytest.skip("every library Qt's X11 plugin needs is installed here")
    for soname in missing:
        with pytest.raises(OSError, match="cannot open shared object"):
            ctypes.CDLL(soname)
    ctypes.CDLL("libxcb.so.1")  # one it needs that is there is not named
    assert "libxcb.so.1" not in missing


def test_qt_failing_on_a_display_names_what_is_missing_and_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = display.missing_qt_libraries()
    if not missing:
        pytest.skip("every library Qt's X11 plugin needs is installed here")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")  # named, but Qt cannot start on it here
    display.qt_problem.cache_clear()
    try:
        problem = display.qt_problem()
    finally:
        display.qt_problem.cache_clear()
    assert problem is not None
    assert "\n" not in problem
    packages = " ".join(display.debian_package(s) for s in missing)
    assert f"sudo apt-get install {packages}" in problem
    for soname in missing:
        assert soname in problem
    if "libxcb-cursor.so.0" not in missing:
        assert "cursor" not in problem  # Qt's own guess, wrong here
