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

# Each table is the parse-code list of the OpenALPR importer's parser for that extract
# (openalpr/openalpr_hotlist_import, parsers/<layout>.py: get_default_lists and the code comments).
# A code missing from a table is reported on import (ProblemKind.UNKNOWN_CODE), never guessed.

# NCIC list-type letters (parsers/ncic.py, wa_ncic.py, ks_topeka.py). tx_ncic.py and mn_ncic.py
# list the same letters with the same meanings, plus B (stolen boat) and N (deported felon /
# immigration violator), which have no kind here and so are reported.
NCIC_CODES = {"V": K.STOLEN_VEHICLE, "P": K.STOLEN_PLATE, "W": K.WANTED_PERSON,
              "F": K.FELONY_VEHICLE, "A": K.AMBER_ALERT, "M": K.MISSING_PERSON,
              "C": K.SUPERVISED_RELEASE, "H": K.PROTECTION_ORDER, "K": K.PROTECTIVE_INTEREST,
              "L": K.VIOLENT_PERSON, "R": K.STOLEN_CANADIAN, "T": K.GANG_TERRORIST,
              "X": K.SEX_OFFENDER}  # fmt: skip
# parsers/tx_tcic.py. T is "threat against peace officer"; Y ("child safety check") has no kind.
TX_TCIC_CODES = {
    "E": K.VIOLENT_PERSON,
    "M": K.MISSING_PERSON,
    "O": K.PROTECTION_ORDER,
    "P": K.STOLEN_PLATE,
    "T": K.VIOLENT_PERSON,
    "V": K.STOLEN_VEHICLE,
    "W": K.WANTED_PERSON,
    "X": K.SEX_OFFENDER,
}  # fmt: skip
# New York's own code list, quoted in parsers/ny_state.py. It is not NCIC's: X is a suspended or
# falsified registration (not a sex offender, which is S) and Z a registrant whose New York
# driving privilege is suspended. The importer's default lists leave X and Z out; the state's
# list is what the file means, so both are mapped.
NY_CODES = {
    "M": K.MISSING_PERSON,  # missing person associated with registration/plate
    "P": K.STOLEN_PLATE,
    "R": K.STOLEN_CANADIAN,  # stolen Canadian licence plate
    "S": K.SEX_OFFENDER,  # sex offender associated with registration/plate
    "T": K.GANG_TERRORIST,  # possible terrorist associated with registration/plate
    "V": K.STOLEN_VEHICLE,  # stolen motor vehicle or trailer
    "W": K.WANTED_PERSON,  # wanted person associated with registration/plate
    "X": K.SUSPENDED_REVOKED,  # suspended registration or falsified registration
    "Z": K.SUSPENDED_REVOKED,  # client id: suspended operating privilege in New York
}
# Ohio LEADS (parsers/oh_leads.py): NCIC letters except S (sex offender) and X (suspended
# registration), the reverse of NCIC's X. B and N have no kind. Ohio's own lists name themselves
# (`0H STOLEN VEHICLE`, `0H WARRANT`) and go by KEYWORDS.
OH_CODES = {"C": K.SUPERVISED_RELEASE, "H": K.PROTECTION_ORDER, "M": K.MISSING_PERSON,
            "P": K.STOLEN_PLATE, "R": K.STOLEN_CANADIAN, "T": K.GANG_TERRORIST,
            "V": K.STOLEN_VEHICLE, "W": K.WANTED_PERSON, "S": K.SEX_OFFENDER,
            "X": K.SUSPENDED_REVOKED}  # fmt: skip
NJ_CODES = {"E": K.EXPIRED, "S": K.SUSPENDED_REVOKED}  # parsers/nj_mvc.py
# parsers/ia_state.py. PO covers "protective order/interest or violent person"; B (stolen boat)
# and N (deported felon) have no kind.
IA_CODES = {"SR": K.SUPERVISED_RELEASE, "PO": K.PROTECTION_ORDER, "MP": K.MISSING_PERSON,
            "LP": K.STOLEN_PLATE, "CNVP": K.STOLEN_CANADIAN, "VGT": K.GANG_TERRORIST,
            "SFV": K.STOLEN_VEHICLE, "WP": K.WANTED_PERSON, "SOR": K.SEX_OFFENDER}  # fmt: skip
# Colorado CCIC list names as the 22-character field holds them (parsers/co_ccic.py). A felony
# warrant is a wanted person, not a felony vehicle. "Reported Lost" and "Used in Misdemeanor or"
# have no kind and are reported.
CO_CODES = {"Attempt To Locate": K.ATTEMPT_TO_LOCATE, "Felony Warrant": K.WANTED_PERSON,
            "Local Warrant": K.WANTED_PERSON, "Sexual Offender": K.SEX_OFFENDER,
            "Stolen/Car Jacking/Ca": K.STOLEN_VEHICLE, "Stolen Plate": K.STOLEN_PLATE,
            "Stolen Vehicle": K.STOLEN_VEHICLE,
            "Used in Felony or By": K.FELONY_VEHICLE}  # fmt: skip
CT_CODES = {"EX": K.EXPIRED}  # registration status; parsers/ct_collect.py reads only this file
# Free-text list names, checked in order; the first keyword found decides. WARRANT comes before
# FELONY ("Felony Warrant" is a person); CPIC is the Canadian records NCIC relays (mn_ncic.py
# calls NCIC's R "CPIC data", ncic.py "stolen Canadian vehicle"; Michigan writes
# "CPIC DATA RECORD NCIC").
KEYWORDS = (("AMBER", K.AMBER_ALERT), ("CANADIAN", K.STOLEN_CANADIAN), ("CPIC", K.STOLEN_CANADIAN),
            ("STOLEN PLATE", K.STOLEN_PLATE), ("STOLEN LICENSE PLATE", K.STOLEN_PLATE),
            ("STOLEN", K.STOLEN_VEHICLE), ("MISSING", K.MISSING_PERSON),
            ("SEX", K.SEX_OFFENDER), ("PROTECTION ORDER", K.PROTECTION_ORDER),
            ("PROTECTIVE ORDER", K.PROTECTION_ORDER),
            ("GANG", K.GANG_TERRORIST), ("TERROR", K.GANG_TERRORIST),
            ("SUPERVISED", K.SUPERVISED_RELEASE), ("ATTEMPT TO LOCATE", K.ATTEMPT_TO_LOCATE),
            ("WARRANT", K.WANTED_PERSON), ("FELONY", K.FELONY_VEHICLE), ("WANTED", K.WANTED_PERSON),
            ("SUSPEND", K.SUSPENDED_REVOKED), ("REVOKED", K.SUSPENDED_REVOKED),
            ("CANCELLED", K.SUSPENDED_REVOKED), ("HABITUAL", K.SUSPENDED_REVOKED),
            ("EXPIRED", K.EXPIRED))  # fmt: skip
