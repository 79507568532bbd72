"""The console entry point, also run as ``python -m gitshift``.

``gitshift --version`` and ``gitshift render DIR`` (no option: what CI runs once per overlay)
answer before click or any command module is imported: CI runs one gitshift process per step,
so start-up is the user's time. Both answer exactly as the CLI group does; anything else goes
to it.
"""

import os
import sys

# The environment variables of the global options: set, they are the CLI group's to read.
_OPTION_VARIABLES = ("GITSHIFT_REPO", "GITSHIFT_CONFIG", "GITSHIFT_OUTPUT", "GITSHIFT_ENGINE", "GITSHIFT_VERBOSE",
                     "GITSHIFT_QUIET")


def main() -> None:
    """Run the gitshift command line."""
    args = sys.argv[1:]
    if args == ["--version"]:
        from gitshift import __version__

        sys.stdout.write(f"gitshift {__version__}\n")
        return
    from gitshift import yamlstart

    yamlstart.defer()
    if len(args) == 2 and args[0] == "render" and _plain_directory(args[1]):
        sys.exit(_render(args[1]))
    from gitshift.cli.app import main as cli_main

    cli_main()


def _plain_directory(arg: str) -> bool:
    """Whether ``render ARG`` is a directory with nothing for click to parse or the environment to change."""
    if arg.startswith("-") or any(os.environ.get(v) for v in _OPTION_VARIABLES):
        return False
    return os.path.isdir(arg)  # noqa: PTH112  # a file is click's to refuse ("is a file")


def _render(path: str) -> int:
    """``gitshift render PATH`` as the ``render`` command runs it (engine auto), ending as the group ends it."""
    from pathlib import Path

    from gitshift.cli import report
    from gitshift.errors import GitshiftError

    try:
        from gitshift.render import get_renderer

        renderer = get_renderer("auto", lambda text: report.stderr(f"gitshift: {text}"))  # as the group's notices
        sys.stdout.write(renderer.render_text(Path(path)))
        sys.stdout.flush()
    except GitshiftError as exc:
        return report.error(exc, False)
    except (EOFError, KeyboardInterrupt):  # as click ends a command on Ctrl-C
        report.stderr("")
        report.fail("aborted")
        return 1
    except BrokenPipeError:  # the reader went away (`| head`): quietly, as click does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug: exit 4
        return report.bug(exc, False)
    return 0


if __name__ == "__main__":
    main()
