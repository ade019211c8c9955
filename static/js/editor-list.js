/* The article list: "select all", a count of the checked rows, the category field only for
   "move", a question before trashing, one row menu open at a time. Without JavaScript the
   bulk form still works: tick rows, choose an action (and a category), press the button. */
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var action = form.querySelector("select[name=action]");
  var categoryField = form.querySelector("[data-bulk-category]");
  var count = form.querySelector("[data-selected-count]");
  var master = form.querySelector("[data-select-all]");
  var slot = form.querySelector("[data-select-all-slot]");

  function boxes() {
    return document.querySelectorAll('input[type=checkbox][name=ids][form="bulk-form"]');
  }

  function checked() {
    var list = boxes();
    var n = 0;
    for (var i = 0; i < list.length; i++) {
      if (list[i].checked) n++;
    }
    return n;
  }

  function refresh() {
    var list = boxes();
    var n = checked();
    for (var i = 0; i < list.length; i++) {
      var row = list[i].closest("tr");
      if (row) row.classList.toggle("is-selected", list[i].checked);
    }
    if (master) {
      master.checked = n > 0 && n === list.length;
      master.indeterminate = n > 0 && n < list.length;
    }
    if (count) {
      count.textContent = n ? form.getAttribute("data-selected-label").replace("{n}", n) : "";
    }
  }

  function showCategory() {
    if (categoryField) categoryField.hidden = action.value !== "move";
  }

  if (slot) slot.hidden = false;
  if (master) {
    master.addEventListener("change", function () {
      var list = boxes();
      for (var i = 0; i < list.length; i++) list[i].checked = master.checked;
      refresh();
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.name === "ids") refresh();
  });
  action.addEventListener("change", showCategory);
  showCategory();
  refresh();

  form.addEventListener("submit", function (event) {
    if (!checked()) {
      event.preventDefault();
      count.textContent = form.getAttribute("data-none-selected");
      return;
    }
    if (action.value === "trash" && !window.confirm(form.getAttribute("data-confirm-trash"))) {
      event.preventDefault();
    }
  });

  // Row menus: opening one closes the others; Escape or a click elsewhere closes it.
  var menus = document.querySelectorAll("details.row-menu");
  function closeMenus(except) {
    for (var i = 0; i < menus.length; i++) {
      if (menus[i] !== except) menus[i].open = false;
    }
  }
  for (var i = 0; i < menus.length; i++) {
    menus[i].addEventListener("toggle", function (event) {
      if (event.target.open) closeMenus(event.target);
    });
  }
  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element) || !event.target.closest("details.row-menu")) {
      closeMenus(null);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.row-menu[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
})();
