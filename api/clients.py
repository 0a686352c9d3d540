"""Who the client is behind a reverse proxy, believed only from proxies we trust.

``Forwarded`` (RFC 7239) and ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are
plain request headers: any client can send them. So they are read only when the
direct peer of the connection is one of ``ALUMNI_GRAPH_TRUSTED_PROXIES``, and
then from the right, the hop our proxy added, leftwards past every trusted
proxy: the first address that is not a trusted proxy is the client. Anything
left of it was written by the client and is ignored. With no trusted proxies
(the default) the headers are never read.

``ForwardedFor`` rewrites the ASGI scope's ``client`` (and ``scheme``) once, so
the failed-key limiter, the cookies' ``Secure`` flag and the access log all see
the same client.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network


def _address(raw: str) -> IPv4Address | IPv6Address | None:
    """An address as a forwarding header writes it, port and quotes dropped.

    >>> [str(_address(x)) for x in ('"[2001:db8::1]:443"', "192.0.2.7:80", "192.0.2.8")]
    ['2001:db8::1', '192.0.2.7', '192.0.2.8']
    >>> _address("unknown") is None, _address("_hidden") is None
    (True, True)
    """
    text = raw.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def _forwarded_for(headers: Headers) -> list[str]:
    """The hops, leftmost (furthest) first: ``Forwarded``'s ``for=`` if sent, else
    ``X-Forwarded-For``."""
    forwarded = headers.getlist("forwarded")
    if forwarded:
        hops = []
        for element in ",".join(forwarded).split(","):
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for":
                    hops.append(value)
        return hops
    return [hop for line in headers.getlist("x-forwarded-for") for hop in line.split(",")]


def _forwarded_proto(headers: Headers) -> str | None:
    forwarded = headers.getlist("forwarded")
    if forwarded:
        last = ",".join(forwarded).split(",")[-1]
        for pair in last.split(";"):
            name, _, value = pair.partition("=")
            if name.strip().lower() == "proto":
                return value.strip().strip('"').lower()
        return None
    proto = headers.get("x-forwarded-proto")
    return proto.split(",")[-1].strip().lower() if proto else None


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_host(peer: str, headers: Headers, proxies: Sequence[Network]) -> str:
    """The client's address: the peer's own unless the peer is a trusted proxy.

    >>> from starlette.datastructures import Headers
    >>> from ipaddress import ip_network
    >>> sent = Headers({"x-forwarded-for": "6.6.6.6, 198.51.100.9, 10.0.0.2"})
    >>> client_host("10.0.0.1", sent, [ip_network("10.0.0.0/8")])
    '198.51.100.9'
    >>> client_host("203.0.113.5", sent, [ip_network("10.0.0.0/8")])
    '203.0.113.5'
    """
    if not _trusted(_address(peer), proxies):
        return peer
    client = peer
    for hop in reversed(_forwarded_for(headers)):
        address = _address(hop)
        if address is None:
            break  # "unknown" or obfuscated: the last proxy we trust is all we know
        client = str(address)
        if not _trusted(address, proxies):
            break
    return client


class ForwardedFor:
    """Set the scope's client (and scheme) from the forwarding headers of trusted proxies."""

    def __init__(self, app: ASGIApp, proxies: Sequence[Network] = ()) -> None:
        self.app = app
        self.proxies = list(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.proxies and scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            if peer and _trusted(_address(str(peer[0])), self.proxies):
                headers = Headers(scope=scope)
                host = client_host(str(peer[0]), headers, self.proxies)
                scope["client"] = (host, 0)
                proto = _forwarded_proto(headers)
                if proto in ("http", "https"):
                    websocket = scope["type"] == "websocket"
                    scope["scheme"] = proto.replace("http", "ws") if websocket else proto
        await self.app(scope, receive, send)
