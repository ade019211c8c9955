/* Ask before destructive editor actions: forms carrying data-confirm="question".
   Loaded with defer from the editor layout; without JavaScript the form simply submits. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
