"""backuptui: watch the file-based backup jobs of VMware vCenter Server Appliances from a terminal."""

__version__ = "0.1.0"
