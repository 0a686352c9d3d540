"""Answers worked out from a store, kept until the store's version changes.

The whole metric suite takes over a minute at 10,000 people, and the dashboard and
``GET /metrics/network`` ask for the same one again and again between two loads.
``VersionedMemo`` keeps the latest answers; any write, by this process or another,
changes ``GraphStore.version`` and so empties it on the next question.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from graph.store import GraphStore

__all__ = ["VersionedMemo"]

T = TypeVar("T")


class VersionedMemo:
    """The last ``size`` answers of one store, by question, as of its current version.

    Safe to share between threads. Two threads asking the same new question may
    both work it out; neither waits for the other.
    """

    def __init__(self, store: GraphStore, size: int = 32) -> None:
        self.store = store
        self.size = size
        self._version: str | None = None
        self._answers: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0
        """How many answers were worked out rather than remembered (for tests)."""

    def get(self, question: Hashable, work_out: Callable[[], T]) -> T:
        # Read before working out, so that a write racing it leaves the answer
        # labelled older than it is, never newer.
        version = self.store.version()
        with self._lock:
            if version != self._version:
                self._answers.clear()
                self._version = version
            if question in self._answers:
                self._answers.move_to_end(question)
                return cast(T, self._answers[question])
        answer = work_out()
        with self._lock:
            self.computed += 1
            if version == self._version:
                self._answers[question] = answer
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
        return answer
