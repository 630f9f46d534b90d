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

  var DATE_WORDS = {
    "inconsistent": "Dates do not fit: ",
    "possibly-inconsistent": "Dates may not fit: "
  };

  function datesFlag(item) {
    if (!item.dates) return null;
    return el("div", "cg-dates-flag cg-" + item.dates, "\u26a0 " + (DATE_WORDS[item.dates] || "") + (item.datesNote || ""));
  }

  /* Links to the node's cases, timeline, chains, Linked-Data page and its own view. */
  function viewLinks(p) {
    var box = el("div", "cg-links");
    if (p.cases && p.cases.length) {
      var cases = el("p", "cg-link-row");
      cases.appendChild(el("span", "cg-link-term", p.cases.length > 1 ? "Cases: " : "Case: "));
      p.cases.forEach(function (c, i) {
        if (i) cases.appendChild(document.createTextNode(", "));
        cases.appendChild(link(c.label, c.href));
      });
      box.appendChild(cases);
    }
    if (p.timeline) {
      var tl = el("p", "cg-link-row");
      tl.appendChild(link("Timeline", p.timeline));
      box.appendChild(tl);
    }
    if (p.chains && p.chains.length) {
      var chains = el("p", "cg-link-row");
      chains.appendChild(el("span", "cg-link-term", "Causal chains: "));
      p.chains.forEach(function (c, i) {
        if (i) chains.appendChild(document.createTextNode(", "));
        chains.appendChild(link((c.forward ? "\u2192 " : "\u2190 ") + c.label, c.href));
      });
      box.appendChild(chains);
    }
    if (p.ld) {
      var ld = el("p", "cg-link-row");
      ld.appendChild(link("Linked-Data page", p.ld));
      box.appendChild(ld);
    }
    if (p.recentre) {
      var rc = el("p", "cg-link-row");
      rc.appendChild(link("Re-centre the graph here", p.recentre));
      box.appendChild(rc);
    }
    return box.childNodes.length ? box : null;
  }

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
        var flag = datesFlag(c);
        if (flag) li.appendChild(flag);
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
    var links = viewLinks(p);
    if (links) body.appendChild(links);
    panel.hidden = false;
    panel.removeAttribute("data-edge");
    panel.setAttribute("data-node", id);
    return true;
  }

  /* An edge that carries claims and link steps: each one with who asserts it and on what. */
  function showEdge(id, p) {
    if (!p || !panel) return false;
    body.replaceChildren();
    body.appendChild(el("h2", "cg-panel-title", p.from + " \u2192 " + p.to));
    var n = p.items.length;
    body.appendChild(el("p", "cg-panel-type", n + (n === 1 ? " claim or link" : " claims and links")));
    var ul = el("ul", "cg-claims");
    p.items.forEach(function (c) {
      var li = el("li", "cg-claim cg-" + (c.kind === "link" ? "link" : c.stance === "disputes" ? "disputes" : "supports"));
      var head = el("div", "cg-claim-head");
      head.appendChild(el("strong", null, c.relation));
      head.appendChild(el("span", "cg-stance", c.kind === "link" ? "casebook link" : c.stance));
      li.appendChild(head);
      if (c.label && c.kind === "link") li.appendChild(el("div", "cg-claim-label", c.label));
      if (c.note) li.appendChild(el("p", "cg-claim-note", c.note));
      if (c.assertedBy.length) li.appendChild(el("div", "cg-claim-by", "Asserted by " + c.assertedBy.join("; ")));
      if (c.sources.length) li.appendChild(el("div", "cg-claim-src", "Sources: " + c.sources.join("; ")));
      if (c.related.length) {
        li.appendChild(el("div", "cg-claim-related", (c.kind === "link" ? "Illustrates: " : "Illustrated by: ") + c.related.join("; ")));
      }
      var facts = [c.casebookId, c.status, c.confidence === null || c.confidence === undefined ? "" : "confidence " + c.confidence].filter(Boolean);
      if (facts.length) li.appendChild(el("div", "cg-claim-id", facts.join(" \u00b7 ")));
      var flag = datesFlag(c);
      if (flag) li.appendChild(flag);
      li.appendChild(el("div", "cg-claim-id", c.id));
      ul.appendChild(li);
    });
    body.appendChild(ul);
    panel.hidden = false;
    panel.removeAttribute("data-node");
    panel.setAttribute("data-edge", id);
    return true;
  }

  function hide() {
    if (!panel) return;
    panel.hidden = true;
    panel.removeAttribute("data-node");
    panel.removeAttribute("data-edge");
  }

  if (panel) document.getElementById("panel-close").addEventListener("click", hide);
  window.casegraphPanel = { show: show, showEdge: showEdge, hide: hide, el: el };
})();
