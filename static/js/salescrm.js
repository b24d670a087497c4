// Behaviour the pages declare with data- attributes. No page has an inline script or an
// on...= handler, so the Content-Security-Policy can forbid both (settings.py).
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form.
  document.addEventListener("change", function (event) {
    const select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  // <button data-print>, <a data-history-back>.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    } else if (event.target.closest("[data-history-back]")) {
      event.preventDefault();
      window.history.back();
    }
  });

  // <form data-confirm="question">: submitted only when the user confirms.
  document.addEventListener(
    "submit",
    function (event) {
      const question = event.target.dataset ? event.target.dataset.confirm : "";
      if (question && !window.confirm(question)) event.preventDefault();
    },
    true
  );

  // <form data-small-selects>: the selects django-filter renders get Bootstrap's small style.
  document.querySelectorAll("form[data-small-selects] select").forEach(function (el) {
    el.classList.add("form-select", "form-select-sm");
  });

  // After a failed save: the focus goes to the summary of the errors (base.html), which a
  // screen reader announces (role="alert"); its links move to each field.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  document.addEventListener("click", function (event) {
    const link = event.target.closest("#error-summary a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.scrollIntoView({block: "center"});
      field.focus();
    }
  });
})();
