"""Plates: normalisation, matching against hot lists, vendor formats, hot-list files. Pure."""

from lpr.candidates import Candidates
from lpr.errors import (
    HotListFormatError,
    InvalidPattern,
    InvalidPlate,
    InvalidState,
    LprError,
    PolicyError,
)
from lpr.explain import Explanation, Quality
from lpr.index import PlateIndex
from lpr.matcher import Entry, Hit, Matcher
from lpr.patterns import Pattern
from lpr.policy import MatchPolicy
from lpr.read import Candidate, Read, VehicleSeen

__all__ = [
    "Candidate",
    "Candidates",
    "Entry",
    "Explanation",
    "Hit",
    "HotListFormatError",
    "InvalidPattern",
    "InvalidPlate",
    "InvalidState",
    "LprError",
    "MatchPolicy",
    "Matcher",
    "Pattern",
    "PlateIndex",
    "PolicyError",
    "Quality",
    "Read",
    "VehicleSeen",
]
