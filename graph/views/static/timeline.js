/* casegraph timeline: events in lanes and observation series on one time axis, drawn as SVG.
   Text reaches the page through textContent only; tooltips are SVG <title> text.
   Lanes follow a grouping (by actor, by case) that a control switches. Labels are measured and
   cut only where the next item in their row or the edge leaves no room; a series line is
   broken where its periods leave a gap. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("cg-config").textContent);
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var SVG = "http://www.w3.org/2000/svg"; /* a namespace name, never fetched */
  var DAY = 86400000;
  var GUTTER = 170, AXIS_H = 30, ROW_H = 22, LANE_PAD = 8, BAND_H = 130, RIGHT_PAD = 16;
  var COLORS = ["#4a90d9", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f", "#e53e3e"];
  var LABEL_FONT = "12px system-ui, -apple-system, \"Segoe UI\", Roboto, \"DejaVu Sans\", sans-serif";
  var LANE_MAX = 24; /* characters of a lane name in the gutter */

  var view = { eventCount: config.eventCount, seriesCount: config.seriesCount, ready: false };
  window.casegraphView = view;
  var grouping = config.grouping;
  var placedLabels = [];

  var measureCtx = document.createElement("canvas").getContext("2d");
  measureCtx.font = LABEL_FONT;
  function textWidth(text) {
    return measureCtx.measureText(text).width;
  }
  /* The longest start of `text` (with an ellipsis) that fits in `room` pixels. */
  function fitText(text, room) {
    if (textWidth(text) <= room) return text;
    var lo = 0, hi = text.length;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      if (textWidth(text.slice(0, mid) + "\u2026") <= room) lo = mid; else hi = mid - 1;
    }
    return lo > 0 ? text.slice(0, lo) + "\u2026" : "";
  }

  function t(iso) {
    return iso ? Date.parse(iso + "T00:00:00Z") : null;
  }

  /* Normalise events: times in ms, defaults for the optional bounds. */
  var events = data.events.map(function (e) {
    var earliest = t(e.earliest);
    var latest = t(e.latest);
    var open = latest === null;
    var startLatest = e.startLatest ? t(e.startLatest) : earliest;
    var endEarliest = e.endEarliest ? t(e.endEarliest) : latest;
    return {
      src: e, earliest: earliest, latest: latest, open: open,
      startLatest: startLatest, endEarliest: endEarliest,
      point: !open && endEarliest !== null && endEarliest <= startLatest
    };
  });
  var series = data.series.map(function (s) {
    return {
      src: s,
      points: s.points.map(function (p) {
        var a = t(p.earliest), b = t(p.latest) + DAY;
        return { src: p, time: (a + b) / 2, value: p.value };
      })
    };
  });

  /* The full extent of everything, padded. */
  var lo = Infinity, hi = -Infinity;
  events.forEach(function (e) {
    lo = Math.min(lo, e.earliest);
    hi = Math.max(hi, e.latest !== null ? e.latest + DAY : e.earliest + DAY, e.endEarliest || 0);
  });
  series.forEach(function (s) {
    s.src.points.forEach(function (p) {
      lo = Math.min(lo, t(p.earliest));
      hi = Math.max(hi, t(p.latest) + DAY);
    });
  });
  if (!isFinite(lo)) {
    lo = Date.UTC(2000, 0, 1);
    hi = Date.UTC(2030, 0, 1);
  }
  if (hi - lo < 30 * DAY) {
    lo -= 15 * DAY;
    hi += 15 * DAY;
  }
  var pad = (hi - lo) * 0.03;
  var full = [lo - pad, hi + pad];
  var domain = full.slice();

  var root = document.getElementById("timeline");
  var laneNames = [];
  var laneIndex = {};
  function laneOf(e) {
    return grouping && e.src.lanes && e.src.lanes[grouping] !== undefined ? e.src.lanes[grouping] : e.src.group;
  }
  function computeLanes() {
    laneNames = [];
    laneIndex = {};
    if (!grouping) {
      laneNames = config.lanes.slice();
    } else {
      var seen = {};
      events.slice().sort(function (p, q) { return p.earliest - q.earliest; }).forEach(function (e) {
        var name = laneOf(e);
        if (!seen[name]) { seen[name] = true; laneNames.push(name); }
      });
    }
    laneNames.forEach(function (name, i) { laneIndex[name] = i; });
  }
  computeLanes();

  function svgEl(tag, attrs, parent) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function svgText(x, y, text, cls, parent, anchor) {
    var node = svgEl("text", { x: x, y: y, "class": cls || "", "text-anchor": anchor || "start" }, parent);
    node.textContent = text;
    return node;
  }
  function shortLane(text) {
    return text.length > LANE_MAX ? text.slice(0, LANE_MAX - 1) + "\u2026" : text;
  }

  /* ---- ticks ---- */
  var STEPS = [
    [1, "day"], [7, "day"], [1, "month"], [3, "month"], [6, "month"],
    [1, "year"], [2, "year"], [5, "year"], [10, "year"], [20, "year"], [50, "year"], [100, "year"]
  ];
  var APPROX = { day: DAY, month: 30.44 * DAY, year: 365.25 * DAY };

  function ticks(a, b, width) {
    var want = Math.max(2, Math.floor(width / 90));
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) {
      if ((b - a) / (STEPS[i][0] * APPROX[STEPS[i][1]]) <= want) { step = STEPS[i]; break; }
    }
    var n = step[0], unit = step[1], out = [];
    var d = new Date(a);
    var cur;
    if (unit === "year") cur = Date.UTC(Math.floor(d.getUTCFullYear() / n) * n, 0, 1);
    else if (unit === "month") cur = Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / n) * n, 1);
    else cur = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    for (var guard = 0; cur <= b && guard < 500; guard++) {
      var c = new Date(cur);
      var label = unit === "year" ? String(c.getUTCFullYear())
        : unit === "month" ? c.toISOString().slice(0, 7)
        : c.toISOString().slice(0, 10);
      if (cur >= a) out.push([cur, label]);
      if (unit === "year") cur = Date.UTC(c.getUTCFullYear() + n, 0, 1);
      else if (unit === "month") cur = Date.UTC(c.getUTCFullYear(), c.getUTCMonth() + n, 1);
      else cur += n * DAY;
    }
    return out;
  }

  function niceTicks(min, max) {
    var span = max - min || 1;
    var raw = span / 4;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; }).find(function (s) { return s >= raw; });
    var out = [];
    for (var v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(v);
    return out;
  }
  function fmt(v) {
    return Math.abs(v) >= 1000 ? v.toLocaleString("en-US", { maximumFractionDigits: 0 }) : String(Math.round(v * 100) / 100);
  }

  /* ---- drawing ---- */
  function open(id) {
    if (data.info[id] && window.casegraphPanel.show(id, data.info[id])) return;
    if (config.linkBase !== null) window.location.href = config.linkBase + "/view/entity/" + encodeURIComponent(id);
  }

  function makeGradients(defs) {
    COLORS.forEach(function (c, i) {
      var gin = svgEl("linearGradient", { id: "fade-in-" + i }, defs);
      svgEl("stop", { offset: 0, "stop-color": c, "stop-opacity": 0 }, gin);
      svgEl("stop", { offset: 1, "stop-color": c, "stop-opacity": 1 }, gin);
      var gout = svgEl("linearGradient", { id: "fade-out-" + i }, defs);
      svgEl("stop", { offset: 0, "stop-color": c, "stop-opacity": 1 }, gout);
      svgEl("stop", { offset: 1, "stop-color": c, "stop-opacity": 0 }, gout);
    });
  }

  function render() {
    var width = Math.max(root.clientWidth, 400);
    var plotW = width - GUTTER - RIGHT_PAD;
    var a = domain[0], b = domain[1];
    function x(time) { return GUTTER + (time - a) / (b - a) * plotW; }

    /* Pack each lane's events into rows, in pixels, so bars and full labels do not collide.
       A label that would run off the right edge goes to the left of its event when there is
       room there; otherwise it is cut at the edge (the tooltip and panel keep it whole). */
    var plotRight = width - RIGHT_PAD;
    var lanes = laneNames.map(function (name) { return { name: name, rows: [], items: [] }; });
    events.slice().sort(function (p, q) { return p.earliest - q.earliest; }).forEach(function (e) {
      var lane = lanes[laneIndex[laneOf(e)]];
      var x0 = x(e.earliest);
      var end = e.open ? full[1] : e.latest + DAY;
      var x1 = Math.max(x(end), x0 + 10);
      if (e.point) {
        var mid = x((e.earliest + e.latest + DAY) / 2);
        x0 = Math.min(x0, mid - 8);
        x1 = Math.max(x(end), mid + 8);
      }
      var fullLabel = e.src.label + (e.src.marker ? " " + e.src.marker : "");
      var labelW = textWidth(fullLabel);
      var anchor = Math.max(x1, GUTTER) + 6;
      var leftLabel = anchor + labelW > plotRight && x0 - 6 - labelW > GUTTER;
      /* No room on either side: a long enough bar carries its label inside. */
      var barStart = Math.max(x0, GUTTER) + 4;
      var inside = !e.point && anchor + labelW > plotRight && !leftLabel &&
        Math.min(x1, plotRight) - barStart >= labelW + 4;
      var label = fullLabel;
      if (!leftLabel && !inside && anchor + labelW > plotRight) {
        label = fitText(fullLabel, Math.max(0, plotRight - anchor));
        labelW = textWidth(label);
      }
      var left = leftLabel ? x0 - 6 - labelW : Math.min(x0, anchor);
      var right = leftLabel ? x1 : inside ? Math.max(x1, barStart + labelW) : anchor + labelW;
      var row = 0;
      while (row < lane.rows.length && lane.rows[row] > left - 8) row++;
      lane.rows[row] = right;
      lane.items.push({ e: e, row: row, x0: x0, x1: x1, label: label, full: fullLabel, labelW: labelW, leftLabel: leftLabel, inside: inside });
    });

    var height = AXIS_H;
    lanes.forEach(function (lane) {
      lane.top = height;
      lane.height = Math.max(1, lane.rows.length) * ROW_H + 2 * LANE_PAD;
      height += lane.height;
    });
    var bandsTop = height + (series.length ? 12 : 0);
    height = bandsTop + series.length * BAND_H + 10;

    var svg = svgEl("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height });
    var defs = svgEl("defs", {}, svg);
    makeGradients(defs);
    var clip = svgEl("clipPath", { id: "plot-clip" }, defs);
    svgEl("rect", { x: GUTTER, y: 0, width: plotW, height: height }, clip);

    /* lanes background and names */
    lanes.forEach(function (lane, i) {
      if (i % 2 === 0) svgEl("rect", { x: 0, y: lane.top, width: width, height: lane.height, "class": "cg-lane-bg" }, svg);
      var name = svgText(8, lane.top + LANE_PAD + 14, shortLane(lane.name || "Events"), "cg-lane-name", svg);
      var tip = svgEl("title", {}, name);
      tip.textContent = lane.name || "Events";
    });

    /* axis and grid */
    var axis = svgEl("g", { "class": "cg-axis" }, svg);
    ticks(a, b, plotW).forEach(function (tk) {
      var tx = x(tk[0]);
      svgEl("line", { x1: tx, x2: tx, y1: AXIS_H - 6, y2: height, "class": "cg-grid" }, axis);
      svgText(tx + 3, AXIS_H - 10, tk[1], "", axis);
    });
    svgEl("line", { x1: GUTTER, x2: width - RIGHT_PAD, y1: AXIS_H - 1, y2: AXIS_H - 1, stroke: "#a0aec0" }, axis);

    /* events */
    var plot = svgEl("g", { "clip-path": "url(#plot-clip)" }, svg);
    placedLabels = [];
    lanes.forEach(function (lane) {
      var ci = laneIndex[lane.name] % COLORS.length;
      var color = COLORS[ci];
      lane.items.forEach(function (item) {
        var e = item.e;
        var cy = lane.top + LANE_PAD + item.row * ROW_H + ROW_H / 2;
        var g = svgEl("g", { "class": "cg-ev", tabindex: 0, role: "button" }, plot);
        g.setAttribute("data-id", e.src.id);
        var tip = svgEl("title", {}, g);
        tip.textContent = e.src.label + "\n" + e.src.type + " · " + e.src.dates;
        var dashed = e.src.marker ? { "stroke-dasharray": "3,2" } : {};
        var labelX;
        if (e.point) {
          var mid = (e.earliest + e.latest + DAY) / 2;
          var mx = x(mid);
          var wx0 = x(e.earliest), wx1 = x(e.latest + DAY);
          if (wx1 - wx0 > 4) {
            svgEl("rect", { x: wx0, y: cy - 1.5, width: (wx1 - wx0) / 2, height: 3, fill: "url(#fade-in-" + ci + ")" }, g);
            svgEl("rect", { x: mx, y: cy - 1.5, width: (wx1 - wx0) / 2, height: 3, fill: "url(#fade-out-" + ci + ")" }, g);
          }
          var attrs = { points: [mx, cy - 7, mx + 7, cy, mx, cy + 7, mx - 7, cy].join(" "), fill: color, stroke: "#1a202c", "stroke-width": 1, "class": "cg-ev-shape" };
          for (var k in dashed) attrs[k] = dashed[k];
          svgEl("polygon", attrs, g);
          labelX = Math.max(mx + 10, wx1 + 4);
        } else {
          var xs = x(e.earliest), xsl = x(e.startLatest);
          /* An open end stays solid to the last known date, then fades out. */
          var xee = x(e.open ? Math.max(e.startLatest, hi) : e.endEarliest);
          var xl = x(e.open ? full[1] : e.latest + DAY);
          if (xsl > xs) svgEl("rect", { x: xs, y: cy - 6, width: xsl - xs, height: 12, fill: "url(#fade-in-" + ci + ")" }, g);
          var core = { x: xsl, y: cy - 6, width: Math.max(2, xee - xsl), height: 12, fill: color, rx: 2, "class": "cg-ev-shape" };
          if (e.src.marker) { core.stroke = "#1a202c"; core["stroke-dasharray"] = "3,2"; }
          svgEl("rect", core, g);
          if (xl > xee) svgEl("rect", { x: xee, y: cy - 6, width: xl - xee, height: 12, fill: "url(#fade-out-" + ci + ")" }, g);
          labelX = xl + 4;
        }
        var textX = item.leftLabel ? item.x0 - 6 : item.inside ? Math.max(item.x0, GUTTER) + 4 : Math.max(item.x1, GUTTER) + 6;
        var node = svgText(textX, cy + 4, item.label, item.inside ? "cg-ev-label cg-ev-label-inside" : "cg-ev-label", g, item.leftLabel ? "end" : "start");
        if (item.label) {
          placedLabels.push({
            id: e.src.id, text: item.label, full: item.full, lane: lane.name,
            x: item.leftLabel ? textX - item.labelW : textX, y: cy - 7, width: item.labelW, height: 14,
            node: node
          });
        }
        g.addEventListener("click", function (ev) { ev.stopPropagation(); open(e.src.id); });
        g.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") open(e.src.id); });
      });
    });

    /* observation series: one band each, own y-axis, shared time axis */
    series.forEach(function (s, i) {
      var top = bandsTop + i * BAND_H;
      var h = BAND_H - 34;
      var y0 = top + 24, y1 = y0 + h;
      var values = s.points.map(function (p) { return p.value; });
      var vmin = Math.min(0, Math.min.apply(null, values.length ? values : [0]));
      var vmax = Math.max.apply(null, values.length ? values : [1]);
      if (vmax <= vmin) vmax = vmin + 1;
      vmax *= 1.08;
      function y(v) { return y1 - (v - vmin) / (vmax - vmin) * h; }
      svgEl("line", { x1: 0, x2: width, y1: top + 2, y2: top + 2, stroke: "#e2e8f0" }, svg);
      var name = s.src.label + (s.src.unit ? " (" + s.src.unit + ")" : "");
      svgText(8, top + 17, name, "cg-series-name", svg);
      var yaxis = svgEl("g", { "class": "cg-axis" }, svg);
      svgEl("line", { x1: GUTTER - 4, x2: GUTTER - 4, y1: y0, y2: y1, stroke: "#a0aec0" }, yaxis);
      niceTicks(vmin, vmax).forEach(function (v) {
        svgEl("line", { x1: GUTTER - 8, x2: GUTTER - 4, y1: y(v), y2: y(v), stroke: "#a0aec0" }, yaxis);
        svgEl("line", { x1: GUTTER, x2: width - RIGHT_PAD, y1: y(v), y2: y(v), "class": "cg-grid" }, yaxis);
        svgText(GUTTER - 10, y(v) + 4, fmt(v), "", yaxis, "end");
      });
      var color = "#2d3748";
      var pts = s.points.slice().sort(function (p, q) { return p.time - q.time; });
      var g = svgEl("g", { "clip-path": "url(#plot-clip)", "class": "cg-series" }, svg);
      g.setAttribute("data-series", s.src.id);
      /* One line per run of adjoining periods: none across a gap in the figures. */
      (s.src.segments || [s.points.map(function (_, k) { return k; })]).forEach(function (run) {
        if (run.length < 2) return;
        svgEl("polyline", {
          points: run.map(function (k) { var p = s.points[k]; return x(p.time).toFixed(1) + "," + y(p.value).toFixed(1); }).join(" "),
          fill: "none", stroke: color, "stroke-width": 2
        }, g);
      });
      pts.forEach(function (p) {
        var c = svgEl("circle", { cx: x(p.time), cy: y(p.value), r: 3.5, fill: "#ffffff", stroke: color, "stroke-width": 2, "class": "cg-pt" }, g);
        var tip = svgEl("title", {}, c);
        tip.textContent = p.src.earliest + " – " + p.src.latest + ": " + fmt(p.value) + (s.src.unit ? " " + s.src.unit : "") + (p.src.note ? "\n" + p.src.note : "");
        if (p.src.id) {
          c.setAttribute("data-id", p.src.id);
          c.addEventListener("click", function (ev) { ev.stopPropagation(); open(p.src.id); });
        }
      });
    });

    root.replaceChildren(svg);
  }

  /* ---- zoom and pan ---- */
  var MIN_SPAN = 5 * DAY;
  function zoom(factor, centre) {
    var a = domain[0], b = domain[1];
    var c = centre === undefined ? (a + b) / 2 : centre;
    var span = Math.min(Math.max((b - a) * factor, MIN_SPAN), (full[1] - full[0]) * 4);
    var ratio = (c - a) / (b - a);
    domain = [c - span * ratio, c - span * ratio + span];
    render();
  }
  function timeAt(clientX) {
    var rect = root.getBoundingClientRect();
    var plotW = Math.max(root.clientWidth, 400) - GUTTER - RIGHT_PAD;
    var frac = Math.min(Math.max((clientX - rect.left - GUTTER) / plotW, 0), 1);
    return domain[0] + frac * (domain[1] - domain[0]);
  }
  root.addEventListener("wheel", function (ev) {
    if (ev.ctrlKey || Math.abs(ev.deltaY) < Math.abs(ev.deltaX)) return;
    ev.preventDefault();
    zoom(ev.deltaY > 0 ? 1.25 : 0.8, timeAt(ev.clientX));
  }, { passive: false });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(0.66); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1.5); });
  document.getElementById("zoom-reset").addEventListener("click", function () { domain = full.slice(); render(); });

  var drag = null;
  root.addEventListener("mousedown", function (ev) {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, domain: domain.slice(), moved: false };
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x;
    if (Math.abs(dx) < 3 && !drag.moved) return;
    drag.moved = true;
    root.classList.add("cg-dragging");
    var plotW = Math.max(root.clientWidth, 400) - GUTTER - RIGHT_PAD;
    var shift = dx / plotW * (drag.domain[1] - drag.domain[0]);
    domain = [drag.domain[0] - shift, drag.domain[1] - shift];
    render();
  });
  window.addEventListener("mouseup", function () {
    drag = null;
    root.classList.remove("cg-dragging");
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(render, 100);
  });

  view.zoom = zoom;
  view.domain = function () { return domain.slice(); };
  view.grouping = function () { return grouping; };
  view.lanes = function () { return laneNames.slice(); };
  view.setGrouping = setGrouping;
  /* Every event label as drawn (page pixels, measured by the browser), for tests. */
  view.labels = function () {
    return placedLabels.map(function (l) {
      var box = l.node.getBBox ? l.node.getBBox() : null;
      var rect = l.node.getBoundingClientRect();
      return {
        id: l.id, text: l.text, full: l.full, lane: l.lane,
        x: rect.left, y: rect.top, width: rect.width, height: rect.height,
        measured: box ? box.width : null
      };
    });
  };

  function setGrouping(name) {
    grouping = name;
    computeLanes();
    render();
    var select = document.getElementById("lane-grouping");
    if (select) select.value = name;
    return laneNames.slice();
  }
  var select = document.getElementById("lane-grouping");
  if (select) select.addEventListener("change", function () { setGrouping(select.value); });
  var back = document.getElementById("nav-back");
  if (back) back.addEventListener("click", function () { window.history.back(); });
  render();
  window.requestAnimationFrame(function () {
    view.ready = true;
    document.body.setAttribute("data-ready", "true");
  });
})();
