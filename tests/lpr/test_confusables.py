import pytest

from lpr.confusables import ALPHABET, BROAD, STRICT, ConfusionTable


def test_strict_is_a_partition_and_broad_is_not() -> None:
    assert STRICT.is_partition
    assert not BROAD.is_partition


@pytest.mark.parametrize(
    ("a", "b"), [("0", "O"), ("O", "D"), ("D", "Q"), ("1", "I"), ("I", "L"), ("2", "Z"),
                 ("5", "S"), ("8", "B"), ("6", "G")]
)  # fmt: skip
def test_strict_classes(a: str, b: str) -> None:
    assert STRICT.are_confusable(a, b) and STRICT.are_confusable(b, a)
    assert BROAD.are_confusable(a, b)


@pytest.mark.parametrize(
    ("a", "b"), [("3", "8"), ("3", "B"), ("E", "F"), ("F", "P"), ("H", "M"), ("K", "R"),
                 ("T", "Y"), ("V", "Y")]
)  # fmt: skip
def test_broad_classes_are_not_strict(a: str, b: str) -> None:
    assert BROAD.are_confusable(a, b)
    assert not STRICT.are_confusable(a, b)


def test_broad_is_not_transitive_but_its_skeleton_is_the_closure() -> None:
    assert BROAD.are_confusable("T", "Y") and BROAD.are_confusable("Y", "V")
    assert not BROAD.are_confusable("T", "V")
    assert BROAD.skeleton("T") == BROAD.skeleton("V") == BROAD.skeleton("Y")


def test_a_character_is_not_confusable_with_itself() -> None:
    assert not any(STRICT.are_confusable(ch, ch) for ch in ALPHABET)
    assert STRICT.equivalents("A") == {"A"}


def test_every_strict_skeleton_representative_is_the_first_class_member() -> None:
    assert STRICT.skeleton("OQDILZSBG") == "000112586"


def test_a_class_must_have_two_members_of_the_alphabet() -> None:
    with pytest.raises(ValueError, match="two or more"):
        ConfusionTable("bad", ("A",))
