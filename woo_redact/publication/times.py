"""Times in a bundle: DiWoo wants full dateTimes, and Dutch documents are in Amsterdam time."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam(dt: datetime) -> datetime:
    """`dt` in Europe/Amsterdam time: aware datetimes are converted, naive ones are taken as local time. A
    local time in the hour that summer time skips ("02:30" on its first day) is taken as summer time; one
    in the hour that is passed twice when it ends, as the first (summer time) of the two.

    The result carries its fixed offset (+01:00 or +02:00), not the zone: two times of the zone compare
    by their clock, and in the hour passed twice the later one can read earlier."""
    if dt.tzinfo is not None:
        local = dt.astimezone(AMSTERDAM)
    else:
        local = dt.replace(tzinfo=AMSTERDAM)
        if local.astimezone(timezone.utc).astimezone(AMSTERDAM).replace(tzinfo=None) != dt:  # skipped hour
            local = local.replace(fold=1)
    return local.replace(tzinfo=timezone(local.utcoffset()), fold=0)


def stamp(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat()
