"""Garmin FIT activities with ``hrv`` messages (beat-to-beat intervals recorded by the watch).

Each ``hrv`` message holds up to five RR intervals in seconds; empty slots are invalid values
(0xFFFF, which fitdecode gives as ``None``). The start time is ``file_id.time_created`` (UTC). The
heart-rate sensor is the ``device_info`` with ANT+ type ``heart_rate``; when it is Garmin's optical
wrist sensor ("OHR"), the intervals are pulse estimates, not ECG beats, and a warning says so.

A file cut short keeps the intervals read before the break (warned); a CRC mismatch is warned too.
"""

from __future__ import annotations

import io
import warnings
from datetime import datetime
from pathlib import Path

from hrvcoach.errors import RecordingError
from hrvcoach.readers._common import Problems, beat_events, local_time
from hrvcoach.recording import Recording, RecordingMeta

#: an hrv slot at or above this (65.535 s = 0xFFFF ms) is the "invalid" marker, not an interval
INVALID_S = 65.535
OPTICAL_PRODUCTS = {"ohr", "elevate"}


def _sensor_name(fields: dict[str, object]) -> str:
    maker = str(fields.get("manufacturer") or "").strip()
    product = fields.get("garmin_product") or fields.get("product_name") or fields.get("product")
    name = " ".join(str(p) for p in (maker.capitalize() if maker else "", product) if p)
    return name or "heart-rate sensor"


def read(path: Path, data: bytes) -> Recording:
    """Read the ``hrv`` messages of a FIT file."""
    import fitdecode

    problems = Problems(path)
    rr_ms: list[float] = []
    created: datetime | None = None
    creator: str | None = None
    sensor: dict[str, object] | None = None
    messages = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with fitdecode.FitReader(
                io.BytesIO(data),
                check_crc=fitdecode.CrcCheck.RAISE,
                error_handling=fitdecode.ErrorHandling.RAISE,
            ) as reader:
                for frame in reader:
                    if not isinstance(frame, fitdecode.FitDataMessage):
                        continue
                    messages += 1
                    if frame.name == "hrv":
                        slots = frame.get_value("time", fallback=None) or ()
                        if not isinstance(slots, tuple | list):
                            slots = (slots,)
                        for value in slots:
                            # 0 and the invalid marker are empty slots, not intervals
                            if value is not None and 0 < float(value) < INVALID_S:
                                rr_ms.append(round(float(value) * 1000.0, 6))
                    elif frame.name == "file_id":
                        created = frame.get_value("time_created", fallback=None)
                        product = frame.get_value("garmin_product", fallback=None)
                        creator = f"Garmin {product}" if product else None
                    elif frame.name == "device_info" and sensor is None:
                        fields = {f.name: f.value for f in frame.fields}
                        if fields.get("antplus_device_type") == "heart_rate":
                            sensor = fields
        except fitdecode.FitHeaderError as err:
            raise RecordingError(path, f"not a FIT file ({err})") from None
        except (fitdecode.FitEOFError, fitdecode.FitParseError) as err:
            if not rr_ms:
                raise RecordingError(path, f"damaged FIT file ({err})") from None
            problems.warn(f"the FIT file is cut short or damaged ({err}); kept what was read")
        except fitdecode.FitCRCError:
            problems.warn("the FIT file's checksum does not match; it may be damaged")
        except fitdecode.FitError as err:
            raise RecordingError(path, f"damaged FIT file ({err})") from None
    for warning in caught:
        problems.warn(f"fitdecode: {warning.message}")
    if not rr_ms:
        raise RecordingError(
            path,
            "no hrv (beat-to-beat) messages in this FIT file: turn on the watch's R-R logging",
        )
    device = creator
    optical = False
    if sensor is not None:
        device = _sensor_name(sensor)
        optical = str(sensor.get("garmin_product", "")).lower() in OPTICAL_PRODUCTS
    if optical:
        problems.warn(
            "the intervals come from an optical wrist sensor: smoothed pulse estimates, "
            "not beat-to-beat ECG intervals; HRV from them is unreliable"
        )
    start = local_time(created) if isinstance(created, datetime) else None
    meta = RecordingMeta(
        format="garmin-fit",
        device=device,
        start_time=start,
        start_time_source="file" if start else None,
        extra={"recorded_by": creator, "optical": optical, "fit_messages": messages},
    )
    return Recording(path, meta, beat_events(rr_ms, problems=problems), tuple(problems.items))
