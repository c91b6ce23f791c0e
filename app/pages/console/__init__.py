"""The dispatcher's console (/console): a live map of on-duty officers (fresh and stale), open
alerts and active bulletins' current areas, beside the same as lists, newest first; the
confirmation queue with its answer buttons; the bulletin form (its area drawn on the map or
picked as beats) and cancel; a bulletin's change page (/console/bulletins/{id}: the same
fields, filled in, and the map to draw another area on); and plate search with a required
purpose. Every change goes through the services the API uses, and every look at a plate is
audited as there.

`desk.py` serves the console, its live feed, the confirmation answers and the search;
`bulletins.py` the bulletin form and change page; `board.py` reads what the desk shows;
`forms.py` turns the forms into API bodies and a refused one into the console's note.
"""

from fastapi import APIRouter

from app.pages.console import bulletins, desk

router = APIRouter(include_in_schema=False)
router.include_router(desk.router)
router.include_router(bulletins.router)
