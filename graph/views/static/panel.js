/* casegraph side panel, shared by the graph view and the timeline.
   Builds its DOM with createElement and textContent only: data never becomes markup. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* Only same-site paths and absolute http(s) URLs become links (no javascript:, data:, ...). */
  function safeHref(url) {
    if (typeof url !== "string" || url === "") return null;
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") return url;
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? url : null;
    } catch (e) {
      return null;
    }
  }

  function link(text, url) {
    var href = safeHref(url);
    if (!href) return el("span", null, text);
    var a = el("a", null, text);
    a.href = href;
    a.rel = "noopener noreferrer";
    return a;
  }

  function row(dl, term, value) {
    if (!value) return;
    dl.appendChild(el("dt", null, term));
    dl.appendChild(el("dd", null, value));
  }

  function describeMarker(marker) {
    var words = [];
    if (marker.indexOf("~") >= 0) words.push("approximate");
    if (marker.indexOf("?") >= 0) words.push("uncertain");
    return words.join(", ");
  }

  var panel = document.getElementById("panel");
  var body = document.getElementById("panel-body");

  function show(id, p) {
    if (!p || !panel) return false;
    body.replaceChildren();
    body.appendChild(el("h2", "cg-panel-title", p.label + (p.marker ? " " + p.marker : "")));
    body.appendChild(el("p", "cg-panel-type", p.type));
    var dl = el("dl", "cg-facts");
    row(dl, "Dates", p.dates ? p.dates + (p.marker ? " (" + describeMarker(p.marker) + ")" : "") : "");
    row(dl, "Status", p.status);
    if (dl.childNodes.length) body.appendChild(dl);
    if (p.description) body.appendChild(el("p", "cg-description", p.description));

    if (p.claims && p.claims.length) {
      body.appendChild(el("h3", null, "Claims"));
      var ul = el("ul", "cg-claims");
      p.claims.forEach(function (c) {
        var li = el("li", "cg-claim cg-" + (c.stance === "disputes" ? "disputes" : "supports"));
        var head = el("div", "cg-claim-head");
        head.appendChild(el("strong", null, c.relation));
        if (c.other) head.appendChild(el("span", null, " " + c.other));
        head.appendChild(el("span", "cg-stance", c.stance));
        li.appendChild(head);
        if (c.note) li.appendChild(el("p", "cg-claim-note", c.note));
        if (c.assertedBy.length) li.appendChild(el("div", "cg-claim-by", "Asserted by " + c.assertedBy.join("; ")));
        if (c.sources.length) li.appendChild(el("div", "cg-claim-src", "Sources: " + c.sources.join("; ")));
        li.appendChild(el("div", "cg-claim-id", c.id));
        ul.appendChild(li);
      });
      body.appendChild(ul);
    }
    if (p.sources && p.sources.length) {
      body.appendChild(el("h3", null, "Sources"));
      var sl = el("ul", "cg-sources");
      p.sources.forEach(function (s) {
        var li = el("li");
        li.appendChild(link(s.label, s.url));
        sl.appendChild(li);
      });
      body.appendChild(sl);
    }
    if (p.ld || p.recentre) {
      var links = el("p", "cg-links");
      if (p.ld) links.appendChild(link("Linked-Data page", p.ld));
      if (p.recentre) links.appendChild(link("Re-centre the graph here", p.recentre));
      body.appendChild(links);
    }
    panel.hidden = false;
    panel.setAttribute("data-node", id);
    return true;
  }

  function hide() {
    if (!panel) return;
    panel.hidden = true;
    panel.removeAttribute("data-node");
  }

  if (panel) document.getElementById("panel-close").addEventListener("click", hide);
  window.casegraphPanel = { show: show, hide: hide, el: el };
})();
