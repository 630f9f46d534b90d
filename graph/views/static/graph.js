/* casegraph graph view: reads the JSON blocks, draws with vis-network, fills the side panel.
   Every piece of data reaches the page through textContent or a plain-string tooltip.

   Nodes come in layers (the causal spine, more events, actors, places, ...); the page shows the
   layers listed in the config and a checkbox toggles each other one. Spine nodes arrive with
   positions computed in Python; nodes shown later are placed by a short physics run with the
   placed ones held still. After every layout change `declutter` hides the labels that would
   overlap one already drawn (spine labels first, then other nodes, then edge labels), so no two
   visible labels ever cover each other; the hidden text stays in the tooltip and the panel. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("cg-config").textContent);
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var info = data.info;
  var edgeInfo = data.edgeInfo || {};
  var MIN_SCALE = 0.8; /* node labels at 14px stay at least 11px on screen */
  var TRANSPARENT = "rgba(0,0,0,0)";
  var LAYER_RANK = { spine: 0, events: 1, actors: 2, places: 3, sources: 4, observations: 5, claims: 6, cases: 7 };

  var state = {
    layers: {},
    time: !!config.timeRelations,
    asOf: null,
    placed: {},
    cluttered: {}
  };
  config.layers.forEach(function (name) { state.layers[name] = true; });

  var view = {
    nodeCount: config.nodeCount,
    edgeCount: config.edgeCount,
    visibleNodeCount: 0,
    visibleEdgeCount: 0,
    network: null,
    ready: false,
    showPanel: showPanel,
    showEdgePanel: showEdgePanel,
    setAsOf: setAsOf,
    setLayer: setLayer,
    setTimeRelations: setTimeRelations,
    layers: function () { return Object.keys(state.layers).filter(function (k) { return state.layers[k]; }).sort(); },
    labelBoxes: labelBoxes,
    scale: function () { return network.getScale(); },
    idle: function () { return view.ready && pending === 0; }
  };
  var pending = 0; /* layout changes under way (physics, then relabelling) */
  window.casegraphView = view;

  /* ---- nodes ---- */
  var nodeById = {};
  var nodeItems = data.nodes.map(function (n) {
    nodeById[n.id] = n;
    var item = {
      id: n.id,
      label: n.label,
      title: n.title,
      group: n.group,
      widthConstraint: { maximum: config.fonts.wrap },
      font: { size: config.fonts.node }
    };
    if (n.shapeProperties) item.shapeProperties = n.shapeProperties;
    if (n.borderWidth) item.borderWidth = n.borderWidth;
    if (typeof n.x === "number") {
      item.x = n.x;
      item.y = n.y;
      state.placed[n.id] = true;
    }
    item.hidden = !nodeVisible(n);
    item.physics = !item.hidden;
    return item;
  });

  function nodeVisible(n) {
    if (!state.layers[n.layer]) return false;
    return !(state.asOf && n.earliest && n.earliest > state.asOf);
  }

  /* ---- edges: merged claims and links by stance, the others by kind ---- */
  var edgeById = {};
  var edgeItems = data.edges.map(function (e) {
    edgeById[e.id] = e;
    var item;
    if (e.kind === "claims") {
      var st = config.stanceStyles[e.stance] || config.stanceStyles.supports;
      item = {
        id: e.id, from: e.from, to: e.to, title: e.title, label: e.label,
        color: { color: st.color, highlight: st.color, hover: st.color },
        width: e.width, dashes: st.dashes,
        smooth: { enabled: true, type: "curvedCW", roundness: 0.06 },
        arrows: { to: { enabled: true, scaleFactor: 0.8 } },
        font: { size: config.fonts.edge, color: st.color, strokeWidth: 0, background: "#ffffff", align: "horizontal" }
      };
      if (e.consistency) {
        item.background = { enabled: true, color: config.consistencyStyles[e.consistency], size: 9, dashes: false };
      }
    } else {
      var s = config.edgeStyles[e.kind] || config.edgeStyles.other;
      item = {
        id: e.id, from: e.from, to: e.to, title: e.title,
        color: { color: s.color, highlight: s.color, hover: s.color, opacity: e.uncertain ? 0.5 : 1 },
        width: e.width || s.width,
        dashes: s.dashes,
        arrows: { to: { enabled: s.arrow, scaleFactor: e.kind === "causal" || e.kind === "disputed" ? 0.7 : 0.4 } }
      };
      if (e.label) {
        item.label = e.label;
        item.font = { color: "#c53030", size: 11, strokeWidth: 3, strokeColor: "#ffffff", align: "middle" };
      }
    }
    item.hidden = !edgeVisible(e);
    return item;
  });

  function edgeVisible(e) {
    if (e.kind === "temporal" && !state.time) return false;
    var a = nodeById[e.from], b = nodeById[e.to];
    return !!(a && b && nodeVisible(a) && nodeVisible(b));
  }

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("graph");
  var options = {
    autoResize: true,
    groups: config.groups,
    nodes: {
      font: { size: config.fonts.node, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" },
      borderWidth: 1.5
    },
    edges: {
      smooth: config.smoothEdges ? { enabled: true, type: "dynamic" } : false,
      selectionWidth: 1.5,
      hoverWidth: 0.5
    },
    interaction: {
      hover: nodeItems.length <= 3000,
      tooltipDelay: 150,
      hideEdgesOnDrag: nodeItems.length > 1000,
      hideEdgesOnZoom: nodeItems.length > 3000,
      navigationButtons: false,
      keyboard: false
    },
    layout: { improvedLayout: false, randomSeed: 7 },
    physics: { enabled: false }
  };
  var physicsOptions = {
    enabled: true,
    solver: "forceAtlas2Based",
    forceAtlas2Based: { gravitationalConstant: -30, centralGravity: 0.012, springLength: 100, springConstant: 0.15, damping: 0.5, avoidOverlap: 0.8 },
    stabilization: { enabled: false, fit: false }
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  view.network = network;

  /* ---- placing nodes that have no position yet ---- */
  function neighbourOf(id) {
    var linked = network.getConnectedNodes(id);
    for (var i = 0; i < linked.length; i++) {
      if (state.placed[linked[i]] && !nodes.get(linked[i]).hidden) return linked[i];
    }
    return null;
  }

  function centreOfPlaced() {
    var ids = Object.keys(state.placed);
    if (!ids.length) return { x: 0, y: 0 };
    var pos = network.getPositions(ids), sx = 0, sy = 0;
    ids.forEach(function (id) { sx += pos[id].x; sy += pos[id].y; });
    return { x: sx / ids.length, y: sy / ids.length };
  }

  /* Place the visible nodes without a position next to a placed neighbour, then let physics
     spread them for a while with the placed nodes held still; calls done() when settled. */
  function settle(done) {
    var fresh = nodes.getIds({ filter: function (n) { return !n.hidden && !state.placed[n.id]; } });
    if (!fresh.length || !config.physics) {
      fresh.forEach(function (id) { state.placed[id] = true; });
      done();
      return;
    }
    var centre = centreOfPlaced();
    var k = 0;
    var updates = fresh.map(function (id) {
      var anchor = neighbourOf(id);
      var at = anchor ? network.getPositions([anchor])[anchor] : centre;
      var angle = (k++ * 2.399963) % (2 * Math.PI); /* golden angle: spread around the anchor */
      return { id: id, x: at.x + 140 * Math.cos(angle), y: at.y + 140 * Math.sin(angle) };
    });
    nodes.update(updates);
    var fixed = nodes.getIds({ filter: function (n) { return !n.hidden && state.placed[n.id]; } });
    nodes.update(fixed.map(function (id) { return { id: id, fixed: true }; }));
    var finished = false;
    var finish = function () {
      if (finished) return;
      finished = true;
      network.setOptions({ physics: { enabled: false } });
      nodes.update(fixed.map(function (id) { return { id: id, fixed: false }; }));
      fresh.forEach(function (id) { state.placed[id] = true; });
      done();
    };
    network.setOptions({ physics: physicsOptions });
    network.once("stabilizationIterationsDone", finish);
    network.stabilize(Math.min(config.stabilizationIterations, 200));
    window.setTimeout(finish, 20000); /* never leave physics running on a page a student reads */
  }

  /* ---- labels that would overlap are hidden ---- */
  function canvasBox(module) {
    var s = module && module.size;
    if (!s || !(s.width > 0) || !(s.height > 0)) return null;
    return { left: s.left, top: s.top, right: s.left + s.width, bottom: s.top + s.height };
  }
  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function candidates() {
    var out = [];
    nodes.forEach(function (n) {
      if (n.hidden) return;
      var body = network.body.nodes[n.id];
      var box = body && canvasBox(body.labelModule);
      if (box) out.push({ kind: "node", id: n.id, box: box, rank: LAYER_RANK[nodeById[n.id].layer] || 9, text: n.label });
    });
    edges.forEach(function (e) {
      if (e.hidden || !e.label) return;
      var body = network.body.edges[e.id];
      var box = body && canvasBox(body.labelModule);
      if (box) out.push({ kind: "edge", id: e.id, box: box, rank: edgeById[e.id].kind === "claims" ? 10 : 11, text: e.label });
    });
    out.sort(function (a, b) { return a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
    return out;
  }

  /* Accepted label boxes in a grid of cells, so that each check looks at its neighbours only. */
  var CELL = 256;
  function cellsOf(box, visit) {
    for (var i = Math.floor(box.left / CELL); i <= Math.floor(box.right / CELL); i++) {
      for (var j = Math.floor(box.top / CELL); j <= Math.floor(box.bottom / CELL); j++) {
        if (visit(i + ":" + j)) return true;
      }
    }
    return false;
  }

  function declutter() {
    var grid = {};
    var nodeUpdates = [], edgeUpdates = [];
    candidates().forEach(function (c) {
      var clash = cellsOf(c.box, function (key) {
        var found = grid[key];
        return !!found && found.some(function (a) { return overlaps(a, c.box); });
      });
      var key = c.kind + ":" + c.id;
      if (!clash) cellsOf(c.box, function (k) { (grid[k] = grid[k] || []).push(c.box); return false; });
      if (clash === !!state.cluttered[key]) return;
      state.cluttered[key] = clash;
      if (c.kind === "node") {
        nodeUpdates.push({
          id: c.id,
          font: clash ? { color: TRANSPARENT, strokeColor: TRANSPARENT } : { color: "#1a202c", strokeColor: "#ffffff" }
        });
      } else {
        var e = edgeById[c.id];
        var claims = e.kind === "claims";
        var colour = claims ? (config.stanceStyles[e.stance] || config.stanceStyles.supports).color : "#c53030";
        edgeUpdates.push({
          id: c.id,
          font: clash
            ? { color: TRANSPARENT, strokeColor: TRANSPARENT, background: TRANSPARENT }
            : { color: colour, strokeColor: "#ffffff", background: claims ? "#ffffff" : undefined }
        });
      }
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
  }

  /* Every drawn, unhidden label inside the canvas, as page-pixel boxes (for tests). */
  function labelBoxes() {
    var rect = container.getBoundingClientRect();
    var out = [];
    candidates().forEach(function (c) {
      if (state.cluttered[c.kind + ":" + c.id]) return;
      var a = network.canvasToDOM({ x: c.box.left, y: c.box.top });
      var b = network.canvasToDOM({ x: c.box.right, y: c.box.bottom });
      var box = { kind: c.kind, id: c.id, text: c.text, x: rect.left + a.x, y: rect.top + a.y, width: b.x - a.x, height: b.y - a.y };
      if (a.x < rect.width && b.x > 0 && a.y < rect.height && b.y > 0) out.push(box);
    });
    return out;
  }

  /* After a change of what is shown: draw once (label sizes are measured while drawing), hide
     the labels that collide, draw again, then call done(). Not for graphs above the physics
     limit (their first view is too small for vis-network to draw labels). */
  function relabel(done) {
    if (!config.physics) {
      /* A graph too big for physics is drawn whole at a scale where vis-network draws no
         label; sorting out thousands of labels would cost seconds for nothing. */
      if (done) done();
      return;
    }
    network.once("afterDrawing", function () {
      declutter();
      network.once("afterDrawing", function () { if (done) done(); });
      network.redraw();
    });
    network.redraw();
  }

  /* ---- what is shown ---- */
  function applyVisibility() {
    var nodeUpdates = [], visible = 0;
    nodes.forEach(function (n) {
      var hide = !nodeVisible(nodeById[n.id]);
      if (!hide) visible += 1;
      if (!!n.hidden !== hide) nodeUpdates.push({ id: n.id, hidden: hide, physics: !hide });
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    var edgeUpdates = [], shownEdges = 0;
    edges.forEach(function (e) {
      var hide = !edgeVisible(edgeById[e.id]);
      if (!hide) shownEdges += 1;
      if (!!e.hidden !== hide) edgeUpdates.push({ id: e.id, hidden: hide });
    });
    if (edgeUpdates.length) edges.update(edgeUpdates);
    view.visibleNodeCount = visible;
    view.visibleEdgeCount = shownEdges;
    var status = document.getElementById("asof-status");
    if (status) {
      status.textContent = state.asOf
        ? visible + " of " + config.nodeCount + " nodes known by " + state.asOf
        : visible + " of " + config.nodeCount + " nodes shown";
    }
    return visible;
  }

  function refresh(done) {
    applyVisibility();
    pending += 1;
    settle(function () {
      relabel(function () {
        pending -= 1;
        if (done) done();
      });
    });
    return view.visibleNodeCount;
  }

  function setLayer(name, on) {
    state.layers[name] = !!on;
    var box = document.querySelector('input[data-layer="' + name + '"]');
    if (box) box.checked = !!on;
    return refresh();
  }

  function setTimeRelations(on) {
    state.time = !!on;
    var box = document.getElementById("time-relations");
    if (box) box.checked = !!on;
    return refresh();
  }

  function setAsOf(iso) {
    state.asOf = iso || null;
    return refresh();
  }

  /* ---- the first view: the shown nodes, at a scale where labels can be read ---- */
  function shownBox(shown) {
    var box = null;
    shown.forEach(function (id) {
      var b = network.getBoundingBox(id);
      box = box
        ? { left: Math.min(box.left, b.left), top: Math.min(box.top, b.top), right: Math.max(box.right, b.right), bottom: Math.max(box.bottom, b.bottom) }
        : { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
    });
    return box;
  }

  function firstView() {
    var shown = nodes.getIds({ filter: function (n) { return !n.hidden; } });
    if (!shown.length) return;
    var box = shownBox(shown);
    var legend = document.getElementById("legend");
    /* Too big to read whole beside the legend: fold the legend (one click opens it again). */
    if (legend && legend.open && ((box.right - box.left) * MIN_SCALE > container.clientWidth - 40 ||
        (box.bottom - box.top) * MIN_SCALE > container.clientHeight - 40)) {
      legend.open = false;
      network.setSize("100%", "100%");
    }
    network.fit({ nodes: shown, animation: false });
    if (network.getScale() >= MIN_SCALE) return;
    var w = container.clientWidth, h = container.clientHeight, margin = 24;
    network.moveTo({
      position: { x: box.left - margin / MIN_SCALE + w / 2 / MIN_SCALE, y: box.top - margin / MIN_SCALE + h / 2 / MIN_SCALE },
      scale: MIN_SCALE,
      animation: false
    });
  }

  /* Select the node, and centre it (at the scale of the first view) when it is out of sight. */
  function focusNode(id) {
    network.selectNodes([id]);
    var at = network.canvasToDOM(network.getPositions([id])[id]);
    if (at.x < 0 || at.y < 0 || at.x > container.clientWidth || at.y > container.clientHeight) {
      network.focus(id, { scale: network.getScale(), animation: false });
    }
  }

  /* vis-network rescales the view when the canvas changes size (the panel opens or closes);
     keep the scale, so that labels stay as legible as they were. */
  network.on("resize", function (p) {
    if (!view.ready || !p.oldWidth || !p.oldHeight || !p.width || !p.height) return;
    var keep = network.getScale();
    var at = network.getViewPosition();
    window.setTimeout(function () {
      if (Math.abs(network.getScale() - keep) > 1e-9) network.moveTo({ position: at, scale: keep, animation: false });
    }, 0);
  });

  function markReady() {
    view.ready = true;
    document.body.setAttribute("data-ready", "true");
  }

  applyVisibility();
  if (config.nodeCount > 0) {
    if (config.focus) {
      showPanel(config.focus); /* first, so that the canvas has its final size */
      network.setSize("100%", "100%");
    }
    settle(function () {
      firstView();
      if (config.focus) focusNode(config.focus);
      relabel(markReady);
    });
  } else {
    markReady();
  }

  /* ---- side panel ---- */
  function showPanel(id) {
    return window.casegraphPanel.show(id, info[id]);
  }
  function showEdgePanel(id) {
    return window.casegraphPanel.showEdge(id, edgeInfo[id]);
  }
  function hidePanel() {
    window.casegraphPanel.hide();
  }

  network.on("click", function (params) {
    if (params.nodes.length) showPanel(params.nodes[0]);
    else if (params.edges.length && edgeInfo[params.edges[0]]) showEdgePanel(params.edges[0]);
    else if (!params.edges.length) hidePanel();
  });
  network.on("dragEnd", function (params) {
    if (params.nodes.length) relabel();
  });

  /* ---- toggles ---- */
  Array.prototype.forEach.call(document.querySelectorAll("input[data-layer]"), function (box) {
    box.checked = !!state.layers[box.getAttribute("data-layer")];
    box.addEventListener("change", function () { setLayer(box.getAttribute("data-layer"), box.checked); });
  });
  var timeBox = document.getElementById("time-relations");
  if (timeBox) {
    timeBox.checked = state.time;
    timeBox.addEventListener("change", function () { setTimeRelations(timeBox.checked); });
  }
  var back = document.getElementById("nav-back");
  if (back) back.addEventListener("click", function () { window.history.back(); });

  /* ---- graph as of date D (entered and shown as YYYY-MM-DD) ---- */
  var dayMs = 86400000;
  var ISO = /^\d{4}-\d{2}-\d{2}$/;
  function toDay(iso) {
    return Math.round(Date.parse(iso + "T00:00:00Z") / dayMs);
  }
  function fromDay(day) {
    return new Date(day * dayMs).toISOString().slice(0, 10);
  }
  function validIso(text) {
    return ISO.test(text) && !isNaN(Date.parse(text + "T00:00:00Z")) && fromDay(toDay(text)) === text;
  }

  if (config.dateFilter) {
    var dateInput = document.getElementById("asof-date");
    var range = document.getElementById("asof-range");
    var lo = toDay(config.dateMin);
    var hi = toDay(config.dateMax);
    range.min = String(lo);
    range.max = String(hi);
    range.value = String(hi);
    var applyText = function () {
      var text = dateInput.value.trim();
      if (text === "") {
        dateInput.setCustomValidity("");
        range.value = String(hi);
        setAsOf(null);
        return;
      }
      if (!validIso(text)) {
        dateInput.setCustomValidity("A day as YYYY-MM-DD, for example " + config.dateMin);
        dateInput.reportValidity();
        return;
      }
      dateInput.setCustomValidity("");
      range.value = String(Math.min(Math.max(toDay(text), lo), hi));
      setAsOf(text);
    };
    dateInput.addEventListener("change", applyText);
    dateInput.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); applyText(); }
    });
    range.addEventListener("input", function () {
      var iso = fromDay(Number(range.value));
      dateInput.value = iso;
      dateInput.setCustomValidity("");
      setAsOf(iso);
    });
    document.getElementById("asof-all").addEventListener("click", function () {
      dateInput.value = "";
      dateInput.setCustomValidity("");
      range.value = String(hi);
      setAsOf(null);
    });
    document.getElementById("asof-form").addEventListener("submit", function (ev) { ev.preventDefault(); applyText(); });
  }
})();
