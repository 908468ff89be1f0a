"""A private ``dbus-daemon`` for the fake BlueZ: its own socket in a temporary folder, no policy."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

DBUS_DAEMON = "/usr/bin/dbus-daemon"

# Everyone may own any name and send anything: the bus exists for one test module only.
CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>hrvcoach-test</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>{deny}
  </policy>
</busconfig>
"""


# The daemon runs under a small shell that reads a pipe from the test process and ends the daemon
# when that pipe closes. The test process closes it on leaving ``private_bus``, and so does the
# kernel when the test process is killed outright (a CI timeout, kill -9), which would otherwise
# leave the daemon running for good.
GUARD = """"$0" "$@" &
daemon=$!
read -r _ || :
kill "$daemon" 2>/dev/null
wait "$daemon"
"""


def dbus_daemon_path() -> str | None:
    """The ``dbus-daemon`` executable, or ``None`` when it is not installed."""
    found = shutil.which("dbus-daemon")
    if found:
        return found
    return DBUS_DAEMON if Path(DBUS_DAEMON).is_file() else None


@contextlib.contextmanager
def private_bus(*, deny_send_to: str | None = None) -> Iterator[str]:
    """Run a private bus for the duration of the ``with`` block and give its address.

    Args:
        deny_send_to: A bus name nobody may send to (a system that keeps users from BlueZ).

    The daemon is ended (and waited for) on exit, so no process outlives the block; nor the
    test process, if it is killed first.
    """
    exe = dbus_daemon_path()
    if exe is None:
        raise FileNotFoundError("dbus-daemon is not installed")
    with tempfile.TemporaryDirectory(prefix="fakebluez-") as tmp:
        config = Path(tmp) / "bus.conf"
        deny = f'\n    <deny send_destination="{deny_send_to}"/>' if deny_send_to else ""
        config.write_text(CONFIG.format(socket=Path(tmp) / "bus", deny=deny), encoding="utf-8")
        proc = subprocess.Popen(
            [
                "/bin/sh",
                "-c",
                GUARD,
                exe,
                "--nofork",
                "--nopidfile",
                f"--config-file={config}",
                "--print-address=1",
                "--print-pid=1",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        daemon_pid: int | None = None
        try:
            assert proc.stdout is not None
            address = proc.stdout.readline().strip()
            pid_text = proc.stdout.readline().strip()
            if not address or not pid_text.isdigit():
                err = proc.stderr.read() if proc.stderr else ""
                raise RuntimeError(f"dbus-daemon did not start: {err.strip()}")
            daemon_pid = int(pid_text)
            yield address
        finally:
            if daemon_pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(daemon_pid, signal.SIGTERM)
            if proc.stdin is not None:
                proc.stdin.close()  # the guard reaps the daemon and exits
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
