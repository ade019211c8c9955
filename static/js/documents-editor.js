/* The official document form: upload files through the editor's upload endpoint, add files
   from the media library, reorder and remove them. Without JavaScript the form still works:
   the file input and the library picker are posted with the form. */
(function () {
  "use strict";
  var form = document.querySelector("form.doc-form");
  if (!form) return;
  var list = form.querySelector("[data-file-rows]");
  var template = form.querySelector("[data-file-template]");
  var empty = form.querySelector("[data-files-empty]");
  var status = form.querySelector("[data-file-status]");
  var input = form.querySelector("[data-file-upload]");
  var picker = form.querySelector("[data-file-library]");
  var addButton = form.querySelector("[data-file-add]");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var uploading = 0;
  var DOCUMENT_EXT = /\.(pdf|docx|xlsx|pptx|odt|ods)$/i;

  function say(key, values) {
    var text = form.getAttribute("data-msg-" + key) || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    status.textContent = text;
  }

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-file-row]"));
  }

  function refresh() {
    var all = rows();
    empty.hidden = all.length > 0;
    all.forEach(function (row, index) {
      row.querySelector("[data-file-up]").disabled = index === 0;
      row.querySelector("[data-file-down]").disabled = index === all.length - 1;
    });
  }

  function has(id) {
    return rows().some(function (row) {
      return row.querySelector('input[name="file_ids"]').value === String(id);
    });
  }

  function addRow(id, name, meta) {
    if (has(id)) {
      say("already", { name: name });
      return null;
    }
    var row = template.content.firstElementChild.cloneNode(true);
    row.setAttribute("data-name", name);
    row.querySelector('input[name="file_ids"]').value = String(id);
    row.querySelector(".doc-file-row-name").textContent = name;
    row.querySelector("[data-file-meta]").textContent = meta ? "(" + meta + ")" : "";
    Array.prototype.forEach.call(row.querySelectorAll("[data-file-label]"), function (label) {
      label.textContent = name;
    });
    list.appendChild(row);
    refresh();
    return row;
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !list.contains(button)) return;
    var row = button.closest("[data-file-row]");
    var name = row.getAttribute("data-name") || "";
    if (button.hasAttribute("data-file-remove")) {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      refresh();
      say("removed", { name: name });
      var focusTarget = next ? next.querySelector("[data-file-remove]") : input;
      if (focusTarget) focusTarget.focus();
    } else if (button.hasAttribute("data-file-up") && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
      refresh();
      say("moved", { name: name, n: rows().indexOf(row) + 1 });
      (button.disabled ? row.querySelector("[data-file-down]") : button).focus();
    } else if (button.hasAttribute("data-file-down") && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
      refresh();
      say("moved", { name: name, n: rows().indexOf(row) + 1 });
      (button.disabled ? row.querySelector("[data-file-up]") : button).focus();
    }
  });

  function sizeLabel(bytes) {
    return Math.max(1, Math.ceil(bytes / 1024)).toLocaleString("vi-VN") + " KB";
  }

  function upload(file) {
    if (!DOCUMENT_EXT.test(file.name)) {
      say("not-document", { name: file.name });
      return Promise.resolve();
    }
    uploading += 1;
    say("uploading");
    var data = new FormData();
    data.append("file", file);
    return fetch(form.getAttribute("data-upload-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return { error: response.statusText };
          })
          .then(function (answer) {
            if (!response.ok || answer.kind !== "file") {
              say("failed", { name: file.name, why: answer.error || response.status });
              return;
            }
            addRow(answer.id, answer.name, String(answer.ext || "").toUpperCase() + ", " + sizeLabel(answer.size));
            say("uploaded", { name: answer.name });
          });
      })
      .catch(function (error) {
        say("failed", { name: file.name, why: String(error) });
      })
      .then(function () {
        uploading -= 1;
      });
  }

  if (input) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      var chain = Promise.resolve();
      files.forEach(function (file) {
        chain = chain.then(function () {
          return upload(file);
        });
      });
      chain.then(function () {
        input.value = "";
      });
    });
  }

  if (picker && addButton) {
    // With JavaScript the picker adds a row at once instead of posting its own value.
    picker.removeAttribute("name");
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var option = picker.options[picker.selectedIndex];
      if (!option || !option.value) return;
      var name = option.textContent.replace(/\s*\([^)]*\)\s*$/, "");
      if (addRow(option.value, name, option.getAttribute("data-meta"))) {
        say("added", { name: name });
      }
      picker.selectedIndex = 0;
    });
  }

  form.addEventListener("submit", function (event) {
    if (uploading > 0) {
      event.preventDefault();
      say("still-uploading");
    }
  });

  refresh();
})();
