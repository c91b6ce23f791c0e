"use strict";
// Drawing a bulletin's area on the map with plain Leaflet (the console's new bulletin, a
// bulletin's change page): a circle (click its centre; the radius field sets its size) or a
// polygon (click its corners, then Finish). The area goes into the form's hidden `area` field
// as the API takes it; left empty on a change page, the area stays as it was.
(function () {
  const field = document.getElementById("area");
  const said = document.getElementById("area-text");
  const radius = document.getElementById("radius");
  if (!field || !window.lookoutMap) return;
  const untouched = said.textContent;  // "no area drawn", or on a change page "unchanged"
  let tool = null, corners = [], shape = null, draft = null;
  function map() { return window.lookoutMap.map() || window.lookoutMap.draw(); }
  function clearShape() {
    if (shape) shape.remove();
    if (draft) draft.remove();
    shape = draft = null;
  }
  function setTool(name) {
    tool = name; corners = [];
    document.querySelectorAll(".tool").forEach(b => b.classList.toggle("active", b.dataset.tool === name));
    said.textContent = name === "circle" ? "Click the centre of the area on the map." :
      "Click each corner on the map, then Finish polygon.";
    map().getContainer().style.cursor = "crosshair";
  }
  function circleAt(latlng) {
    clearShape();
    const r = Math.max(50, Math.min(50000, Number(radius.value) || 1500));
    shape = L.circle(latlng, {radius: r, color: "#ff9f0a", weight: 3, fillOpacity: 0.15}).addTo(map());
    field.value = JSON.stringify({center: {lat: +latlng.lat.toFixed(6), lon: +latlng.lng.toFixed(6)}, radius_m: r});
    said.textContent = "Circle of " + r + " m around " + latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5) + ".";
  }
  function finishPolygon() {
    if (corners.length < 3) { said.textContent = "A polygon needs at least 3 corners."; return; }
    clearShape();
    shape = L.polygon(corners, {color: "#ff9f0a", weight: 3, fillOpacity: 0.15}).addTo(map());
    const ring = corners.map(c => [+c.lng.toFixed(6), +c.lat.toFixed(6)]);
    ring.push(ring[0]);
    field.value = JSON.stringify({polygon: {type: "Polygon", coordinates: [ring]}});
    said.textContent = "Polygon with " + corners.length + " corners.";
    tool = null; corners = [];
    document.querySelectorAll(".tool").forEach(b => b.classList.remove("active"));
    map().getContainer().style.cursor = "";
  }
  function onClick(event) {
    if (tool === "circle") { circleAt(event.latlng); return; }
    if (tool === "polygon") {
      corners.push(event.latlng);
      if (draft) draft.remove();
      draft = L.polyline(corners, {color: "#ff9f0a", dashArray: "4"}).addTo(map());
      said.textContent = corners.length + " corner(s); Finish polygon when done.";
    }
  }
  function start() {
    const m = map();
    if (!m) return;
    m.on("click", onClick);
    document.querySelectorAll(".tool").forEach(b => b.addEventListener("click", () => setTool(b.dataset.tool)));
    document.getElementById("finish-polygon").addEventListener("click", finishPolygon);
    document.getElementById("clear-area").addEventListener("click", () => {
      clearShape(); field.value = ""; tool = null; corners = [];
      said.textContent = untouched;
    });
    radius.addEventListener("change", () => {
      if (shape && shape.setRadius) circleAt(shape.getLatLng());
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
