"""Recording what an appliance answered, for replay by the simulator (`backuptui record`).

`recording` is the file format (versioned, documented in `docs/recording.md`), `scrub` removes
secrets and, on request, names; `recorder` watches an appliance as the monitor does and writes it.
"""
