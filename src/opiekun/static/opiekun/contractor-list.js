// The contractor list: the selection (kept across pages), the page size, and the
// answer to a request too large for the server.
//
// Ticked rows are kept in the tab's session storage, for one filter at a time (a new
// filter starts a new selection; sorting and paging keep it). Rows ticked on other
// pages travel with the page's ticked checkboxes as hidden `ids` fields, so the
// dialog, opened by POST, gets all of them.
(function () {
  "use strict";

  var STORAGE = "opiekun.contractors.selection";

  function readState(key) {
    try {
      var state = JSON.parse(window.sessionStorage.getItem(STORAGE) || "null");
      if (state && state.key === key && Array.isArray(state.ids)) return state;
    } catch (e) { /* unreadable: start afresh */ }
    return { key: key, ids: [], all: false };
  }

  function writeState(state) {
    try { window.sessionStorage.setItem(STORAGE, JSON.stringify(state)); } catch (e) { /* full or off */ }
  }

  function setupSelection(form) {
    var total = parseInt(form.dataset.total || "0", 10);
    var state = readState(form.dataset.selectionKey || "");
    var pageBox = form.querySelector("[data-check-page]");
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row-check]"));
    var all = form.querySelector("[data-all-matching]");
    var others = form.querySelector("[data-other-pages]");
    var banner = form.querySelector("[data-select-banner]");
    var offer = form.querySelector("[data-select-all-matching]");
    var allText = form.querySelector("[data-all-selected]");
    var pageText = form.querySelector("[data-page-selected]");
    var status = document.querySelector("[data-selection-status]");
    var statusTotal = document.querySelector("[data-selection-total]");
    var elsewhere = document.querySelector("[data-selection-elsewhere]");
    var clear = document.querySelector("[data-clear-selection]");
    var badge = document.querySelector("[data-selected-count]");
    var action = document.querySelector("[data-needs-selection]");
    var onPage = {};
    rows.forEach(function (row) { onPage[row.value] = row; });

    function selected() {
      var set = {};
      state.ids.forEach(function (id) { set[id] = true; });
      return set;
    }

    // The ids ticked on other pages, as hidden fields of the form.
    function renderOthers() {
      others.textContent = "";
      state.ids.forEach(function (id) {
        if (onPage[id]) return;
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "ids";
        input.value = id;
        others.appendChild(input);
      });
    }

    function save() {
      writeState(state);
      all.value = state.all ? "1" : "";
    }

    function refresh() {
      var checked = rows.filter(function (r) { return r.checked; }).length;
      var allPage = rows.length > 0 && checked === rows.length;
      var n = state.all ? total : state.ids.length;
      if (pageBox) {
        pageBox.checked = allPage;
        pageBox.indeterminate = checked > 0 && !allPage;
      }
      if (badge) { badge.textContent = n; badge.hidden = n === 0; }
      if (action) action.disabled = n === 0;
      if (status) status.hidden = n === 0;
      // Grouped as the page writes its counts (the server groups four digits too: "1 200").
      if (statusTotal) statusTotal.textContent = n.toLocaleString(document.documentElement.lang || undefined, { useGrouping: "always" });
      if (elsewhere) elsewhere.hidden = state.all || state.ids.length === checked;
      banner.hidden = !(state.all || (allPage && total > rows.length));
      offer.hidden = state.all;
      pageText.hidden = state.all;
      allText.hidden = !state.all;
    }

    function tick(row, on) {
      var set = selected();
      row.checked = on;
      if (on && !set[row.value]) state.ids.push(row.value);
      if (!on && set[row.value]) state.ids = state.ids.filter(function (id) { return id !== row.value; });
    }

    function clearAll() {
      state = { key: state.key, ids: [], all: false };
      rows.forEach(function (r) { r.checked = false; });
      renderOthers();
      save();
      refresh();
    }

    // A box ticked before this script ran (a quick user, a slow page) counts too.
    rows.forEach(function (row) { if (row.checked) tick(row, true); });
    var set = selected();
    rows.forEach(function (row) {
      row.checked = !!set[row.value];
      row.addEventListener("change", function () {
        tick(row, row.checked);
        state.all = false;
        save();
        refresh();
      });
    });
    if (pageBox) pageBox.addEventListener("change", function () {
      rows.forEach(function (r) { tick(r, pageBox.checked); });
      state.all = false;
      save();
      refresh();
    });
    offer.addEventListener("click", function () { state.all = true; save(); refresh(); });
    if (clear) clear.addEventListener("click", clearAll);
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    // A bulk change was made (its summary is shown): the selection has served.
    document.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target.id === "modal" && event.detail.target.querySelector("[data-testid=summary]")) {
        clearAll();
      }
    });

    renderOthers();
    save();
    refresh();
  }

  function setupPageSize(form) {
    var select = form.querySelector("[data-page-size]");
    var apply = form.querySelector("[data-page-size-apply]");
    if (apply) apply.hidden = true;
    select.addEventListener("change", function () { form.submit(); });
  }

  // The server answers a request over its size limit with 413 and a message for the
  // dialog; htmx does not show error answers unless told to.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 413) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("selection");
    if (form) setupSelection(form);
    var size = document.querySelector("[data-page-size-form]");
    if (size) setupPageSize(size);
  });
})();
