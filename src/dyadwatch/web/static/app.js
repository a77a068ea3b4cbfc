// dyadwatch dashboard: draws the charts from the JSON API (no inline scripts: see the CSP).
"use strict";

(function () {
  const QUAD = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"};
  const QUAD_COLOURS = {1: "#4c9be8", 2: "#1b6ac9", 3: "#f0a04b", 4: "#c8352e"};
  const layoutBase = {margin: {t: 36, r: 16, b: 40, l: 56}, height: 320, legend: {orientation: "h"}};

  function histogram(data) {
    const byQuad = {};
    for (const row of data) {
      const key = row.quad_class == null ? "none" : row.quad_class;
      (byQuad[key] = byQuad[key] || {x: [], y: []});
      byQuad[key].x.push(row.period);
      byQuad[key].y.push(row.events);
    }
    const traces = Object.keys(byQuad).sort().map(function (key) {
      return {type: "bar", name: QUAD[key] || "no quad class", x: byQuad[key].x, y: byQuad[key].y,
              marker: {color: QUAD_COLOURS[key] || "#999"}};
    });
    return {traces: traces, layout: Object.assign({}, layoutBase, {barmode: "stack", title: {text: "Events per month"}})};
  }

  function dyad(data, field, title) {
    const traces = data.series.map(function (s) {
      return {type: "scatter", mode: "lines+markers", name: s.origin,
              x: s.points.map(function (p) { return p.period; }),
              y: s.points.map(function (p) { return p[field]; })};
    });
    return {traces: traces, layout: Object.assign({}, layoutBase, {title: {text: title + " · " + data.dyad + " per " + data.unit}})};
  }

  const KINDS = {
    "histogram": histogram,
    "dyad-counts": function (d) { return dyad(d, "events", "Events"); },
    "dyad-goldstein": function (d) { return dyad(d, "goldstein_mean", "Mean Goldstein score"); },
  };

  function draw(el) {
    const kind = KINDS[el.dataset.chart];
    if (!kind || typeof Plotly === "undefined") { el.dataset.rendered = "error"; return; }
    fetch(el.dataset.src, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        const fig = kind(data);
        const points = fig.traces.reduce(function (n, t) { return n + t.x.length; }, 0);
        if (points === 0) { el.textContent = "No data to chart."; el.dataset.rendered = "empty"; return null; }
        return Plotly.newPlot(el, fig.traces, fig.layout, {responsive: true, displaylogo: false}).then(function () {
          el.dataset.points = String(points);
          el.dataset.rendered = "true";
        });
      })
      .catch(function (err) { el.textContent = "The chart could not be drawn (" + err.message + ")."; el.dataset.rendered = "error"; });
  }

  document.querySelectorAll("[data-chart]").forEach(draw);

  const refresh = document.querySelector("[data-refresh]");
  if (refresh) { setTimeout(function () { window.location.reload(); }, 1000 * Number(refresh.dataset.refresh || 3)); }
})();
