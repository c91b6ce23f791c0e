"""Errors of the lpr package.

LprError
 ├── InvalidPlate          no letters or digits left after normalisation, or far too long
 └── InvalidState          a state/region code that is not a plate jurisdiction
"""


class LprError(ValueError):
    """Base of every error raised by lpr/."""


class InvalidPlate(LprError):
    pass


class InvalidState(LprError):
    pass
