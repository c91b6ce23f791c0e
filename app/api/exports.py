"""Exports for auditors and admins: the audit log for the state's access-log rules (signed),
and the warehouse tables as Parquet (streamed). Every export is audited."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from app import audit
from app.deps import ClockDep, Exporter, RuntimeDep, SessionDep
from app.errors import Unprocessable
from app.exports import audit_log, warehouse
from app.schemas.common import Moment

router = APIRouter(prefix="/exports", tags=["exports"])

PARQUET = "application/vnd.apache.parquet"
Since = Annotated[Moment, Query(description="From (inclusive), with a time zone")]
Until = Annotated[Moment, Query(description="To (exclusive), with a time zone")]
WarehouseTable = Literal["reads", "hits", "alerts", "deliveries", "responses", "outcomes"]


def _range(since: datetime, until: datetime) -> None:
    if until <= since:
        raise Unprocessable("until must be after since")


@router.get(
    "/audit",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def export_audit(
    runtime: RuntimeDep,
    session: SessionDep,
    user: Exporter,
    clock: ClockDep,
    since: Since,
    until: Until,
    format: Annotated[Literal["csv", "json"], Query(description="csv or json")] = "csv",
) -> Response:
    """The audit log for a time range with the SB 34 fields (who, when, which plate, why),
    signed: the chain's head and an HMAC of the file in the `X-Lookout-*` headers."""
    _range(since, until)
    settings = runtime.settings
    signed = audit_log.export(
        session, since=since, until=until, fmt=format, organisation=settings.agency_name,
        secret=settings.token_secret.get_secret_value(), actor=user, now=clock(),
    )  # fmt: skip
    name = f"lookout-audit-{since:%Y%m%dT%H%M%SZ}-{until:%Y%m%dT%H%M%SZ}.{format}"
    return Response(
        signed.body,
        media_type=signed.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Lookout-Rows": str(signed.rows),
            "X-Lookout-Chain-Head": signed.head.hash,
            "X-Lookout-Chain-Head-Id": str(signed.head.id),
            "X-Lookout-Chain-Rows": str(signed.head.rows),
            "X-Lookout-Signature": f"hmac-sha256={signed.signature}",
        },
    )


@router.get(
    "/warehouse/{table}",
    response_class=StreamingResponse,
    responses={200: {"content": {PARQUET: {}}}},
)
def export_warehouse(
    table: WarehouseTable,
    runtime: RuntimeDep,
    session: SessionDep,
    user: Exporter,
    clock: ClockDep,
    since: Since,
    until: Until,
) -> StreamingResponse:
    """One warehouse table for a time range as Parquet, streamed a row group at a time
    (schema in the README). Audited with the range and the row count."""
    _range(since, until)
    chosen = warehouse.TABLES[table]
    rows = warehouse.count(session, chosen, since=since, until=until)
    audit.record(
        session, actor=user, action="export.warehouse", now=clock(), object_type=table,
        detail={"table": table, "since": since, "until": until, "rows": rows,
                "schema_version": warehouse.SCHEMA_VERSION},
    )  # fmt: skip
    # The audit row commits before the first byte goes out (the stream outlives this session).
    session.commit()
    name = f"lookout-{table}-{since:%Y%m%dT%H%M%SZ}-{until:%Y%m%dT%H%M%SZ}.parquet"
    return StreamingResponse(
        warehouse.stream(runtime.engine, chosen, since=since, until=until),
        media_type=PARQUET,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Lookout-Rows": str(rows),
            "X-Lookout-Schema-Version": warehouse.SCHEMA_VERSION,
        },
    )
