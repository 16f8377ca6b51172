"""`manage.py check --deploy`: the address every e-mailed link starts with. Left unset, it is the development server's,
and every invitation, reminder, follow-up and alert would link to this computer (found by the stop-32 check of the
README against a fresh clone: the deploy check passed without it)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})  # noqa: S104 - names, not a bind address


def _is_local(host: str) -> bool:
    host = host.rstrip(".")
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    ip = _as_ip(host)
    if ip is None:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return any(address.is_loopback or address.is_unspecified for address in (ip, mapped) if address is not None)


def _as_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names, in the short forms a resolver takes too ("127.1", "2130706433", "0")."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.ip_address(socket.inet_ntoa(socket.inet_aton(host)))
    except OSError:
        return None


@checks.register(checks.Tags.security, deploy=True)
def site_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    address = urlsplit(str(getattr(settings, "SITE_URL", "")))
    if not address.hostname or _is_local(address.hostname):
        return [
            checks.Error(
                f"SITE_URL is {settings.SITE_URL!r}: every link the portal e-mails or texts (invitations, reminders, "
                "follow-ups, alerts) would point at this computer, not the clinic's site.",
                hint="Set SITE_URL to the portal's public address, like https://portal.example.org.",
                id="clinic_portal.E001",
            )
        ]
    if address.scheme != "https":
        return [
            checks.Error(
                "SITE_URL does not start with https://: the links in e-mails would open the portal without TLS.",
                hint="Set SITE_URL to the portal's https:// address.",
                id="clinic_portal.E002",
            )
        ]
    return []
