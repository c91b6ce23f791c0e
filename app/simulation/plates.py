"""California-style plates and the look-alike characters a camera confuses.

The classes are the strict OCR classes the README lists for matching (`0 O D Q`, `1 I L`,
`2 Z`, `5 S`, `8 B`, `6 G`); they are restated here because the simulator is a client and
imports nothing of the service.
"""

import random
import string

LOOK_ALIKES = ("0ODQ", "1IL", "2Z", "5S", "8B", "6G")
_CLASS_OF = {char: members for members in LOOK_ALIKES for char in members}


def new_plate(rng: random.Random) -> str:
    """A plate in the current California pattern: digit, three letters, three digits."""
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
    return f"{rng.randint(1, 9)}{letters}{rng.randint(0, 999):03d}"


def look_alike(plate: str, rng: random.Random) -> str | None:
    """The plate with one character swapped for a look-alike (the way a camera misreads it),
    or None when no character of the plate has one."""
    positions = [i for i, char in enumerate(plate) if char in _CLASS_OF]
    if not positions:
        return None
    i = rng.choice(positions)
    swapped = rng.choice([c for c in _CLASS_OF[plate[i]] if c != plate[i]])
    return plate[:i] + swapped + plate[i + 1 :]
