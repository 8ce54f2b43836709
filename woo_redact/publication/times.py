"""Times in a bundle: DiWoo wants full dateTimes, and Dutch documents are in Amsterdam time."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def amsterdam(dt: datetime) -> datetime:
    """`dt` with the Europe/Amsterdam offset (EU summer time rule): aware datetimes are converted, naive
    ones are taken as local time."""
    if dt.tzinfo is not None:
        utc = dt.astimezone(timezone.utc).replace(tzinfo=None)
        start = datetime.combine(_last_sunday(utc.year, 3), time(1))
        end = datetime.combine(_last_sunday(utc.year, 10), time(1))
        offset = 2 if start <= utc < end else 1
        return (utc + timedelta(hours=offset)).replace(tzinfo=timezone(timedelta(hours=offset)))
    start = datetime.combine(_last_sunday(dt.year, 3), time(2))
    end = datetime.combine(_last_sunday(dt.year, 10), time(3))
    return dt.replace(tzinfo=timezone(timedelta(hours=2 if start <= dt < end else 1)))


def stamp(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat()
