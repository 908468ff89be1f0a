"""List the heart-rate straps in range: every device advertising the Heart Rate Service (0x180D).

Shows name, address and signal strength (RSSI, strongest first); a strap already connected to
this computer sends no advertisements and is listed as connected. Connect to one with
``hrvcoach practice --device NAME`` (an exact name, a unique start of one, or the address).
With ``--json`` the list is printed as JSON (an empty list when nothing was found); otherwise
finding nothing is an error with a hint.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from hrvcoach.commands._args import number

if TYPE_CHECKING:
    from hrvcoach.drivers.ble_scan import FoundDevice


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=number(0.0, 600.0, low_open=True),
        default=5.0,
        metavar="S",
        help="seconds to listen for straps (default: 5)",
    )
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.add_argument("--adapter", metavar="NAME", help="Bluetooth adapter to use (e.g. hci1)")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import shlex
    from dataclasses import asdict

    from hrvcoach.drivers.ble_scan import scan
    from hrvcoach.errors import DeviceError, UsageError

    if not args.timeout > 0:
        raise UsageError(f"--timeout must be positive, not {args.timeout:g}")
    devices = asyncio.run(scan(args.timeout, adapter=args.adapter))
    if args.json:
        sys.stdout.write(json.dumps([asdict(d) for d in devices], indent=2) + "\n")
        return 0
    if not devices:
        raise DeviceError(
            f"no heart-rate strap found in {args.timeout:g} s: wear the strap (most sleep "
            "until their electrodes are moist) and close other apps connected to it"
        )
    width = max(len(d.name or "(no name)") for d in devices)
    lines = [f"{'NAME':<{width}}  {'ADDRESS':<17}  SIGNAL"]
    for d in devices:
        lines.append(f"{d.name or '(no name)':<{width}}  {d.address:<17}  {_signal(d)}")
    first = devices[0].name or devices[0].address
    lines.append("")
    lines.append(f"connect with: hrvcoach practice --device {shlex.quote(first)}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _signal(device: FoundDevice) -> str:
    if device.connected:
        return "connected"  # not advertising, so no signal strength to show
    return f"{device.rssi} dBm" if device.rssi is not None else "?"
