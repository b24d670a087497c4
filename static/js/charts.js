// The charts of a page: every <div data-plotly="id-of-a-json-script"> drawn from its JSON
// figure, in the page's language (templates/includes/plotly.html loads plotly.js, the zh-CN
// locale and this file with `defer`: they run after the page is parsed and painted).
//
// Chinese pages (<html lang="zh-hans">): plotly's zh-CN locale (toolbar, month and day names),
// dates written 2026年1月, and amounts on the value axes and in the hover written with 万 and 亿
// (plotly's number formats only know k/M/G). English pages: thousands separators (1,500,000,
// never 1.5M) and the default English dates.
(function () {
  "use strict";
  if (!window.Plotly) return;
  const chinese = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const MONTH = /^\d{4}-\d{2}(-\d{2})?$/;

  function trim(number, digits) {
    // 1.50 -> "1.5", 2.00 -> "2"; never exponent notation
    return String(Number(number.toFixed(digits)));
  }

  function grouped(value) {
    return value.toLocaleString("en-US", {maximumFractionDigits: 2});
  }

  // 12,345 -> "1.23万", 150,000,000 -> "1.5亿"; below 万 as written, with separators
  function wan(value, digits) {
    const size = Math.abs(value);
    if (size >= 1e8) return trim(value / 1e8, digits) + "亿";
    if (size >= 1e4) return trim(value / 1e4, digits) + "万";
    return grouped(value);
  }
  window.SalesCRMCharts = {wan: wan};

  function numbers(list) {
    return (list || []).map(function (v) {
      return v === null || v === "" || v === undefined ? null : Number(v);
    });
  }

  // the axis a trace's amounts are on: "y" for columns and lines, "x" for horizontal bars
  // and funnels; pies have none
  function valueAxis(trace) {
    const type = trace.type || "scatter";
    if (type === "pie") return null;
    const horizontal = trace.orientation === "h" || (type === "funnel" && trace.orientation !== "v");
    const letter = horizontal ? "x" : "y";
    const ref = trace[letter + "axis"] || letter;
    return {letter: letter, layoutKey: letter + "axis" + ref.slice(1)};
  }

  // about five round steps (1, 2 or 5 × 10^n) from 0 (or the lowest value) to the highest
  function ticks(low, high) {
    low = Math.min(0, low);
    high = Math.max(0, high);
    const raw = (high - low) / 5 || 1;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const values = [];
    for (let v = Math.floor(low / step) * step; v <= high + step / 2; v += step) {
      values.push(Number(v.toPrecision(12)));
    }
    return values;
  }

  function localise(figure) {
    const layout = figure.layout || (figure.layout = {});
    layout.separators = ".,";
    const ranges = {};
    figure.data.forEach(function (trace) {
      // dates as 2026-01 -> 2026年1月 (Chinese) or Jan 2026 (English, plotly's default)
      ["x", "y"].forEach(function (letter) {
        const values = trace[letter] || [];
        if (chinese && values.length && values.every((v) => MONTH.test(String(v)))) {
          const key = letter + "axis" + (trace[letter + "axis"] || letter).slice(1);
          const axis = layout[key] || (layout[key] = {});
          axis.tickformat = axis.tickformat || "%Y年%-m月";
          axis.hoverformat = axis.hoverformat || "%Y年%-m月";
        }
      });
      const axis = valueAxis(trace);
      const values = numbers(axis ? trace[axis.letter] : trace.values);
      const finite = values.filter((v) => v !== null && isFinite(v));
      if (axis && finite.length) {
        const range = ranges[axis.layoutKey] || (ranges[axis.layoutKey] = [0, 0]);
        range[0] = Math.min(range[0], Math.min.apply(null, finite));
        range[1] = Math.max(range[1], Math.max.apply(null, finite));
      }
      if (!chinese || !finite.length) return;
      // the hover shows the amounts in 万/亿: the written value travels as customdata
      const hasBigValues = finite.some((v) => Math.abs(v) >= 1e4);
      if (!hasBigValues || trace.customdata) return;
      trace.customdata = values.map((v) => (v === null ? "" : wan(v, 2)));
      const dimension = axis ? axis.letter : "value";
      const pattern = new RegExp("%\\{" + dimension + "(:[^}]*)?\\}", "g");
      if (trace.hovertemplate) {
        trace.hovertemplate = trace.hovertemplate.replace(pattern, "%{customdata}");
      } else if (trace.type === "pie") {
        trace.hovertemplate = "%{label}: %{customdata} (%{percent})<extra></extra>";
      } else {
        const other = dimension === "x" ? "y" : "x";
        trace.hovertemplate = "%{" + other + "}: %{customdata}" +
          (trace.name ? "<extra>" + trace.name + "</extra>" : "<extra></extra>");
      }
    });
    Object.keys(ranges).forEach(function (key) {
      const axis = layout[key] || (layout[key] = {});
      if (axis.tickvals || axis.tickformat || axis.type === "category") return;
      const range = ranges[key];
      if (chinese && Math.max(Math.abs(range[0]), Math.abs(range[1])) >= 1e4) {
        const values = ticks(range[0], range[1]);
        axis.tickmode = "array";
        axis.tickvals = values;
        axis.ticktext = values.map((v) => wan(v, 2));
      } else {
        axis.tickformat = ",";
        axis.hoverformat = axis.hoverformat || ",";
      }
    });
    const config = figure.config || (figure.config = {});
    config.locale = chinese ? "zh-CN" : "en";
    return figure;
  }

  function draw(el, figure) {
    localise(figure);
    return window.Plotly.newPlot(el, figure.data, figure.layout, figure.config).then(function () {
      el.dataset.drawn = "1";
    });
  }
  window.SalesCRMCharts.draw = draw;

  document.querySelectorAll("[data-plotly]").forEach(function (el) {
    draw(el, JSON.parse(document.getElementById(el.dataset.plotly).textContent));
  });
})();
