// Reader conveniences; every page works without this file.
(function () {
  "use strict";
  var KEY = "bantin-font-step";
  var MIN = -1;
  var MAX = 3;
  var root = document.documentElement;

  function stored() {
    try {
      var value = parseInt(window.localStorage.getItem(KEY), 10);
      return isNaN(value) ? 0 : Math.max(MIN, Math.min(MAX, value));
    } catch (e) {
      return 0; // storage blocked: default size
    }
  }

  function apply(step) {
    for (var i = MIN; i <= MAX; i++) {
      root.classList.remove("font-step-" + i);
    }
    if (step !== 0) {
      root.classList.add("font-step-" + step);
    }
    var buttons = document.querySelectorAll("[data-font-step]");
    for (var j = 0; j < buttons.length; j++) {
      var own = parseInt(buttons[j].getAttribute("data-font-step"), 10);
      buttons[j].setAttribute("aria-pressed", own === 0 && step === 0 ? "true" : "false");
    }
  }

  function save(step) {
    try {
      window.localStorage.setItem(KEY, String(step));
    } catch (e) {
      // storage blocked: the size still changes for this page
    }
  }

  var step = stored();
  apply(step);

  var controls = document.querySelector(".font-size-controls");
  if (controls) {
    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var button = event.target.closest("[data-font-step]");
      if (!button) {
        return;
      }
      var delta = parseInt(button.getAttribute("data-font-step"), 10);
      step = delta === 0 ? 0 : Math.max(MIN, Math.min(MAX, step + delta));
      apply(step);
      save(step);
    });
  }

  var printLinks = document.querySelectorAll("[data-print]");
  for (var k = 0; k < printLinks.length; k++) {
    printLinks[k].addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  }
})();
