"""The trust suite writes its figures (tests/trust/figures.py) when the run ends."""

from __future__ import annotations

import pytest

from . import figures


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    written = figures.write()
    if written is None:
        return
    terminalreporter.section("trust figures")
    shown = ", ".join(f"{k}={v}" for k, v in sorted(figures.FIGURES.items()) if isinstance(v, int))
    terminalreporter.write_line(f"{shown} (all in {written})")
