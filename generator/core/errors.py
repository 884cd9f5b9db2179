"""Every error plangen reports to a user, under one base class.

A `UserError` carries what a reader needs to find and fix the problem: the file, line and
column (`Where`), the field it is about (a dotted path in the file, such as ``plan.date`` or
``roles.home_affairs``: the web form shows the message at that field), and the message. The
CLI prints it as one line (``file:line:col: message``) with exit code 2 and no traceback;
anything else reaching the CLI is an internal error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Where:
    """A place in an input file (1-based line and column; 0 when unknown) and the field."""

    path: Path | None = None
    line: int = 0
    col: int = 0
    field: str = ""  # "plan.date", "roles.home_affairs.0": the key path in the file

    def __str__(self) -> str:
        if self.path is None:
            return ""
        text = str(self.path)
        try:  # shorter for the reader when the file is under the current folder
            text = str(self.path.resolve().relative_to(Path.cwd().resolve()))
        except (ValueError, OSError):
            pass
        if self.line:
            text += f":{self.line}"
            if self.col:
                text += f":{self.col}"
        return text

    def at(self, path: Path | None) -> Where:
        """The same place in the file `path` (a problem that named no file)."""
        return replace(self, path=path)


class UserError(Exception):
    """A problem the user can fix: bad input, unknown name, refused overwrite."""

    def __init__(self, message: str, where: Where | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where or Where()

    def __reduce__(self):  # kept whole across processes (a batch's workers)
        return (type(self), (self.message, self.where))

    @property
    def field(self) -> str:
        return self.where.field

    @property
    def problems(self) -> list[UserError]:
        """The problems this error reports, one per line (itself, unless several)."""
        return [self]

    def __str__(self) -> str:
        place = str(self.where)
        return f"{place}: {self.message}" if place else self.message


class ValidationFailed(UserError):
    """Several problems found at once; each is reported on its own line."""

    def __init__(self, problems: list[UserError]) -> None:
        super().__init__(f"{len(problems)} lỗi")
        self._problems = problems

    def __reduce__(self):
        return (ValidationFailed, (self._problems,))

    @property
    def problems(self) -> list[UserError]:
        return self._problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def once(problems: list[UserError]) -> list[UserError]:
    """Each problem once, in order (a unit's own fault is met by every catalog it is tried
    with)."""
    seen: set[str] = set()
    return [p for p in problems if not (str(p) in seen or seen.add(str(p)))]
