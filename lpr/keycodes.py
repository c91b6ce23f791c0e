"""How the index stores a plate key compactly and compares it fast (STRICT table only).

fold key      the key with each character replaced by its STRICT class representative
variant code  2 bits per character: which member of its class the character is (`O` is member
              1 of `0 O D Q`), most significant first. A key is its fold key plus its code, so
              the index keeps one string and one int per entry instead of two strings, and two
              keys with the same fold key differ by as many look-alikes as their codes have
              non-zero 2-bit groups after XOR.
"""

from itertools import combinations

from lpr.confusables import ALPHABET, STRICT_CLASSES

MAX_KEY = 32  # 2 bits a character in an unsigned 64-bit code

FOLD_TABLE = {ord(ch): ord(members[0]) for members in STRICT_CLASSES for ch in members[1:]}
_CODE = str.maketrans(
    dict.fromkeys(ALPHABET, "0")
    | {ch: str(i) for members in STRICT_CLASSES for i, ch in enumerate(members)}
)
_MEMBERS = {members[0]: members for members in STRICT_CLASSES}
_LOW_BITS = int("01" * MAX_KEY, 2)


def fold(key: str) -> str:
    """The STRICT fold key (same as `plates.fold_key`, without the call overhead)."""
    return key.translate(FOLD_TABLE)


def variant(key: str) -> int:
    """The variant code of a `[A-Z0-9]` key of at most MAX_KEY characters."""
    return int(key.translate(_CODE), 4)


def unfold(fold_key: str, code: int) -> str:
    """The key whose fold key and variant code these are."""
    if code == 0:
        return fold_key
    chars = list(fold_key)
    for i in range(len(chars) - 1, -1, -1):
        digit = code & 3
        if digit:
            chars[i] = _MEMBERS[chars[i]][digit]
        code >>= 2
    return "".join(chars)


def substitutions(code_a: int, code_b: int) -> int:
    """Look-alike substitutions between two keys with the same fold key."""
    difference = code_a ^ code_b
    return ((difference | difference >> 1) & _LOW_BITS).bit_count()


def deletions(text: str, depth: int) -> set[str]:
    """`text` and every string made from it by deleting up to `depth` characters."""
    found = {text}
    for n in range(1, min(depth, len(text)) + 1):
        for gone in combinations(range(len(text)), n):
            found.add("".join(ch for i, ch in enumerate(text) if i not in gone))
    return found
