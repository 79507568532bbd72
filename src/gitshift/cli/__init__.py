"""The command line: click only. ``app`` holds the group, ``options`` the global options."""
