"""Errors of the vendor parsers.

LprError (lpr/errors.py)
 └── VendorFormatError     the body cannot be read at all: empty, not JSON, not an object,
                           or none of the shapes the vendor sends
"""

from lpr.errors import LprError


class VendorFormatError(LprError):
    """A vendor body that cannot be read; the message says what is wrong with it."""
