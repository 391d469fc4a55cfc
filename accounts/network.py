"""Whose address a request comes from, behind the council's proxies."""

from django.conf import settings


def client_address(request) -> str | None:
    """The visitor's own address. Behind PROXY_COUNT proxies, each appends the address it
    was reached from to X-Forwarded-For, so the visitor's is that many places from the end;
    anything further left was written by the visitor and is not believed."""
    hops = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    if settings.PROXY_COUNT and len(hops) >= settings.PROXY_COUNT:
        return hops[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")
