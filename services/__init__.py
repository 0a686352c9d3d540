"""One door per use case: what a user does, as one function over the store and a viewer.

Routes (``api``), pages (``api.pages``) and commands (``cli``) are thin adapters over
these functions and import no adapter of their own kind; the functions return the
public models of ``services.schemas`` with consent applied by ``services.consent``.
Arrows: ``api`` and ``cli`` use ``services``; ``services`` uses ``graph``, ``ingest``
and ``visualisations``; nothing below imports ``services``.
"""
