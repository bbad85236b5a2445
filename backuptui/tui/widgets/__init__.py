"""The widgets of the monitor screen: each renders a piece of state and posts messages."""
