"""The ``alumni-graph`` command line: the outermost layer, nothing imports it."""
