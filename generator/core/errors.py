"""Every error plangen reports to a user, under one base class.

A `UserError` is printed as one line (``file:line:col: message``) with exit code 2 and no
traceback; anything else reaching the CLI is an internal error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Where:
    """A place in an input file (1-based line and column; 0 when unknown)."""

    path: Path | None = None
    line: int = 0
    col: int = 0

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


class UserError(Exception):
    """A problem the user can fix: bad input, unknown name, refused overwrite."""

    def __init__(self, message: str, where: Where | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where or Where()

    def __str__(self) -> str:
        place = str(self.where)
        return f"{place}: {self.message}" if place else self.message


class ValidationFailed(UserError):
    """Several problems found at once; each is reported on its own line."""

    def __init__(self, problems: list[UserError]) -> None:
        super().__init__(f"{len(problems)} lỗi")
        self.problems = problems

    def placed(self, path: Path) -> ValidationFailed:
        """The same problems, those that name no file placed in `path` (the unit's profile,
        for a problem that is the unit's own, such as a missing plan symbol)."""
        return ValidationFailed(
            [p if p.where.path else UserError(p.message, Where(path)) for p in self.problems]
        )

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
