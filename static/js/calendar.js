// The calendar's drag and drop (rhythm/calendar.html). Every movable item also has a Move
// form with a date input, which works by tap and keyboard; a drop only fills that form's date
// and submits it, so the server's checks (no past day, the business range) apply the same.
(function () {
  "use strict";
  let dragged = null;

  document.addEventListener("dragstart", function (event) {
    const item = event.target.closest && event.target.closest("[data-move-form]");
    if (!item) return;
    dragged = item;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.moveForm);
  });

  function unmark() {
    document.querySelectorAll(".calendar-day.drop-target").forEach(function (cell) {
      cell.classList.remove("drop-target");
    });
  }

  document.addEventListener("dragover", function (event) {
    const cell = dragged && event.target.closest && event.target.closest("[data-day]");
    if (cell) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (!cell.classList.contains("drop-target")) {
        unmark();
        cell.classList.add("drop-target");
      }
    }
  });

  document.addEventListener("drop", function (event) {
    const cell = event.target.closest && event.target.closest("[data-day]");
    if (!dragged || !cell) return;
    event.preventDefault();
    const form = document.getElementById(dragged.dataset.moveForm);
    dragged = null;
    if (!form) return;
    form.elements.day.value = cell.dataset.day;
    form.submit();
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    unmark();
  });
})();
