// The person form's photo picker: a click on an uploaded image puts its path into the
// photo field and shows it; "Không dùng ảnh" empties the field. Without JavaScript the
// picker stays hidden and the path is typed or pasted.
(function () {
  "use strict";
  document.querySelectorAll("[data-photo-picker]").forEach(function (picker) {
    var input = document.getElementById(picker.getAttribute("data-target"));
    if (!input) return;
    var preview = document.querySelector(".ed-photo-preview");
    var buttons = picker.querySelectorAll("[data-photo]");
    function show(url) {
      buttons.forEach(function (button) {
        if (button.classList.contains("ed-photo-choice")) {
          button.setAttribute("aria-pressed", button.getAttribute("data-photo") === url ? "true" : "false");
        }
      });
      if (preview) {
        preview.hidden = !url;
        var img = preview.querySelector("img");
        if (img && url) img.src = url;
      }
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        input.value = button.getAttribute("data-photo");
        show(input.value);
      });
    });
    input.addEventListener("change", function () {
      show(input.value.trim());
    });
    picker.hidden = false;
  });
})();
