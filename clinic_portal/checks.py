"""`manage.py check --deploy`: what patients are sent and told that only the clinic can set.

- `SITE_URL`, the address every e-mailed link starts with. Left unset, it is the development server's, and every
  invitation, reminder, follow-up and alert would link to this computer (found by the stop-32 check of the README
  against a fresh clone: the deploy check passed without it).
- `CLINIC_PHONE` and `CLINIC_NAME`. Every page and every emergency or call-back message tells patients to call the
  clinic; left at the demo's (or copied from .env.example), patients were told to call (555) 010-0100, which nobody
  answers (stop 37).
- `DEFAULT_FROM_EMAIL`, the sender of every e-mail. Left unset, it is portal@localhost, which a clinic's mail relay
  refuses or files as junk: the urgent alerts went with it (review of the alert path).
"""

from __future__ import annotations

import ipaddress
import socket
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
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


# The demo clinic's name: the default of CLINIC_NAME and .env.example's (its number is not a real one: see below).
DEMO_CLINIC_NAME = "Riverside Spine Clinic"


def _callable(number: str, region: str) -> bool:
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(number, region)))
    except phonenumbers.NumberParseException:
        return False


@checks.register(deploy=True)
def mail_sender(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    _name, address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))
    domain = address.rpartition("@")[2] if "@" in address else ""
    if domain and not _is_local(domain):
        return []
    return [
        checks.Error(
            f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL!r}: staff alerts and patients' e-mails would come "
            "from an address at this computer, which mail servers refuse or file as junk.",
            hint="Set DEFAULT_FROM_EMAIL to an address of the clinic's own domain that its mail server sends from.",
            id="clinic_portal.E005",
        )
    ]


@checks.register(deploy=True)
def clinic_contact(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if not _callable(settings.CLINIC_PHONE, settings.PHONENUMBER_DEFAULT_REGION):
        problems.append(
            checks.Error(
                f"CLINIC_PHONE is {settings.CLINIC_PHONE!r}, not a number anyone can call: patients are told to call "
                "it when nobody has called them back, and on every page.",
                hint="Set CLINIC_PHONE to the clinic's own number, as patients dial it (in CLINIC_PHONE_REGION).",
                id="clinic_portal.E003",
            )
        )
    name = settings.CLINIC_NAME.strip()
    if not name or name == DEMO_CLINIC_NAME:
        problems.append(
            checks.Error(
                "CLINIC_NAME is empty: every page and message names the clinic."
                if not name
                else "CLINIC_NAME is the demo clinic's: patients would read another clinic's name on every page.",
                hint="Set CLINIC_NAME to the clinic's name as patients know it.",
                id="clinic_portal.E004",
            )
        )
    return problems
