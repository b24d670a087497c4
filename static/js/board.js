// The pipeline board (leads/board.html): drag a card onto a column to move the lead.
// Every move goes through the card's own "Move to" form (the same server-side rules and
// history as the lead page); moving to Lost opens that form and asks for the reason first.
(function () {
  "use strict";
  var board = document.getElementById("lead-board");
  if (!board) return;
  var dragged = null;

  function showReason(form) {
    var lost = form.elements.to_stage.value === "lost";
    var box = form.querySelector(".lost-reason");
    box.hidden = !lost;
    form.elements.lost_reason.required = lost;
  }

  function move(card, stage) {
    var form = card.querySelector("form.move-form");
    if (!form || card.dataset.stage === stage) return;
    form.elements.to_stage.value = stage;
    showReason(form);
    if (stage === "lost") {
      card.querySelector("details").open = true;
      form.elements.lost_reason.focus();
      return; // the rep names the reason, then presses Move
    }
    form.requestSubmit();
  }

  // Without JavaScript every card shows its reason menu; with it, only when Lost is chosen.
  Array.prototype.forEach.call(board.querySelectorAll("form.move-form"), showReason);

  board.addEventListener("change", function (event) {
    if (event.target.name === "to_stage") showReason(event.target.form);
  });
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-lead]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.lead);
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
  });
  Array.prototype.forEach.call(board.querySelectorAll("[data-stage-column]"), function (column) {
    column.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", function () {
      column.classList.remove("drop-target");
    });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("drop-target");
      if (dragged) move(dragged, column.dataset.stageColumn);
    });
  });
})();
