// Small behaviours htmx does not cover: closing dialogs and the list's selection.
(function () {
  "use strict";

  function closeModal(reload) {
    var host = document.getElementById("modal");
    if (host) host.innerHTML = "";
    if (reload) window.location.reload();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var closer = target.closest("[data-close]");
    if (closer) { closeModal(closer.hasAttribute("data-reload")); return; }
    if (target.matches("[data-close-on-backdrop]") && !target.querySelector("[data-reload]")) {
      closeModal(false);
      return;
    }
    document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
      if (!menu.contains(target) || target.closest(".menu-item")) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var host = document.getElementById("modal");
      if (host && host.innerHTML) closeModal(!!host.querySelector("[data-reload]"));
    }
  });

  // After htmx puts a dialog in, focus its first field.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "modal") {
      var first = event.detail.target.querySelector(".has-error input, .has-error select, input:not([type=hidden]), select");
      if (first) first.focus();
    }
  });

  function setupSelection(form) {
    // The selection is sent by the buttons (hx-include), never by submitting the form.
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var total = parseInt(form.dataset.total || "0", 10);
    var pageBox = form.querySelector("[data-check-page]");
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row-check]"));
    var all = form.querySelector("[data-all-matching]");
    var banner = form.querySelector("[data-select-banner]");
    var offer = form.querySelector("[data-select-all-matching]");
    var allText = form.querySelector("[data-all-selected]");
    var pageText = form.querySelector("[data-page-selected]");
    var clear = form.querySelector("[data-clear-selection]");
    var count = document.querySelector("[data-selected-count]");
    var action = document.querySelector("[data-needs-selection]");

    function refresh() {
      var checked = rows.filter(function (r) { return r.checked; }).length;
      var allPage = rows.length > 0 && checked === rows.length;
      var everything = all.value === "1";
      if (pageBox) {
        pageBox.checked = allPage;
        pageBox.indeterminate = checked > 0 && !allPage;
      }
      var n = everything ? total : checked;
      if (count) { count.textContent = n; count.hidden = n === 0; }
      if (action) action.disabled = n === 0;
      banner.hidden = !(allPage && total > rows.length);
      offer.hidden = everything;
      pageText.hidden = everything;
      allText.hidden = !everything;
      clear.hidden = !everything;
    }

    rows.forEach(function (row) {
      row.addEventListener("change", function () { all.value = ""; refresh(); });
    });
    if (pageBox) pageBox.addEventListener("change", function () {
      rows.forEach(function (r) { r.checked = pageBox.checked; });
      all.value = "";
      refresh();
    });
    offer.addEventListener("click", function () { all.value = "1"; refresh(); });
    clear.addEventListener("click", function () {
      all.value = "";
      rows.forEach(function (r) { r.checked = false; });
      refresh();
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("selection");
    if (form) setupSelection(form);
  });
})();
