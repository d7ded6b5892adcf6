"""Password guessing is slowed down by django-axes; this module holds what the project
adds to it. The policy is in settings (``AXES_*``): after 10 failed attempts for one
username from one client address, that pair is refused for 15 minutes, the right
password included, on the web login, the admin login and ``POST /api/v1/auth/token``
alike. The attempts are rows in the database, so every web process counts the same.

Two pieces are ours:

- `client_ip`: which address is the client's. Behind the reverse proxy every
  connection comes from the proxy, so the proxy's ``X-Forwarded-For`` names the
  client — but only a connection from a trusted proxy (``OPIEKUN_TRUSTED_PROXIES``) may
  say so; anyone else could write any address there.
- `lockout_response`: the answer to a locked-out attempt — JSON under ``/api/``, the
  login form with its message elsewhere — with ``Retry-After``.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str) -> IpAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's own, unless it comes from a trusted
    proxy; then the right-most address of ``X-Forwarded-For`` that is not itself a
    trusted proxy (each proxy appends the address it was connected from, so entries
    further left were written by the client and prove nothing)."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))

    def is_trusted(address: IpAddress) -> bool:
        return any(address in network for network in trusted)

    client = peer
    if is_trusted(peer):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = _address(hop)
            if address is None:
                break
            client = address
            if not is_trusted(address):
                break
    return str(client)


def login_succeeded(request: HttpRequest, username: str) -> None:
    """Forget the failed attempts of this username from this address, as a web login
    does through Django's ``user_logged_in`` signal (which an API token does not send)."""
    ip_address = getattr(request, "axes_ip_address", None)
    if ip_address:
        axes_reset(ip=ip_address, username=username)


def retry_after(request: HttpRequest, username: str | None) -> int:
    """Seconds until the lockout of this username from this address ends."""
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    last: datetime | None = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return int(cool_off.total_seconds())
    return max(1, math.ceil((last + cool_off - timezone.now()).total_seconds()))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """django-axes' answer to a locked-out attempt (``AXES_LOCKOUT_CALLABLE``): 429."""
    username = (credentials or {}).get("username")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "Too many failed attempts; try again later."}, status=429
        )
    elif original_response is not None:
        # The login form, which already says why (`views.ThrottledAuthenticationForm`).
        response = original_response
        response.status_code = 429
    else:
        response = HttpResponse(_("Too many failed attempts. Try again in a quarter of an hour."), status=429)
    response["Retry-After"] = str(retry_after(request, username))
    return response
