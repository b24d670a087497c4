"""The client's address, for the login lockout (axes) and the capture form's rate limit.

Without a proxy it is REMOTE_ADDR. Behind DJANGO_TRUSTED_PROXY_COUNT proxies it is read from
X-Forwarded-For: each proxy appends the address it received the request from, so the entry
that many places from the right was written by the outermost proxy and is the client's;
anything further left came from the client and is ignored (it could be forged). Example with
one proxy: the client sends "X-Forwarded-For: 6.6.6.6", the proxy appends the client's
203.0.113.7, the app reads "6.6.6.6, 203.0.113.7" and uses 203.0.113.7."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote  # not through the proxies: the peer itself is the client
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
