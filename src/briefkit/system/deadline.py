"""The time limit on rendering one brief, so no source can keep a command busy for minutes.

The limit is kept from outside the rendering process (see :mod:`briefkit.system.workers`):
a render can spend its time in C, where no signal of its own process would stop it.
"""

from __future__ import annotations

from briefkit.errors import BriefkitError


class TimeLimitExceeded(BriefkitError):
    """A brief took longer to render than the workspace allows."""

    @classmethod
    def after(cls, seconds: float) -> TimeLimitExceeded:
        """Return the error of a render stopped after seconds."""
        return cls(
            f"rendering took longer than {seconds:g} s, the limit set by [build] time_limit "
            "in briefkit.toml; the brief may be too long"
        )
