"use strict";
// The console's filter: rows whose text holds every word typed stay; "/" jumps to the box.
(function () {
  const box = document.getElementById("filter");
  if (!box) return;
  function apply() {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll("table.filterable tbody tr").forEach(row => {
      const text = row.textContent.toLowerCase();
      row.hidden = !words.every(w => text.includes(w));
    });
  }
  box.addEventListener("input", apply);
  document.addEventListener("lookout:updated", apply);
  document.addEventListener("keydown", e => {
    const typing = /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
    if (e.key === "/" && !typing) { e.preventDefault(); box.focus(); }
  });
})();
