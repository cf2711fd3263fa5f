"""Problems found in the input, collected so that one run reports all of them.

Every problem is ``path:line: message``. Pure modules return or record ``Problem`` objects; the
wiring module logs them through MkDocs' logger (a warning, so ``mkdocs build --strict`` fails).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class Diagnostics:
    """Collects problems in the order found; the same problem is kept once."""

    problems: list[Problem] = field(default_factory=list)
    _seen: set[Problem] = field(default_factory=set, repr=False)

    def report(self, path: str, line: int | None, message: str) -> Problem:
        problem = Problem(str(path), line, message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)
        return problem

    def extend(self, problems) -> None:
        for problem in problems:
            self.report(problem.path, problem.line, problem.message)

    def take(self) -> list[Problem]:
        """Return the problems not yet taken (for logging as they arrive)."""
        new, self.problems = self.problems, []
        return new

    def clear(self) -> None:
        self.problems.clear()
        self._seen.clear()

    def __len__(self) -> int:
        return len(self.problems)
