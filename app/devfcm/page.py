"""The development FCM server's page: the accepted messages drawn as phone notifications."""

import html


def target_of(record: dict[str, object]) -> str:
    message = record.get("message")
    if not isinstance(message, dict):
        return ""
    for key in ("token", "fid", "topic", "condition"):
        if isinstance(message.get(key), str):
            return str(message[key])
    return ""


def notification_of(record: dict[str, object]) -> dict[str, object]:
    """The notification shown; for a quiet (data-only) update, the title and body the app
    applies from its data, marked as quiet."""
    message = record.get("message")
    notification = message.get("notification") if isinstance(message, dict) else None
    if isinstance(notification, dict):
        return notification
    data = message.get("data") if isinstance(message, dict) else None
    if isinstance(data, dict) and "title" in data:
        return {"title": f"(quiet) {data['title']}", "body": data.get("body", "")}
    return {}


def render_page(messages: list[dict[str, object]]) -> str:
    """The inbox page: every value escaped, no external assets."""
    cards = "\n".join(_card(record) for record in reversed(messages))
    empty = "" if messages else '<p class="empty">No messages yet.</p>'
    return _PAGE.replace("<!--CARDS-->", empty + cards)


def _card(record: dict[str, object]) -> str:
    notification = notification_of(record)
    message = record.get("message")
    data = message.get("data") if isinstance(message, dict) else None
    rows = "".join(
        f"<dt>{html.escape(str(key))}</dt><dd>{html.escape(str(value))}</dd>"
        for key, value in (data.items() if isinstance(data, dict) else [])
    )
    return (
        '<article class="card">'
        f'<header><span class="app">Lookout</span>'
        f"<time>{html.escape(str(record.get('received_at', '')))}</time></header>"
        f"<h2>{html.escape(str(notification.get('title', '')))}</h2>"
        f"<p>{html.escape(str(notification.get('body', '')))}</p>"
        f"<dl>{rows}</dl>"
        f"<footer>to …{html.escape(target_of(record)[-6:])}</footer>"
        "</article>"
    )


# The script builds nodes with textContent only, so message text can never become markup.
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lookout FCM inbox</title>
<style>
body{font:15px system-ui,sans-serif;background:#1c1c1e;color:#f2f2f7;margin:0;padding:1rem}
h1{font-size:1rem;font-weight:600;color:#8e8e93}
#cards{max-width:26rem;margin:auto}
.card{background:#2c2c2e;border-radius:14px;padding:.7rem .9rem;margin:.6rem 0}
.card header{display:flex;justify-content:space-between;color:#8e8e93;font-size:.8rem}
.card h2{font-size:1rem;margin:.3rem 0 .1rem}.card p{margin:0 0 .3rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:0 .6rem;font-size:.8rem;color:#aeaeb2;margin:0}
dd{margin:0;word-break:break-all}footer{color:#636366;font-size:.75rem}
.empty{color:#8e8e93;text-align:center}
</style></head>
<body><h1>Lookout FCM inbox</h1><div id="cards"><!--CARDS--></div>
<script>
"use strict";
const base = location.href.endsWith("/") ? location.href : location.href + "/";
function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = String(text);
  return node;
}
function card(record) {
  const message = record.message || {};
  const data = message.data || {};
  const note = message.notification ||
    (data.title ? {title: "(quiet) " + data.title, body: data.body || ""} : {});
  const target = String(message.token || message.fid || message.topic || "");
  const article = el("article", "card");
  const header = el("header");
  header.append(el("span", "app", "Lookout"), el("time", "", record.received_at || ""));
  const list = el("dl");
  for (const [key, value] of Object.entries(message.data || {})) {
    list.append(el("dt", "", key), el("dd", "", value));
  }
  article.append(header, el("h2", "", note.title || ""), el("p", "", note.body || ""), list,
                 el("footer", "", "to …" + target.slice(-6)));
  return article;
}
async function refresh() {
  try {
    const answer = await fetch(new URL("messages", base), {cache: "no-store"});
    const {messages} = await answer.json();
    const cards = messages.slice().reverse().map(card);
    if (!cards.length) cards.push(el("p", "empty", "No messages yet."));
    document.getElementById("cards").replaceChildren(...cards);
  } catch (error) {
    console.warn("inbox refresh failed", error);
  }
}
setInterval(refresh, 2000);
</script></body></html>
"""
