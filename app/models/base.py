"""What every table shares: the constraint naming convention and the id, foreign-key and UTC time
columns.
"""

from typing import Any

from sqlalchemy import Column, ForeignKey
from sqlmodel import Field, SQLModel

from app.db import BigId, UtcDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def id_column() -> Any:
    return Field(default=None, sa_type=BigId, primary_key=True)


def foreign_key(target: str, *, index: bool = True, nullable: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(BigId, ForeignKey(target), index=index, nullable=nullable),
    )


def utc_column(*, index: bool = False, nullable: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, index=index, nullable=nullable)
