"""Work that holds the GIL, done beside the caller in a child process.

igraph keeps the GIL while it computes: a Python thread spinning beside a sampled
betweenness of 10,000 people got about 1% of the turns it gets alone (checked with
python-igraph 1.0), so a thread cannot overlap igraph's betweenness with the Python
work of a map (its directory, layout and ties). A forked child can: it starts with
the parent's memory as it is (the igraph graph included, nothing copied or pickled),
works out a list of floats, writes it down a pipe and exits; the parent goes on and
reads the list when it needs it. The child runs the same function on the same graph,
so the answer is the very same floats as worked out in the parent.

Where ``os.fork`` is missing or fails, or the child does not hand back a whole
answer, the work is done in the caller when the answer is asked for.

The child touches nothing but the work and its end of the pipe (no store, lock,
socket or log), and leaves through ``os._exit`` (no ``atexit``, no flushing of
buffers it shares with the parent), so forking from a threaded server is safe.
Python 3.12 warns about any fork of a threaded process (a ``DeprecationWarning``,
an error under this project's ``filterwarnings``); on moving past 3.11, start the
child from a ``forkserver`` instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import weakref
from array import array
from collections.abc import Callable

__all__ = ["Floats", "started"]


def _reap(pid: int, read: int) -> None:
    """Stop a child whose answer was never asked for (its list was dropped first),
    close its pipe and wait for it, so that no process is left behind."""
    os.close(read)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


class Floats:
    """A list of floats being worked out in a child process: call it for the list
    (the first call waits for the child; every call returns the same list)."""

    def __init__(self, work: Callable[[], list[float]], expected: int) -> None:
        self._work = work
        self._expected = expected
        self._lock = threading.Lock()
        self._value: list[float] | None = None
        self._pid: int | None = None
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: work, write, exit, whatever happens
            code = 1
            try:
                os.close(read)
                data = memoryview(array("d", work()).tobytes())
                while data:
                    data = data[os.write(write, data) :]
                code = 0
            except BaseException:  # the parent works it out itself
                pass
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read
        self._reaper = weakref.finalize(self, _reap, pid, read)

    def __call__(self) -> list[float]:
        with self._lock:
            if self._value is None:
                self._value = self._collect()
            return self._value

    def _collect(self) -> list[float]:
        if self._pid is None:
            return self._work()
        self._reaper.detach()
        chunks = []
        try:
            while chunk := os.read(self._read, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._read)
            _, status = os.waitpid(self._pid, 0)
        data = b"".join(chunks)
        if status != 0 or len(data) != 8 * self._expected:
            return self._work()
        values = array("d")
        values.frombytes(data)
        return values.tolist()


def started(work: Callable[[], list[float]], expected: int) -> Callable[[], list[float]]:
    """``work()`` (a list of ``expected`` floats) started in a child process now; call
    what is returned for the list."""
    return Floats(work, expected)
