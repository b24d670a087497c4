// Live column sums, so the manager sees at once whether each month still adds up.
(function () {
  const table = document.getElementById("adjust-table");
  const places = parseInt(table.dataset.places, 10);
  const toCents = (v) => Math.round(parseFloat(v || "0") * Math.pow(10, places));
  const show = (c) => (c / Math.pow(10, places)).toLocaleString(undefined, {minimumFractionDigits: places, maximumFractionDigits: places});
  function refresh() {
    const sums = {};
    let year = 0;
    table.querySelectorAll("tbody tr").forEach((tr) => {
      let rowTotal = 0;
      tr.querySelectorAll("input.cell, .cell-locked").forEach((el) => {
        const c = toCents(el.tagName === "INPUT" ? el.value : el.dataset.value);
        sums[el.dataset.month] = (sums[el.dataset.month] || 0) + c;
        rowTotal += c;
      });
      tr.querySelector(".row-total").textContent = show(rowTotal);
      year += rowTotal;
    });
    let fixedYear = 0;
    table.querySelectorAll("[data-total]").forEach((td) => {
      const m = td.dataset.total;
      const fixed = toCents(td.dataset.value);
      fixedYear += fixed;
      const cell = table.querySelector(`[data-sum="${m}"]`);
      cell.textContent = show(sums[m] || 0);
      cell.classList.toggle("text-danger", (sums[m] || 0) !== fixed);
    });
    document.getElementById("sum-year").textContent = show(year);
    document.getElementById("total-year").textContent = show(fixedYear);
  }
  table.addEventListener("input", refresh);
  refresh();
})();
