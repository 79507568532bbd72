"""Run gitshift as ``python -m gitshift``."""

from gitshift.cli import main

if __name__ == "__main__":
    main()
