"""An article's metadata as `framing score` writes it: dates and outlets.

- `date` is a real date (Parquet date32; ISO `YYYY-MM-DD` in CSV and JSON Lines) when the value
  parses, else empty; `date_raw` always keeps the value as given, so nothing is lost.
- An empty outlet field takes the url's registered domain (`edition.cnn.com` and `cnn.com` are
  one outlet, `cnn.com`), by the Public Suffix List shipped inside the `publicsuffixlist`
  package (no network). A private suffix counts as a registry (`someone.blogspot.com` is its own
  outlet); an IP address, or a host that is itself a public suffix, stays the outlet as it is.
  The url's full host is kept in its own column, `host`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_FORMATS = ("%m/%d/%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d")


def parse_date(value: object, date_format: str | None = None) -> tuple[date | None, str | None]:
    """(the date or None, the value as given or None) for one record's date field.

    Tried in order: `date_format` if given (then nothing else); ISO 8601; RFC 2822; then
    month-first US forms (MM/DD/YYYY, as in FA-KES) and spelled-out months. Pass
    `date_format="%d/%m/%Y"` for day-first data. Empty or missing: (None, None).
    """
    if value is None or (isinstance(value, float) and value != value):  # NaN from pandas
        return None, None
    raw = value.isoformat() if isinstance(value, date) else str(value)
    text = raw.strip()
    if not text:
        return None, None
    if isinstance(value, datetime):
        return value.date(), raw
    if isinstance(value, date):
        return value, raw
    return _parse_text(text, date_format), raw


def _parse_text(text: str, date_format: str | None) -> date | None:
    for fmt in (date_format,) if date_format else _FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    if date_format:
        return None
    match = _ISO.match(text)
    if match:
        try:
            year, month, day = map(int, match.groups())
            return date(year, month, day)
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def url_host(url: object) -> str | None:
    """The url's host, lowercased, without port or trailing dot (`https://WWW.bbc.co.uk:443/x`
    -> `www.bbc.co.uk`); punycode labels in Unicode; None when there is no host."""
    if not isinstance(url, str) or not url.strip():
        return None
    candidate = url.strip()
    if "//" not in candidate:
        candidate = "//" + candidate
    try:
        host = urlparse(candidate).hostname
    except ValueError:  # e.g. an unbalanced '[' in the url
        return None
    host = (host or "").rstrip(".")
    if "xn--" in host:
        with contextlib.suppress(UnicodeError):
            host = host.encode("ascii").decode("idna")
    return host or None


def registered_domain(host: str) -> str:
    """The domain a registrar hands out for `host`: `edition.cnn.com` -> `cnn.com`,
    `news.bbc.co.uk` -> `bbc.co.uk`; see the module doc for what stays as it is."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _suffix_list().privatesuffix(host) or host


def outlet_from_url(url: object) -> str | None:
    """The outlet an article gets from its url: the host's registered domain."""
    host = url_host(url)
    return registered_domain(host) if host else None


def suffix_list_version() -> str:
    """The installed `publicsuffixlist` (its version carries the list's date)."""
    return metadata.version("publicsuffixlist")


@cache
def _suffix_list() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()
