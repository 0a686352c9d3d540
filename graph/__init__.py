"""The domain: model, store protocol, the two stores and the analytics.

Nothing in here imports ``api``, ``ingest`` or ``visualisations``: arrows point
into ``graph``, never out of it.
"""
