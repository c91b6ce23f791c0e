import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lpr import confusables, plates
from lpr.errors import InvalidPlate

KEY_ALPHABET = string.ascii_uppercase + string.digits


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("7abc123", "7ABC123"),
        ("ABC-1234", "ABC1234"),
        ("ABC 1234", "ABC1234"),
        ("ABC\u00a01234", "ABC1234"),  # no-break space
        ("ABC\u20071234", "ABC1234"),  # figure space
        ("ABC\u202f1234", "ABC1234"),  # narrow no-break space
        ("AB\u200bC\u200c1\u200d2\ufeff3", "ABC123"),  # zero-width characters
        ("ABC\u20101\u20112\u20123\u20134\u20145\u20156\u22127", "ABC1234567"),  # dashes, minus
        ("A.B.C·123", "ABC123"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width
        ("Ⅻ12", "XII12"),  # compatibility forms
        ("АВС123", "ABC123"),  # Cyrillic А В С
        ("ΑΒΕ123", "ABE123"),  # Greek Α Β Ε
        ("аbс123", "ABC123"),  # Cyrillic lower case
        ("ЗАВ1", "3AB1"),  # Cyrillic Ze looks like 3
        ("İSTANBUL1", "ISTANBUL1"),  # a diacritic is dropped, not the letter
        ("Ö12", "O12"),
        ("ABC♥123", "ABC123"),
    ],
)
def test_normalize(raw: str, key: str) -> None:
    assert plates.normalize(raw) == key


def test_parse_reports_symbols_but_not_separators() -> None:
    plate = plates.parse("7AB♥-C 123\u200b")
    assert (plate.key, plate.removed) == ("7ABC123", "♥")


@pytest.mark.parametrize("raw", ["", "---", "♥♥", "A" * 13])
def test_parse_refuses_plates_without_a_usable_key(raw: str) -> None:
    with pytest.raises(InvalidPlate):
        plates.parse(raw)


@given(st.text())
def test_normalize_is_idempotent_and_yields_only_a_to_z_and_digits(raw: str) -> None:
    key = plates.normalize(raw)
    assert plates.normalize(key) == key
    assert set(key) <= set(KEY_ALPHABET)


@given(st.text(alphabet=KEY_ALPHABET))
def test_fold_key_is_idempotent_and_keeps_the_length(key: str) -> None:
    folded = plates.fold_key(key)
    assert plates.fold_key(folded) == folded
    assert len(folded) == len(key)


@given(st.text(alphabet=KEY_ALPHABET, min_size=1, max_size=8), st.data())
def test_equal_fold_keys_mean_strict_look_alikes_at_every_differing_position(
    key: str, data: st.DataObject
) -> None:
    other = "".join(
        data.draw(st.sampled_from(sorted(confusables.STRICT.equivalents(ch)))) for ch in key
    )
    assert plates.fold_key(other) == plates.fold_key(key)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [("7ABC123", "7A8C123", True), ("O1", "01", True), ("DQ0O", "0000", True),
     ("SZGIL", "52611", True), ("ABC123", "ABC124", False), ("E", "F", False)],
)  # fmt: skip
def test_fold_key(a: str, b: str, same: bool) -> None:
    assert (plates.fold_key(a) == plates.fold_key(b)) is same


@pytest.mark.parametrize(
    ("raw", "pattern"), [("7k?4??", "7K?4??"), ("7K_4%", "7K?4*"), (" *4 B* ", "*4B*")]
)
def test_normalize_pattern_keeps_wildcards(raw: str, pattern: str) -> None:
    assert plates.normalize_pattern(raw) == pattern


@pytest.mark.parametrize(("raw", "state"), [("ca", "CA"), ("US-TX", "TX"), (" ", None)])
def test_normalize_state(raw: str, state: str | None) -> None:
    assert plates.normalize_state(raw) == state
