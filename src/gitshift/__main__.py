"""The console entry point, also run as ``python -m gitshift``.

``gitshift --version`` answers before click or any command module is imported: CI runs one
gitshift process per step, so start-up is the user's time.
"""

import sys


def main() -> None:
    """Run the gitshift command line."""
    if sys.argv[1:] == ["--version"]:
        from gitshift import __version__

        sys.stdout.write(f"gitshift {__version__}\n")
        return
    from gitshift.cli.app import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
