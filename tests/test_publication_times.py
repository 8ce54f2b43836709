"""Amsterdam time in a bundle (DiWoo atTime, sitemaps' lastmod, the manifest): winter, summer and the hours
around both changes, for naive local times (a document's date and time) and aware ones (file times)."""
from datetime import datetime, timedelta, timezone

import pytest

from woo_redact.publication.times import amsterdam, stamp

UTC = timezone.utc


@pytest.mark.parametrize("local, expected", [
    (datetime(2025, 1, 15, 12, 0), "2025-01-15T12:00:00+01:00"),  # winter
    (datetime(2025, 7, 1, 9, 30), "2025-07-01T09:30:00+02:00"),  # summer
    (datetime(2025, 12, 31, 23, 59), "2025-12-31T23:59:00+01:00"),
    # summer time starts on 30 March 2025 at 02:00 (the clock jumps to 03:00)
    (datetime(2025, 3, 30, 1, 59), "2025-03-30T01:59:00+01:00"),
    (datetime(2025, 3, 30, 2, 30), "2025-03-30T02:30:00+02:00"),  # a time that does not exist: summer time
    (datetime(2025, 3, 30, 3, 0), "2025-03-30T03:00:00+02:00"),
    (datetime(2025, 3, 29, 2, 30), "2025-03-29T02:30:00+01:00"),
    # summer time ends on 26 October 2025 at 03:00 (the clock goes back to 02:00)
    (datetime(2025, 10, 26, 1, 59), "2025-10-26T01:59:00+02:00"),
    (datetime(2025, 10, 26, 2, 30), "2025-10-26T02:30:00+02:00"),  # passed twice: the first, summer time
    (datetime(2025, 10, 26, 3, 0), "2025-10-26T03:00:00+01:00"),
    (datetime(2024, 3, 31, 2, 0), "2024-03-31T02:00:00+02:00"),
    (datetime(2024, 10, 27, 2, 59), "2024-10-27T02:59:00+02:00"),
])
def test_a_local_time_gets_the_amsterdam_offset(local, expected):
    assert stamp(amsterdam(local)) == expected


@pytest.mark.parametrize("utc, expected", [
    (datetime(2025, 1, 15, 11, 0, tzinfo=UTC), "2025-01-15T12:00:00+01:00"),
    (datetime(2025, 7, 1, 7, 30, tzinfo=UTC), "2025-07-01T09:30:00+02:00"),
    (datetime(2025, 3, 30, 0, 59, 59, tzinfo=UTC), "2025-03-30T01:59:59+01:00"),
    (datetime(2025, 3, 30, 1, 0, tzinfo=UTC), "2025-03-30T03:00:00+02:00"),
    (datetime(2025, 10, 26, 0, 59, 59, tzinfo=UTC), "2025-10-26T02:59:59+02:00"),
    (datetime(2025, 10, 26, 1, 0, tzinfo=UTC), "2025-10-26T02:00:00+01:00"),
    (datetime(2025, 10, 26, 3, 0, tzinfo=timezone(timedelta(hours=2))), "2025-10-26T02:00:00+01:00"),
])
def test_an_aware_time_is_converted_to_amsterdam(utc, expected):
    at = amsterdam(utc)
    assert stamp(at) == expected
    assert at == utc  # the same moment


def test_a_later_moment_stays_later_in_the_hour_passed_twice():
    """A sitemap's lastmod is the earlier of two such times: the clock reads 02:45, then 02:30."""
    first = amsterdam(datetime(2025, 10, 26, 0, 45, tzinfo=UTC))
    second = amsterdam(datetime(2025, 10, 26, 1, 30, tzinfo=UTC))
    assert stamp(first) == "2025-10-26T02:45:00+02:00" and stamp(second) == "2025-10-26T02:30:00+01:00"
    assert first < second and min(first, second) is first and min(second, first) is first
