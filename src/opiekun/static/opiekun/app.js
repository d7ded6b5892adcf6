// Small behaviours htmx does not cover: dialogs (closing, focus). The list's selection: contractor-list.js.
(function () {
  "use strict";

  // --- dialogs -------------------------------------------------------------------
  // A dialog lives in #modal. Every way of closing it (×, Cancel, Close, Esc, a click
  // beside it) is one function: a dialog that changed data (it carries
  // [data-changed]) reloads the page under it, so the list or the tab shows the
  // change; any other returns the focus to the control that opened it. While it is
  // open, Tab and Shift+Tab stay inside it.
  var opener = null;

  function modalHost() { return document.getElementById("modal"); }
  function modalOpen() { var host = modalHost(); return !!(host && host.firstElementChild); }

  function focusable(root) {
    var selector = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden])," +
      " select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
    return Array.prototype.filter.call(root.querySelectorAll(selector), function (el) {
      return el.tabIndex >= 0 && !el.closest("[hidden]") && el.getClientRects().length > 0;
    });
  }

  function returnFocus() {
    var target = opener;
    opener = null;
    if (!target || !document.contains(target)) return;
    // An opener inside a closed menu cannot take the focus: its menu button can.
    var menu = target.closest("details:not([open])");
    if (menu) target = menu.querySelector("summary") || target;
    target.focus();
  }

  function closeModal() {
    var host = modalHost();
    if (!host) return;
    var changed = !!host.querySelector("[data-changed]");
    // A dialog opened as a page of its own (its address typed or reloaded, opiekun/dialogs.py)
    // has no page under it: closing goes back where the user came from.
    var page = document.querySelector("[data-dialog-page]");
    if (page) { window.location.assign(page.getAttribute("data-return") || "/"); return; }
    host.innerHTML = "";
    if (changed) { window.location.reload(); return; }
    returnFocus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-close]") || target.matches("[data-close-on-backdrop]")) {
      closeModal();
      return;
    }
    document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
      if (!menu.contains(target) || target.closest(".menu-item")) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!modalOpen()) return;
    if (event.key === "Escape") { closeModal(); return; }
    if (event.key !== "Tab") return;
    var dialog = modalHost().querySelector("[role=dialog]") || modalHost();
    var items = focusable(dialog);
    if (!items.length) { event.preventDefault(); return; }
    var first = items[0], last = items[items.length - 1];
    var inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  });

  // The control that asks for a dialog is where the focus goes back to.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.id === "modal" && !modalOpen()) opener = event.detail.elt;
  });

  // A 403 or 404 that brings a dialog saying so (HX-Retarget: #modal, opiekun/error_views.py)
  // is shown: htmx swaps no other 4xx (base.html's htmx-config), so a dialog whose
  // assignment someone deleted meanwhile would otherwise ignore its Save button.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if ((xhr.status === 403 || xhr.status === 404) && xhr.getResponseHeader("HX-Retarget") === "#modal") {
      event.detail.shouldSwap = true;
      // A poll (hx-trigger="every …", an import's progress) would ask again every second
      // and put the dialog back each time: what it follows is gone, so it is taken away.
      var asker = event.detail.requestConfig && event.detail.requestConfig.elt;
      if (asker && /\bevery\b/.test(asker.getAttribute("hx-trigger") || "")) asker.remove();
    }
  });

  // After htmx puts a dialog in, focus its first field (the first wrong one, if any).
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "modal") {
      var host = event.detail.target;
      // A selector list matches in document order: ask for a wrong field first, then any.
      var first = host.querySelector(".has-error input, .has-error select, .has-error textarea") ||
        host.querySelector("input:not([type=hidden]), select, textarea") || focusable(host)[0];
      if (first) first.focus();
    }
  });

  // A page form sent back with errors: the focus goes to its first wrong field. A dialog
  // opened as a page of its own names the page after itself.
  document.addEventListener("DOMContentLoaded", function () {
    var title = document.querySelector("[data-dialog-page]") && document.getElementById("modal-title");
    if (title) document.title = title.textContent.trim() + " · Opiekun";
    var wrong = document.querySelector(
      "main form .has-error input:not([type=hidden]), main form .has-error select, main form .has-error textarea");
    if (wrong && !modalOpen()) wrong.focus();
  });

  // The contractor list's selection lives in contractor-list.js.
})();

// A select marked data-autosubmit submits its form when changed (no inline handlers: the CSP forbids them).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) target.form.submit();
});

// A save that takes a while (an absence of a caretaker with tens of thousands of clients
// works out who acts for each of them: seconds at a million contractors): a submit button
// marked data-busy-label shows that label and cannot be pressed again until the answer
// comes. Changed once the submit event is over, so that a form whose sending another
// handler stopped is left as it was, and the button's own name and value are still sent.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var buttons = form.querySelectorAll ? form.querySelectorAll("button[type=submit][data-busy-label]") : [];
  if (!buttons.length) return;
  window.setTimeout(function () {
    if (event.defaultPrevented) return;
    form.setAttribute("aria-busy", "true");
    buttons.forEach(function (button) {
      button.setAttribute("data-idle-label", button.textContent);
      button.textContent = button.getAttribute("data-busy-label");
      button.disabled = true;
    });
  }, 0);
});

// Back on a page the browser kept (the Back button after a save): its buttons work again.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) return;
  document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button[data-idle-label]").forEach(function (button) {
      button.textContent = button.getAttribute("data-idle-label");
      button.removeAttribute("data-idle-label");
      button.disabled = false;
    });
  });
});
