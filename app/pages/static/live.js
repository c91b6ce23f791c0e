"use strict";
// Live pages: the server says "change" over Server-Sent Events; the page fetches itself again
// and swaps in its live regions (`.live`, with the map's data); the map and forms stay put.
// While someone is typing into a form inside a live region (a confirmation's note, a cancel
// reason, an outcome), the swap waits until they leave it: it would throw their typing away.
(function () {
  const region = document.getElementById("live");
  if (!region || !window.EventSource) return;
  let busy = false, again = false, held = false;
  function typingInLiveRegion() {
    const here = document.activeElement;
    return !!(here && here.closest && here.closest(".live[id]") &&
      /^(INPUT|TEXTAREA|SELECT)$/.test(here.tagName));
  }
  document.addEventListener("focusout", () => setTimeout(() => {
    if (held && !typingInLiveRegion()) { held = false; refresh(); }
  }, 0));
  async function refresh() {
    if (typingInLiveRegion()) { held = true; return; }
    if (busy) { again = true; return; }
    busy = true;
    try {
      const answer = await fetch(location.href, {cache: "no-store", credentials: "same-origin"});
      if (answer.redirected || !answer.ok) return;
      const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
      document.querySelectorAll(".live[id]").forEach(old => {
        const next = fresh.getElementById(old.id);
        if (next) old.replaceChildren(...next.childNodes);
      });
      document.dispatchEvent(new CustomEvent("lookout:updated"));
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    } catch (error) {
      console.warn("live refresh failed", error);
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }
  const source = new EventSource(region.dataset.live);
  source.addEventListener("change", refresh);
  source.addEventListener("open", () => { document.body.dataset.live = "open"; });
})();
