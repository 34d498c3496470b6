/* Small behaviours for every staff page. Each works without it: the page stays usable with scripts off. */
(function () {
  "use strict";

  // A list table marked .table-cards becomes one card per row on a phone (site.css); each cell shows its
  // column's heading, copied here from the table's header so the templates write each heading once.
  function labelCells(root) {
    root.querySelectorAll("table.table-cards").forEach(function (table) {
      var heads = [];
      table.querySelectorAll("thead tr:last-child th").forEach(function (th) {
        var label = (th.getAttribute("data-label") || th.textContent).replace(/[\s↑↓]+/g, " ").trim();
        for (var i = 0; i < (th.colSpan || 1); i++) heads.push(label);
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          if (!cell.hasAttribute("data-label") && heads[col]) cell.setAttribute("data-label", heads[col]);
          col += cell.colSpan || 1;
        });
      });
    });
  }

  // A select marked data-autosubmit (the page size under a list) submits its form when changed; its
  // button is only for when scripts are off.
  function autosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]:not([data-bound])").forEach(function (select) {
      select.setAttribute("data-bound", "");
      var button = select.form && select.form.querySelector("[data-autosubmit-button]");
      if (button) button.hidden = true;
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  function init(root) { labelCells(root); autosubmit(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // htmx may swap in rows or a whole list: label what is new (cells already labelled are left alone).
  document.addEventListener("htmx:afterSettle", function () { init(document); });
})();
