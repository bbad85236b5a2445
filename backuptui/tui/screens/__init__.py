"""Full screens pushed over the monitor: the drill-down and the help."""
