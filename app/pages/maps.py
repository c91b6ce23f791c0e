"""What every page's map draws beneath its markers: the agency's beats (the base map when no
tile server is configured) and its own GeoJSON layers (LOOKOUT_MAP_LAYERS)."""

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.deps import RuntimeDep
from app.officers import beats as beat_files
from app.pages.web import AnyVisitor, PageRefused

router = APIRouter(include_in_schema=False)


@router.get("/pages/beats.geojson")
def beats_geojson(_visitor: AnyVisitor, runtime: RuntimeDep) -> JSONResponse:
    """The agency's beats: the base map when no tile server is configured."""
    return JSONResponse(
        beat_files.to_geojson(runtime.beats), headers={"Cache-Control": "private, max-age=300"}
    )


@router.get("/pages/layers/{index}.geojson")
def map_layer(index: int, _visitor: AnyVisitor, runtime: RuntimeDep) -> Response:
    """One of the agency's GeoJSON files drawn under the maps (LOOKOUT_MAP_LAYERS)."""
    files = runtime.settings.map_layer_files
    if not 0 <= index < len(files):
        raise PageRefused(404, f"no map layer {index}; LOOKOUT_MAP_LAYERS names {len(files)}")
    try:
        data = files[index].read_bytes()
    except OSError as error:
        raise PageRefused(404, f"map layer {index} cannot be read: {error.strerror}") from None
    return Response(
        data, media_type="application/geo+json",
        headers={"Cache-Control": "private, max-age=300"},
    )  # fmt: skip
