"""Tables for the terminal: rich when a person is looking, plain columns in a pipe."""

from __future__ import annotations

import sys
import unicodedata


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def print_table(title: str, headers: list[str], rows: list[list[str]], file=None) -> None:
    file = file or sys.stdout
    if file.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for header in headers:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*row)
        Console(file=file).print(table)
        return
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    print(title, file=file)

    def line(cells: list[str]) -> str:
        padded = (c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    print(line(headers), file=file)
    for row in rows:
        print(line(row), file=file)
