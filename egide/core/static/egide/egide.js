/* Égide — progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Quick exit: leave at once, replacing this page in the history so "Back" does not return here.
  function quickExit(url) {
    document.title = "";
    document.body.textContent = "";
    window.location.replace(url);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var exit = document.getElementById("quick-exit");
    if (!exit) { return; }
    var url = exit.getAttribute("data-exit-url");
    exit.addEventListener("click", function (event) {
      event.preventDefault();
      quickExit(url);
    });
    // Pressing Escape twice within a second also leaves (a habit of victim-support sites).
    var lastEscape = 0;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var now = Date.now();
      if (now - lastEscape < 1000) { quickExit(url); }
      lastEscape = now;
    });
    // Forms with an error summary: move focus to it so screen readers announce the errors.
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
