// Two small widgets, served by the app (nothing from a CDN):
// - a calendar button beside every date field ([data-picker]) that opens the
//   browser's own date picker; the field itself stays a text box, so dd.mm.rrrr and
//   the short forms ("1.1.26") are typed as before and read by the server's parser;
// - the contractor autocomplete of the report ([data-suggest]): an ARIA combobox
//   that asks the app for contractors by code, name or NIP and puts the code in.
(function () {
  "use strict";

  // --- dates -----------------------------------------------------------------------
  var CALENDAR_ICON =
    '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">' +
    '<rect x="1.5" y="3" width="13" height="11.5" rx="1.5" fill="none" stroke="currentColor"/>' +
    '<path d="M1.5 6.5h13M5 1.5v3M11 1.5v3" stroke="currentColor" fill="none"/>' +
    '<path d="M4 9h2v2H4zM7 9h2v2H7zM10 9h2v2h-2z" fill="currentColor"/></svg>';

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // Only to open the calendar on the day already in the field; the server reads the text.
  function isoOf(text) {
    var m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text);
    if (m) return m[1] + "-" + pad(+m[2]) + "-" + pad(+m[3]);
    m = /^\s*(\d{1,2})[.\- ]+(\d{1,2})[.\- ]+(\d{4}|\d{2})\.?\s*$/.exec(text);
    if (!m) return "";
    var year = m[3].length === 2 ? "20" + m[3] : m[3];
    return year + "-" + pad(+m[2]) + "-" + pad(+m[1]);
  }

  // As the server writes dates: dd.mm.rrrr in Polish, YYYY-MM-DD in English.
  function display(iso) {
    var lang = (document.documentElement.lang || "pl").toLowerCase();
    if (lang.indexOf("pl") !== 0) return iso;
    var p = iso.split("-");
    return p[2] + "." + p[1] + "." + p[0];
  }

  function enhanceDate(input) {
    input.setAttribute("data-picker-ready", "");
    var native = document.createElement("input");
    native.type = "date";
    if (typeof native.showPicker !== "function") return; // a browser without it: typing only
    var focused = document.activeElement === input;
    var wrap = document.createElement("span");
    wrap.className = "date-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    if (focused) input.focus(); // moving a field takes its focus away
    native.className = "date-native";
    native.tabIndex = -1;
    native.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "date-button";
    button.title = input.getAttribute("data-picker");
    button.setAttribute("aria-label", input.getAttribute("data-picker"));
    button.setAttribute("data-picker-for", input.name);
    button.innerHTML = CALENDAR_ICON;
    wrap.appendChild(native);
    wrap.appendChild(button);
    button.addEventListener("click", function () {
      native.value = isoOf(input.value);
      try { native.showPicker(); } catch (error) { input.focus(); }
    });
    native.addEventListener("change", function () {
      if (!native.value) return;
      input.value = display(native.value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    });
  }

  // --- contractor autocomplete -------------------------------------------------------
  function enhanceSuggest(field) {
    var input = field.querySelector("input[role=combobox]");
    var list = field.querySelector("[role=listbox]");
    if (!input || !list) return;
    field.setAttribute("data-suggest-ready", "");
    var url = field.getAttribute("data-suggest");
    var timer = null, asked = 0, active = -1;

    function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }

    function close() {
      // An answer still to come (or a pause still running) must not open the list
      // again after a choice, Esc or leaving the field.
      clearTimeout(timer);
      asked++;
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function mark(index) {
      var items = options();
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(item) {
      input.value = item.getAttribute("data-code");
      close();
      input.focus();
    }

    function show(results) {
      // A later answer (the last keys typed) keeps the option the user has moved to, if
      // it is still offered: ArrowDown then Enter chooses it even when the answer came
      // in between.
      var kept = active >= 0 && options()[active] ? options()[active].getAttribute("data-code") : null;
      list.innerHTML = "";
      active = -1;
      results.forEach(function (r, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-code", r.code);
        var code = document.createElement("span");
        code.className = "mono";
        code.textContent = r.code;
        item.appendChild(code);
        item.appendChild(document.createTextNode(" " + r.name));
        if (r.nip) {
          var nip = document.createElement("span");
          nip.className = "muted";
          nip.textContent = " · NIP " + r.nip;
          item.appendChild(nip);
        }
        // mousedown, not click: it comes before the field's blur closes the list.
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      var again = results.map(function (r) { return r.code; }).indexOf(kept);
      if (kept !== null && again >= 0) mark(again);
    }

    function ask() {
      var text = input.value.trim();
      if (!text) { close(); return; }
      var ticket = ++asked;
      fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (ticket === asked) show(data.results || []); })
        .catch(function () { if (ticket === asked) close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim()) { ask(); event.preventDefault(); }
        return;
      }
      if (event.key === "ArrowDown") { mark(active + 1); event.preventDefault(); }
      else if (event.key === "ArrowUp") { mark(active - 1); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { choose(options()[active]); event.preventDefault(); }
      else if (event.key === "Escape") { close(); event.preventDefault(); event.stopPropagation(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function enhance(root) {
    root.querySelectorAll("input[data-picker]:not([data-picker-ready])").forEach(enhanceDate);
    root.querySelectorAll("[data-suggest]:not([data-suggest-ready])").forEach(enhanceSuggest);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
})();
