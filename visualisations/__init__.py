"""pyvis maps, plots and reports: they use graph.analytics, never the reverse."""
