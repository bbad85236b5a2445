"""Diagnosing the first connection to an appliance, one step at a time (`backuptui doctor`).

`diagnose()` runs the steps after the local ones (config and password are the command's, since
they follow the connection resolution) and returns them as `Step` values; the command renders
them. No Textual, no Rich, and never a password in a step's text.
"""

from backuptui.core.diagnosis.run import all_needed_work, diagnose
from backuptui.core.diagnosis.step import Outcome, Step

__all__ = ["Outcome", "Step", "all_needed_work", "diagnose"]
