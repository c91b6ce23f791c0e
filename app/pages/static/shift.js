"use strict";
// Sharing the phone's position while the shift page is open: a fix every 15 s at most, or
// sooner after 50 m of movement, posted with the page's CSRF token.
(function () {
  const box = document.getElementById("share");
  const said = document.getElementById("position");
  const csrf = JSON.parse(document.getElementById("shift-data").textContent).csrf;
  const EVERY_MS = 15000, MOVED_M = 50;
  let watch = null, last = null, lastAt = 0;
  function metres(a, b) {
    const r = 6371000, rad = Math.PI / 180;
    const dLat = (b.latitude - a.latitude) * rad, dLon = (b.longitude - a.longitude) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(h));
  }
  async function send(position) {
    const c = position.coords, now = Date.now();
    if (last && now - lastAt < EVERY_MS && metres(last, c) < MOVED_M) return;
    last = c; lastAt = now;
    const form = new URLSearchParams({lat: c.latitude, lon: c.longitude});
    if (c.accuracy != null) form.set("accuracy_m", Math.min(c.accuracy, 100000));
    if (c.heading != null && !Number.isNaN(c.heading)) form.set("heading", c.heading);
    if (c.speed != null && !Number.isNaN(c.speed)) form.set("speed", Math.min(c.speed, 150));
    try {
      const answer = await fetch("/m/shift/position", {
        method: "POST", body: form, credentials: "same-origin", headers: {"X-CSRF-Token": csrf},
      });
      said.textContent = answer.ok ? "Position shared at " + new Date().toLocaleTimeString() + "." : "Position refused (" + answer.status + ").";
    } catch (error) {
      said.textContent = "No connection: your position will be sent when it is back.";
      last = null;
    }
  }
  function start() {
    if (!navigator.geolocation) { said.textContent = "This browser cannot share its position."; return; }
    watch = navigator.geolocation.watchPosition(send, e => { said.textContent = "Position unavailable: " + e.message; },
      {enableHighAccuracy: true, maximumAge: 10000, timeout: 30000});
  }
  function stop() { if (watch !== null) navigator.geolocation.clearWatch(watch); watch = null; }
  box.addEventListener("change", () => box.checked ? start() : stop());
  if (box.checked) start();
})();
