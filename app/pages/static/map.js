"use strict";
// The pages' maps, on Leaflet from the xstatic-leaflet wheel. With no tile server configured
// (LOOKOUT_MAP_TILES_URL), the agency's beats are the base map, drawn as vector lines.
window.lookoutMap = (function () {
  const COLORS = {1: "#ff453a", 2: "#ff9f0a", 3: "#ffd60a", 4: "#8e8e93"};
  function readData() {
    const node = document.getElementById("map-data");
    return node ? JSON.parse(node.textContent) : {};
  }
  function arrow(heading) {
    return L.divIcon({
      className: "arrow",
      html: '<span style="transform:rotate(' + Number(heading || 0) + 'deg)">▲</span>',
      iconSize: [28, 28],
    });
  }
  function areaLayer(area, color) {
    if (!area) return null;
    if (area.center && area.radius_m) {
      return L.circle([area.center.lat, area.center.lon], {radius: area.radius_m, color: color, weight: 2, fillOpacity: 0.12});
    }
    if (area.polygon) {
      return L.geoJSON(area.polygon, {style: {color: color, weight: 2, fillOpacity: 0.12}});
    }
    if (area.type) return L.geoJSON(area, {style: {color: color, weight: 2, fillOpacity: 0.12}});
    return null;
  }
  function create(element) {
    const map = L.map(element, {zoomControl: true, attributionControl: true, preferCanvas: false});
    const tiles = document.body.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, {maxZoom: 19, attribution: document.body.dataset.tilesAttribution || ""}).addTo(map);
    }
    map.setView([37.8044, -122.2712], 13);
    const base = L.layerGroup().addTo(map);
    fetch("/pages/beats.geojson", {credentials: "same-origin"}).then(r => r.ok ? r.json() : null).then(beats => {
      if (!beats || !beats.features || !beats.features.length) return;
      const layer = L.geoJSON(beats, {
        style: {color: tiles ? "#5e5ce6" : "#636366", weight: 1, fillOpacity: tiles ? 0 : 0.04},
        onEachFeature: (feature, lyr) => {
          const code = feature.properties && (feature.properties.code || feature.id);
          if (code) lyr.bindTooltip(String(code), {sticky: true});
        },
      }).addTo(base);
      if (!map._lookoutFitted) map.fitBounds(layer.getBounds());
      layer.bringToBack();
    }).catch(() => {});
    const layers = Number(document.body.dataset.layers || 0);
    for (let i = 0; i < layers; i++) {
      fetch("/pages/layers/" + i + ".geojson", {credentials: "same-origin"}).then(r => r.ok ? r.json() : null).then(data => {
        if (!data) return;
        L.geoJSON(data, {
          style: f => /Line/.test(f.geometry.type) ? {color: "#7c7f88", weight: 1.5, opacity: 0.8}
            : {color: "#8e8e93", weight: 1, fillOpacity: 0, dashArray: "4"},
          onEachFeature: (feature, lyr) => {
            const name = feature.properties && (feature.properties.name || feature.properties.NAME);
            if (name) lyr.bindTooltip(String(name), {sticky: true});
          },
        }).addTo(base).bringToBack();
      }).catch(() => {});
    }
    const content = L.layerGroup().addTo(map);
    return {map: map, content: content};
  }
  function drawAlert(state, data) {
    const points = [];
    const trail = (data.trail || []).map(p => [p.lat, p.lon]);
    if (trail.length > 1) L.polyline(trail, {color: "#ff9f0a", weight: 4, opacity: 0.9}).addTo(state.content);
    (data.trail || []).forEach((p, i) => {
      L.circleMarker([p.lat, p.lon], {radius: 6, color: "#ff9f0a", fillOpacity: 0.9})
        .bindTooltip((i + 1) + ". " + p.label).addTo(state.content);
      points.push([p.lat, p.lon]);
    });
    if (data.car) {
      L.marker(data.car, {icon: arrow(data.heading), title: "The car"}).addTo(state.content);
      points.push(data.car);
    }
    if (data.me) {
      L.circleMarker(data.me, {radius: 9, color: "#ffffff", weight: 3, fillColor: "#0a84ff", fillOpacity: 1})
        .bindTooltip("You").addTo(state.content);
      points.push(data.me);
    }
    const area = areaLayer(data.area, COLORS[data.priority] || "#ff9f0a");
    if (area) { area.addTo(state.content); points.push(...boundsOf(area)); }
    return points;
  }
  function boundsOf(layer) {
    const b = layer.getBounds();
    return [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]];
  }
  function drawDesk(state, data) {
    const points = [];
    (data.bulletins || []).forEach(b => {
      const layer = areaLayer(b.area, "#5e5ce6");
      if (layer) {
        layer.bindTooltip("Bulletin " + b.id + ": " + b.label).addTo(state.content);
        points.push(...boundsOf(layer));
      }
    });
    (data.officers || []).forEach(o => {
      L.circleMarker([o.lat, o.lon], {
        radius: 7, color: o.fresh ? "#30d158" : "#8e8e93", fillOpacity: o.fresh ? 0.9 : 0.4,
        dashArray: o.fresh ? null : "3",
      }).bindTooltip(o.label + (o.fresh ? "" : " (stale)")).addTo(state.content);
      points.push([o.lat, o.lon]);
    });
    (data.alerts || []).forEach(a => {
      L.circleMarker([a.lat, a.lon], {radius: 9, color: COLORS[a.priority] || "#ff9f0a", weight: 3, fillOpacity: 0.6})
        .bindTooltip(a.label).on("click", () => { location.hash = "alert-" + a.id; }).addTo(state.content);
      points.push([a.lat, a.lon]);
    });
    return points;
  }
  let state = null;
  function draw() {
    const element = document.getElementById("map");
    if (!element || !window.L) return;
    if (!state || state.element !== element) { state = create(element); state.element = element; }
    state.content.clearLayers();
    const data = readData();
    const points = data.kind === "desk" ? drawDesk(state, data) : drawAlert(state, data);
    if (points.length && !state.map._lookoutFitted) {
      state.map.fitBounds(points, {padding: [30, 30], maxZoom: 16});
      state.map._lookoutFitted = true;
    }
    return state.map;
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("lookout:updated", draw);
  if (document.readyState !== "loading") draw();
  return {draw: draw, map: () => state && state.map};
})();
