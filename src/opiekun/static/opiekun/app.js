// Small behaviours htmx does not cover: closing dialogs (the list: contractor-list.js).
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

  // The contractor list's selection lives in contractor-list.js.
})();
