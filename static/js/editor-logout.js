/* Signing out forgets this browser's unsaved article copies (localStorage `bantin-draft-*`),
 * so a shared office computer never offers one person's draft to the next. The server keeps
 * each user's autosave, offered again at their next sign-in. */
(function () {
  "use strict";

  function forgetDrafts() {
    try {
      var storage = window.localStorage;
      for (var i = storage.length - 1; i >= 0; i -= 1) {
        var key = storage.key(i);
        if (key && key.indexOf("bantin-draft-") === 0) {
          storage.removeItem(key);
        }
      }
    } catch (err) {
      // No storage (private mode, disabled): nothing was kept.
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form && form.getAttribute ? form.getAttribute("action") || "" : "";
    if (/\/logout$/.test(action.split("?")[0])) {
      forgetDrafts();
    }
  });
})();
