// Target progress: target bars and the actual line by month (targets/progress.html).
(function () {
  "use strict";
  const d = JSON.parse(document.getElementById("progress-data").textContent);
  window.Plotly.newPlot(
    "progress-chart",
    [
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
    {margin: {t: 20, r: 20, b: 40, l: 80}, legend: {orientation: "h"}, yaxis: {rangemode: "tozero"}},
    {responsive: true, displaylogo: false}
  );
})();
