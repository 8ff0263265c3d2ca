"""The benchmark's tables: every figure measured, one table a corpus, then each goal."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Goal:
    """A ratio or figure, the limit it must keep to, and which way."""

    name: str
    measured: float
    limit: float
    unit: str = "×"
    at_least: bool = False  # the figure must reach the limit, not stay under it

    @property
    def passed(self) -> bool:
        """Tell whether the figure keeps to its limit."""
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def cells(self) -> list[str]:
        """Return the goal's row of the table."""
        sign = "≥" if self.at_least else "≤"
        return [
            self.name,
            f"{self.measured:.2f}{self.unit}",
            f"{sign} {self.limit:g}{self.unit}",
            "PASS" if self.passed else "FAIL",
        ]


@dataclass
class Table:
    """One corpus's rows of figures, under a title."""

    title: str
    width: int  # cells a row has after its case
    rows: list[list[str]] = field(default_factory=list)

    def add(self, case: str, *cells: str) -> None:
        """Add a row of figures, blank where a contender did not run."""
        padded = [*cells, *[""] * (self.width - len(cells))]
        self.rows.append([case, *padded])


@dataclass
class Report:
    """Tables of figures and the goals, gathered as the cases run."""

    heading: str
    columns: list[str]
    tables: list[Table] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, title: str) -> Table:
        """Return a new table of figures, printed in the order it was made."""
        made = Table(title, len(self.columns) - 1)
        self.tables.append(made)
        return made

    def markdown(self) -> str:
        """Return the whole report as Markdown: heading, figures, goals and notes."""
        parts = [self.heading]
        for table in self.tables:
            if table.rows:
                parts += [f"### {table.title}", _table(self.columns, table.rows)]
        parts += [
            "### Goals",
            _table(["goal", "measured", "limit", "result"], [goal.cells() for goal in self.goals]),
            "\n".join(f"- {note}" for note in self.notes),
        ]
        return "\n\n".join(part for part in parts if part) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Return a Markdown table whose columns line up in a terminal too."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            + " |"
        )

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def seconds(value: float) -> str:
    """Format a time in seconds, with milliseconds below one second."""
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
