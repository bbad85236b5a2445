"""What the user configured: the config file, profiles and their validation, passwords and where they
come from, and the resolution of options + config + environment into a connection target."""
