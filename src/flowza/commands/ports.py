"""Whether `flowza serve` can listen where it was asked to, checked before the slow start-up."""

from __future__ import annotations

import errno
import socket

SUGGESTIONS = 20  # ports after the busy one tried for a free one to suggest


def can_listen(host: str, port: int) -> bool | None:
    """True/False whether `host:port` is free to listen on; None when that cannot be told here."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (OSError, UnicodeError):  # an unknown host name: uvicorn reports it
        return None
    with socket.socket(family, kind, proto) as probe:
        # as uvicorn does, so a port left in TIME_WAIT by a stopped server counts as free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return False if exc.errno == errno.EADDRINUSE else None
    return True


def busy_port_problem(host: str, port: int) -> str | None:
    """A one-line error when another program already listens on `host:port`, with a free port to use."""
    if port == 0 or can_listen(host, port) is not False:
        return None
    free = next((other for other in range(port + 1, port + 1 + SUGGESTIONS) if can_listen(host, other)), port + 1)
    return (
        f"port {port} on {host} is already in use (another Flowza or another program); "
        f"start on another port: `make run PORT={free}` or `flowza serve --port {free}`"
    )
