"""The trust suite's figures (tests/trust/figures.py) are written and printed at the
end of the run by tests/conftest.py, which under pytest-xdist is the only conftest
the controller loads: it adds up every worker's figures."""
