"""What a caller may see: the one question graph functions ask of whoever is looking.

The consent rules themselves live in ``services.consent`` (its ``Viewer`` satisfies
this protocol); graph functions take a ``Visibility`` rather than loose predicate
pairs, so a walk cannot be handed one rule and forget the other.
"""

from __future__ import annotations

from typing import Protocol

from graph.model import Person

__all__ = ["Visibility"]


class Visibility(Protocol):
    """Who may be shown, and who may be asked to pass an introduction on."""

    def sees(self, person: Person) -> bool:
        """May the caller learn that the person exists?"""
        ...

    def may_route_through(self, person: Person) -> bool:
        """May a path, a two-hop contact or a recommendation go through the person?"""
        ...
