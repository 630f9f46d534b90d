/* casegraph graph view: reads the JSON blocks, draws with vis-network, fills the side panel.
   Every piece of data reaches the page through textContent or a plain-string tooltip. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("cg-config").textContent);
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var info = data.info;
  var view = {
    nodeCount: config.nodeCount,
    edgeCount: config.edgeCount,
    visibleNodeCount: config.nodeCount,
    network: null,
    ready: false,
    showPanel: showPanel,
    setAsOf: setAsOf
  };
  window.casegraphView = view;

  /* ---- edges: style by kind ---- */
  var edgeItems = data.edges.map(function (e) {
    var s = config.edgeStyles[e.kind] || config.edgeStyles.other;
    var color = e.kind === "causal" && config.causalColors[e.rel] ? config.causalColors[e.rel] : s.color;
    var item = {
      id: e.id,
      from: e.from,
      to: e.to,
      title: e.title,
      color: { color: color, highlight: color, hover: color, opacity: e.uncertain ? 0.5 : 1 },
      width: e.width || s.width,
      dashes: s.dashes,
      arrows: { to: { enabled: s.arrow, scaleFactor: e.kind === "causal" || e.kind === "disputed" ? 0.7 : 0.4 } }
    };
    if (e.label) {
      item.label = e.label;
      item.font = { color: "#c53030", size: 11, strokeWidth: 3, strokeColor: "#ffffff", align: "middle" };
    }
    return item;
  });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("graph");
  var options = {
    autoResize: true,
    groups: config.groups,
    nodes: {
      font: { size: 12, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" },
      borderWidth: 1.5
    },
    edges: {
      smooth: config.smoothEdges ? { enabled: true, type: "dynamic" } : false,
      selectionWidth: 1.5,
      hoverWidth: 0.5
    },
    interaction: {
      hover: nodes.length <= 3000,
      tooltipDelay: 150,
      hideEdgesOnDrag: nodes.length > 1000,
      hideEdgesOnZoom: nodes.length > 3000,
      navigationButtons: false,
      keyboard: false
    },
    layout: { improvedLayout: config.improvedLayout, randomSeed: 7 },
    physics: config.physics
      ? {
          enabled: true,
          solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -60, springLength: 90, avoidOverlap: 0.3 },
          stabilization: { enabled: true, iterations: config.stabilizationIterations, updateInterval: 25, fit: true }
        }
      : { enabled: false }
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  view.network = network;

  function markReady() {
    if (view.ready) return;
    network.once("afterDrawing", function () {
      view.ready = true;
      document.body.setAttribute("data-ready", "true");
    });
    network.redraw();
  }

  if (config.physics && config.nodeCount > 0) {
    var settled = false;
    var settle = function () {
      if (settled) return;
      settled = true;
      network.setOptions({ physics: { enabled: false } });
      if (config.focus) focusNode(config.focus);
      markReady();
    };
    network.once("stabilizationIterationsDone", settle);
    network.once("stabilized", settle);
    /* A safety net: never leave physics running on a page a student is reading. */
    window.setTimeout(settle, 20000);
  } else {
    if (config.nodeCount > 0) network.fit();
    if (config.focus) focusNode(config.focus);
    markReady();
  }

  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: 1.1, animation: false });
    showPanel(id);
  }

  /* ---- side panel ---- */
  function showPanel(id) {
    return window.casegraphPanel.show(id, info[id]);
  }
  function hidePanel() {
    window.casegraphPanel.hide();
  }

  network.on("click", function (params) {
    if (params.nodes.length) showPanel(params.nodes[0]);
    else if (!params.edges.length) hidePanel();
  });

  /* ---- graph as of date D ---- */
  var dayMs = 86400000;
  function toDay(iso) {
    return Math.round(Date.parse(iso + "T00:00:00Z") / dayMs);
  }
  function fromDay(day) {
    return new Date(day * dayMs).toISOString().slice(0, 10);
  }

  function setAsOf(iso) {
    var hiddenNodes = {};
    var nodeUpdates = [];
    var visible = 0;
    nodes.forEach(function (n) {
      var hide = !!(iso && n.earliest && n.earliest > iso);
      if (hide) hiddenNodes[n.id] = true;
      else visible += 1;
      if (!!n.hidden !== hide) nodeUpdates.push({ id: n.id, hidden: hide });
    });
    var edgeUpdates = [];
    edges.forEach(function (e) {
      var hide = !!(hiddenNodes[e.from] || hiddenNodes[e.to]);
      if (!!e.hidden !== hide) edgeUpdates.push({ id: e.id, hidden: hide });
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    view.visibleNodeCount = visible;
    var status = document.getElementById("asof-status");
    if (status) {
      status.textContent = iso
        ? visible + " of " + config.nodeCount + " nodes known by " + iso
        : "all " + config.nodeCount + " nodes";
    }
    return visible;
  }

  if (config.dateFilter) {
    var dateInput = document.getElementById("asof-date");
    var range = document.getElementById("asof-range");
    var lo = toDay(config.dateMin);
    var hi = toDay(config.dateMax);
    dateInput.min = config.dateMin;
    dateInput.max = config.dateMax;
    range.min = String(lo);
    range.max = String(hi);
    range.value = String(hi);
    dateInput.addEventListener("change", function () {
      if (dateInput.value) range.value = String(toDay(dateInput.value));
      setAsOf(dateInput.value || null);
    });
    range.addEventListener("input", function () {
      var iso = fromDay(Number(range.value));
      dateInput.value = iso;
      setAsOf(iso);
    });
    document.getElementById("asof-all").addEventListener("click", function () {
      dateInput.value = "";
      range.value = String(hi);
      setAsOf(null);
    });
    setAsOf(null);
  }
})();
