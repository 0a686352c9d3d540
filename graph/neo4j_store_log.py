"""The Neo4j driver's log without personal values: it logs every statement's parameters
at DEBUG (names, emails, key hashes), and nothing personal may be logged."""

from __future__ import annotations

import logging

__all__ = ["withhold_driver_parameters"]


class _WithholdParameters(logging.Filter):
    """The driver logs every statement's parameters at DEBUG (``C: RUN``): names, emails,
    key hashes. Keep the statement's log line, never its values, whoever turns DEBUG on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "C: RUN" in record.msg:
            port = record.args[0] if isinstance(record.args, tuple) and record.args else 0
            record.msg, record.args = "[#%04X]  C: RUN (parameters withheld)", (port,)
        return True


def withhold_driver_parameters() -> None:
    logger = logging.getLogger("neo4j.io")
    if not any(isinstance(f, _WithholdParameters) for f in logger.filters):
        logger.addFilter(_WithholdParameters())
