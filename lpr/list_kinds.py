"""Kinds of hot list, and the codes the extracts use for them (FORMATS.md §4).

Coded layouts map their list codes with a table; free-text list names ("STOLEN LICENSE PLATE",
"Attempt To Locate") are matched against KEYWORDS, first hit wins, so the more specific
keywords come first.
"""

from enum import StrEnum


class ListKind(StrEnum):
    STOLEN_VEHICLE = "stolen_vehicle"
    STOLEN_PLATE = "stolen_plate"
    STOLEN_CANADIAN = "stolen_canadian"
    FELONY_VEHICLE = "felony_vehicle"
    WANTED_PERSON = "wanted_person"
    MISSING_PERSON = "missing_person"
    AMBER_ALERT = "amber_alert"
    SUPERVISED_RELEASE = "supervised_release"
    PROTECTION_ORDER = "protection_order"
    PROTECTIVE_INTEREST = "protective_interest"
    VIOLENT_PERSON = "violent_person"
    GANG_TERRORIST = "gang_terrorist"
    SEX_OFFENDER = "sex_offender"
    ATTEMPT_TO_LOCATE = "attempt_to_locate"
    SUSPENDED_REVOKED = "suspended_revoked"
    EXPIRED = "expired"
    OTHER = "other"


K = ListKind

# NCIC list-type letters (FORMATS.md §4), as the ncic, ks_topeka, tx_ncic and mn_ncic layouts use.
NCIC_CODES = {"V": K.STOLEN_VEHICLE, "P": K.STOLEN_PLATE, "W": K.WANTED_PERSON,
              "F": K.FELONY_VEHICLE, "A": K.AMBER_ALERT, "M": K.MISSING_PERSON,
              "C": K.SUPERVISED_RELEASE, "H": K.PROTECTION_ORDER, "K": K.PROTECTIVE_INTEREST,
              "L": K.VIOLENT_PERSON, "R": K.STOLEN_CANADIAN, "T": K.GANG_TERRORIST,
              "X": K.SEX_OFFENDER}  # fmt: skip
TX_TCIC_CODES = {
    "E": K.VIOLENT_PERSON,
    "M": K.MISSING_PERSON,
    "O": K.PROTECTION_ORDER,
    "P": K.STOLEN_PLATE,
    "T": K.VIOLENT_PERSON,
    "V": K.STOLEN_VEHICLE,
    "W": K.WANTED_PERSON,
    "X": K.SEX_OFFENDER,
}  # fmt: skip  (T: threat to officers)
NY_CODES = NCIC_CODES | {"R": K.STOLEN_CANADIAN, "S": K.SEX_OFFENDER}
NJ_CODES = {"E": K.EXPIRED, "S": K.SUSPENDED_REVOKED}
IA_CODES = {"SR": K.SUPERVISED_RELEASE, "PO": K.PROTECTION_ORDER, "MP": K.MISSING_PERSON,
            "LP": K.STOLEN_PLATE, "CNVP": K.STOLEN_CANADIAN, "VGT": K.GANG_TERRORIST,
            "SFV": K.STOLEN_VEHICLE, "WP": K.WANTED_PERSON, "SOR": K.SEX_OFFENDER}  # fmt: skip
# Free-text list names, checked in order; the first keyword found decides.
KEYWORDS = (("AMBER", K.AMBER_ALERT), ("CANADIAN", K.STOLEN_CANADIAN),
            ("STOLEN PLATE", K.STOLEN_PLATE), ("STOLEN LICENSE PLATE", K.STOLEN_PLATE),
            ("STOLEN", K.STOLEN_VEHICLE), ("MISSING", K.MISSING_PERSON),
            ("SEX", K.SEX_OFFENDER), ("PROTECTION ORDER", K.PROTECTION_ORDER),
            ("GANG", K.GANG_TERRORIST), ("TERROR", K.GANG_TERRORIST),
            ("SUPERVISED", K.SUPERVISED_RELEASE), ("ATTEMPT TO LOCATE", K.ATTEMPT_TO_LOCATE),
            ("FELONY", K.FELONY_VEHICLE), ("WANTED", K.WANTED_PERSON), ("WARRANT", K.WANTED_PERSON),
            ("SUSPEND", K.SUSPENDED_REVOKED), ("REVOKED", K.SUSPENDED_REVOKED),
            ("CANCELLED", K.SUSPENDED_REVOKED), ("HABITUAL", K.SUSPENDED_REVOKED),
            ("EXPIRED", K.EXPIRED))  # fmt: skip
