/* Searchable multi-select: a filter box above every <select multiple class="searchable">
   and a line naming what is chosen. Plain DOM, no dependencies, works offline; without
   JavaScript the native list box still works (Ctrl/⌘-click to choose several). */
(function () {
  "use strict";

  function enhance(select) {
    var label = select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "options";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "multi-select-filter";
    filter.placeholder = "Type to filter";
    filter.setAttribute("aria-label", "Filter: " + label);
    filter.setAttribute("aria-controls", select.id);
    var chosen = document.createElement("p");
    chosen.className = "multi-select-chosen help";
    chosen.id = select.id + "-chosen";
    chosen.setAttribute("aria-live", "polite");
    select.setAttribute("aria-describedby", ((select.getAttribute("aria-describedby") || "") + " " + chosen.id).trim());

    function showChosen() {
      var names = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
        .map(function (o) { return o.textContent; });
      chosen.textContent = names.length ? "Chosen: " + names.join("; ") : "None chosen (Ctrl/⌘-click to choose several).";
    }
    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (o) {
        o.hidden = needle !== "" && o.textContent.toLowerCase().indexOf(needle) === -1 && !o.selected;
      });
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
    select.addEventListener("change", showChosen);
    select.parentNode.insertBefore(filter, select);
    select.parentNode.insertBefore(chosen, select.nextSibling);
    showChosen();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[multiple].searchable"), enhance);
  });
})();
