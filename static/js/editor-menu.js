/* The header menu builder (templates/editor/menu.html): two levels of items, reordered with
 * buttons (Up, Down, Into the group above, Out of the group: keyboard accessible, the focus
 * stays on the moved item and an aria-live line says where it went) or by dragging the grip
 * (SortableJS, mouse and touch). Sending the form writes the whole arrangement as JSON into
 * the hidden "menu" field; the server checks it and, when it refuses, shows it again as it was.
 */
(function () {
  "use strict";

  var form = document.getElementById("menu-form");
  var tree = document.getElementById("menu-tree");
  if (!form || !tree) {
    return;
  }
  var live = document.getElementById("menu-live");
  var empty = document.getElementById("menu-empty");
  var template = document.getElementById("menu-item-template");
  var dataField = document.getElementById("menu-data");
  var maxItems = Number(form.getAttribute("data-max-items")) || 60;
  var msg = {};
  try {
    msg = JSON.parse(form.getAttribute("data-messages") || "{}");
  } catch (err) {
    msg = {};
  }
  var uidCounter = 0;

  function t(key, values) {
    var text = msg[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function say(text) {
    // A fresh text node each time, so the same sentence twice is read twice.
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 30);
  }

  // ---------------------------------------------------------------- reading the tree

  function itemsOf(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.hasAttribute("data-item");
    });
  }

  function childList(item) {
    return item.querySelector(":scope > ol.menu-children");
  }

  function isChild(item) {
    return item.parentNode !== tree;
  }

  function field(item, name) {
    return item.querySelector(':scope > .menu-row [data-field="' + name + '"]');
  }

  function nameOf(item) {
    var value = field(item, "label").value.trim();
    return value || msg.untitled || "";
  }

  function position(item) {
    var siblings = itemsOf(item.parentNode);
    return { pos: siblings.indexOf(item) + 1, count: siblings.length };
  }

  function parentItem(item) {
    return isChild(item) ? item.parentNode.closest("[data-item]") : null;
  }

  function entry(item) {
    var value = function (name) {
      var input = field(item, name);
      return input ? input.value.trim() : "";
    };
    var number = function (name) {
      var raw = value(name);
      return /^[0-9]+$/.test(raw) ? Number(raw) : null;
    };
    var children = childList(item);
    return {
      label: value("label"),
      label_en: value("label_en"),
      target: value("target"),
      category_id: number("category_id"),
      page_id: number("page_id"),
      url: value("url"),
      children: children ? itemsOf(children).map(entry) : [],
    };
  }

  function serialise() {
    return JSON.stringify(itemsOf(tree).map(entry));
  }

  // ---------------------------------------------------------------- button states

  function refresh() {
    var all = tree.querySelectorAll("[data-item]");
    Array.prototype.forEach.call(all, function (item) {
      var siblings = itemsOf(item.parentNode);
      var index = siblings.indexOf(item);
      var child = isChild(item);
      var kids = childList(item);
      var hasKids = Boolean(kids) && itemsOf(kids).length > 0;
      var buttons = item.querySelector(":scope > .menu-row .menu-actions");
      buttons.querySelector('[data-move="up"]').disabled = index === 0;
      buttons.querySelector('[data-move="down"]').disabled = index === siblings.length - 1;
      buttons.querySelector('[data-move="in"]').disabled = child || index === 0 || hasKids;
      buttons.querySelector('[data-move="out"]').disabled = !child;
      item.classList.toggle("is-child", child);
    });
    if (empty) {
      empty.hidden = itemsOf(tree).length > 0;
    }
  }

  function showTargetFields(item) {
    var target = field(item, "target").value;
    Array.prototype.forEach.call(
      item.querySelectorAll(":scope > .menu-row [data-for]"),
      function (box) {
        box.hidden = box.getAttribute("data-for") !== target;
      }
    );
  }

  // After a move, focus stays on the same button of the moved item when it can still be
  // used, else on the first usable move button of that item.
  function focusAfterMove(item, move) {
    var actions = item.querySelector(":scope > .menu-row .menu-actions");
    var same = actions.querySelector('[data-move="' + move + '"]');
    if (same && !same.disabled) {
      same.focus();
      return;
    }
    var first = Array.prototype.find.call(actions.querySelectorAll("button"), function (b) {
      return !b.disabled && b.getAttribute("data-move") !== "remove";
    });
    (first || field(item, "label")).focus();
  }

  // ---------------------------------------------------------------- moving

  function move(item, how) {
    var list = item.parentNode;
    var siblings = itemsOf(list);
    var index = siblings.indexOf(item);
    var name = nameOf(item);
    var text = "";
    if (how === "up" && index > 0) {
      list.insertBefore(item, siblings[index - 1]);
      text = t("movedUp", position(item));
    } else if (how === "down" && index < siblings.length - 1) {
      list.insertBefore(siblings[index + 1], item);
      text = t("movedDown", position(item));
    } else if (how === "in" && !isChild(item) && index > 0) {
      var kids = childList(item);
      if (kids && itemsOf(kids).length) {
        return;
      }
      var above = siblings[index - 1];
      childList(above).appendChild(item);
      dropChildList(item); // a child has no children of its own
      text = t("movedIn", { name: name, parent: nameOf(above) });
    } else if (how === "out" && isChild(item)) {
      var parent = parentItem(item);
      tree.insertBefore(item, parent.nextSibling);
      ensureChildList(item);
      text = t("movedOut", position(item));
    } else {
      return;
    }
    refresh();
    focusAfterMove(item, how);
    say(text.split("{name}").join(name));
  }

  function remove(item) {
    var kids = childList(item);
    if (kids && itemsOf(kids).length && !window.confirm(t("confirmRemove", { name: nameOf(item) }))) {
      return;
    }
    var list = item.parentNode;
    var siblings = itemsOf(list);
    var index = siblings.indexOf(item);
    var name = nameOf(item);
    item.remove();
    refresh();
    var next = itemsOf(list)[Math.min(index, itemsOf(list).length - 1)];
    if (next) {
      field(next, "label").focus();
    } else if (list !== tree) {
      focusAfterMove(list.closest("[data-item]"), "in");
    } else {
      document.getElementById("menu-add").focus();
    }
    say(t("removed", { name: name }));
  }

  // ---------------------------------------------------------------- drag and drop

  function makeSortable(list) {
    if (!window.Sortable || list.getAttribute("data-sortable")) {
      return;
    }
    list.setAttribute("data-sortable", "1");
    window.Sortable.create(list, {
        group: "menu",
        handle: ".menu-handle",
        draggable: "[data-item]",
        animation: 150,
        // Pointer events for mouse and touch alike (no native drag image): the same
        // behaviour on a phone as on a computer.
        forceFallback: true,
        fallbackOnBody: true,
        swapThreshold: 0.65,
        emptyInsertThreshold: 12,
        onStart: function () {
          form.classList.add("is-dragging");
        },
        // Two levels only: an item with children stays at the top level.
        onMove: function (event) {
          var dragged = event.dragged;
          var into = event.to;
          if (into === tree) {
            return true;
          }
          if (dragged.contains(into)) {
            return false; // never into its own child list
          }
          var kids = childList(dragged);
          return !(kids && itemsOf(kids).length);
        },
        onEnd: function (event) {
          form.classList.remove("is-dragging");
          var item = event.item;
          if (isChild(item)) {
            dropChildList(item);
          } else {
            ensureChildList(item);
          }
          refresh();
          var where = position(item);
          var parent = parentItem(item);
          where.name = nameOf(item);
          if (parent) {
            where.parent = nameOf(parent);
            say(t("droppedIn", where));
          } else {
            say(t("dropped", where));
          }
        },
      });
  }

  // A list leaves the page with its SortableJS instance: a live instance on a detached list
  // would still take drops (and the dropped item would vanish with it).
  function dropChildList(item) {
    var kids = childList(item);
    if (!kids) {
      return;
    }
    var sortable = window.Sortable && window.Sortable.get(kids);
    if (sortable) {
      sortable.destroy();
    }
    kids.remove();
  }

  function ensureChildList(item) {
    var kids = childList(item);
    if (!kids) {
      kids = document.createElement("ol");
      kids.className = "menu-children";
      kids.setAttribute("data-level", "2");
      item.appendChild(kids);
    }
    makeSortable(kids);
    return kids;
  }

  // ---------------------------------------------------------------- adding

  function addItem() {
    if (tree.querySelectorAll("[data-item]").length >= maxItems) {
      say(t("tooMany", { n: maxItems }));
      return;
    }
    uidCounter += 1;
    var html = template.innerHTML.split("__UID__").join("new" + uidCounter);
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var item = holder.firstElementChild;
    tree.appendChild(item);
    ensureChildList(item);
    refresh();
    field(item, "label").focus();
    say(msg.added || "");
  }

  // ---------------------------------------------------------------- wiring

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button || !form.contains(button)) {
      return;
    }
    var item = button.closest("[data-item]");
    var how = button.getAttribute("data-move");
    if (how === "remove") {
      remove(item);
    } else {
      move(item, how);
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target.getAttribute("data-field") === "target") {
      showTargetFields(event.target.closest("[data-item]"));
    }
  });

  document.getElementById("menu-add").addEventListener("click", addItem);

  form.addEventListener("submit", function () {
    dataField.value = serialise();
  });

  makeSortable(tree);
  itemsOf(tree).forEach(ensureChildList);
  refresh();

  window.bantinMenuJSON = serialise; // test hook
})();
