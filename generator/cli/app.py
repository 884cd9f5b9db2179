"""The `plangen` command line (typer). Thin: parse options, call the flow, print.

A `UserError` becomes its message on stderr and exit code 2, with no traceback;
`--debug` shows the traceback; anything else is reported as an internal error (exit 70).
The commands live in the modules below, by what they do; importing them registers them
on `app` (cli/base.py).
"""

import os
import sys

from generator.cli import cycle, data, lists, plan  # noqa: F401 - the commands
from generator.cli.base import app


def main() -> None:
    """Console-script entry point; a closed pipe (`plangen units | head -1`) ends quietly."""
    # plangen's models take no pydantic plugin: finding them reads the metadata of every
    # installed package (5 ms of a 0.3 s command); PYDANTIC_DISABLE_PLUGINS= turns them on
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
