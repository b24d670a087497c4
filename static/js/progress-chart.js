// Target progress: target bars and the actual line by month (targets/progress.html), drawn by
// static/js/charts.js in the page's language (loaded before this file, both deferred).
(function () {
  "use strict";
  if (!window.SalesCRMCharts) return;
  const d = JSON.parse(document.getElementById("progress-data").textContent);
  window.SalesCRMCharts.draw(document.getElementById("progress-chart"), {
    data: [
      {type: "bar", name: d.target_label, x: d.x, y: d.target, marker: {color: "#9ec5fe"}},
      {
        type: "scatter",
        mode: "lines+markers",
        name: d.actual_label,
        x: d.x,
        y: d.actual,
        line: {color: "#dc3545"},
      },
    ],
    layout: {
      margin: {t: 20, r: 20, b: 40, l: 80},
      legend: {orientation: "h"},
      yaxis: {rangemode: "tozero"},
    },
    config: {responsive: true, displaylogo: false},
  });
})();
