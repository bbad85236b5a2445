"""`backuptui exporter`: the fleet's health served as Prometheus metrics (HTTP side and service)."""
