"""A free loopback port, for the servers tests start in other processes."""

from __future__ import annotations

import os
import random
import socket

LOW, HIGH = 20000, 32768
"""Ports handed out: below Linux's ephemeral range (32768-60999), so neither another
test's ``bind(0)`` nor an outgoing connection can take a port between ``free_port``
and the server's own bind (a private Neo4j takes seconds to get there)."""


def _slice() -> range:
    """This process's share of the ports: pytest-xdist workers (``gw0``, ``gw1``, ...)
    each get their own, so two workers never hand out the same port."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    count = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), 1)
    index = int(worker) % count if worker.isdigit() else 0
    size = (HIGH - LOW) // count
    return range(LOW + index * size, LOW + (index + 1) * size)


def free_port() -> int:
    """A port nothing listens on now, from this worker's share (another process could
    still take it before the caller binds, which on loopback in a test run does not
    happen)."""
    ports = _slice()
    rng = random.SystemRandom()  # not the global generator, which hypothesis seeds
    for _ in range(200):
        port = rng.choice(ports)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {ports.start}-{ports.stop - 1}")
