"""Plates: normalisation, matching against hot lists, vendor formats, hot-list files. Pure."""

from lpr.errors import InvalidPlate, InvalidState, LprError
from lpr.matcher import Entry, ExactMatcher, Hit, Matcher, Quality
from lpr.read import Candidate, Read, VehicleSeen

__all__ = [
    "Candidate",
    "Entry",
    "ExactMatcher",
    "Hit",
    "InvalidPlate",
    "InvalidState",
    "LprError",
    "Matcher",
    "Quality",
    "Read",
    "VehicleSeen",
]
