"""Errors of the lpr package.

LprError
 ├── InvalidPlate          no letters or digits left after normalisation, or far too long
 ├── InvalidState          a state/region code that is not a plate jurisdiction
 ├── InvalidPattern        a partial plate with characters other than A-Z 0-9 ? *, or too few known
 ├── PolicyError           a fuzzy match policy for a list too large for it
 └── HotListFormatError    a hot-list file that cannot be read at all (unknown layout, no plate
                           column); bad lines are reported as problems, not raised
"""


class LprError(ValueError):
    """Base of every error raised by lpr/."""


class InvalidPlate(LprError):
    pass


class InvalidState(LprError):
    pass


class InvalidPattern(LprError):
    pass


class PolicyError(LprError):
    pass


class HotListFormatError(LprError):
    """`line` is 1-based when the problem is on one line, None for the file as a whole."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line
