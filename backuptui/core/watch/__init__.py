"""Watching an appliance over time: the monitor (what to fetch and when), its snapshots and job events,
transfer rate and ETA, schedule timing, and the backup health verdict."""
