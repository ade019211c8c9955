// The header menu's child lists: a button opens and closes its list (tap or click), Escape
// closes it and gives focus back to the button. Hover and keyboard focus open the lists
// without this file (site.css).
(function () {
  "use strict";
  var nav = document.getElementById("main-nav");
  if (!nav) {
    return;
  }
  var toggles = nav.querySelectorAll(".sub-toggle");

  // Closed by the button or Escape, a list stays closed while focus or the pointer is still
  // in its item (.is-closed wins over hover and focus in site.css).
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.parentNode.classList.toggle("is-open", open);
    button.parentNode.classList.toggle("is-closed", !open);
  }

  function closeAll(except) {
    for (var i = 0; i < toggles.length; i++) {
      if (toggles[i] !== except) {
        setOpen(toggles[i], false);
      }
    }
  }

  // Phones show every child list open (site.css): the buttons say so and do nothing.
  var phone = window.matchMedia ? window.matchMedia("(max-width: 760px)") : null;
  function onPhone() {
    return Boolean(phone && phone.matches);
  }
  function syncPhone() {
    for (var p = 0; p < toggles.length; p++) {
      toggles[p].setAttribute("aria-expanded", onPhone() ? "true" : "false");
      toggles[p].parentNode.classList.remove("is-open", "is-closed");
    }
  }
  if (phone) {
    syncPhone();
    if (phone.addEventListener) {
      phone.addEventListener("change", syncPhone);
    }
  }

  for (var i = 0; i < toggles.length; i++) {
    toggles[i].addEventListener("click", function (event) {
      if (onPhone()) {
        return;
      }
      var button = event.currentTarget;
      var open = button.getAttribute("aria-expanded") !== "true";
      closeAll(button);
      setOpen(button, open);
    });
  }

  nav.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || onPhone()) {
      return;
    }
    var item = event.target.closest(".has-sub");
    if (item) {
      var button = item.querySelector(".sub-toggle");
      setOpen(button, false);
      button.focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (!nav.contains(event.target)) {
      for (var k = 0; k < items.length; k++) {
        reset(items[k]);
      }
    }
  });
  function reset(item) {
    item.classList.remove("is-open", "is-closed");
    item.querySelector(".sub-toggle").setAttribute("aria-expanded", onPhone() ? "true" : "false");
  }

  var items = nav.querySelectorAll(".has-sub");
  for (var j = 0; j < items.length; j++) {
    items[j].addEventListener("focusout", function (event) {
      if (!event.currentTarget.contains(event.relatedTarget)) {
        reset(event.currentTarget);
      }
    });
    items[j].addEventListener("mouseleave", function (event) {
      if (!event.currentTarget.contains(document.activeElement)) {
        reset(event.currentTarget);
      }
    });
  }
})();
