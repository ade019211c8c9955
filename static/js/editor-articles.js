/* The article editor: Trix set-up in Vietnamese, image uploads, the cover image,
 * a warning before leaving with unsaved changes, and a copy of the work in this
 * browser's localStorage so a closed tab or a crash never loses an article.
 *
 * Loaded (deferred) BEFORE trix.umd.min.js: Trix defines its elements a moment after
 * it loads, and the trix-before-initialize listener below configures it just in time.
 */
(function () {
  "use strict";

  var form = document.getElementById("article-form");
  if (!form) {
    return;
  }

  var ACCEPTED = ["image/jpeg", "image/png", "image/webp", "image/gif"];
  var MAX_BYTES = 16 * 1024 * 1024;

  function parseJSON(text) {
    try {
      return JSON.parse(text || "{}") || {};
    } catch (err) {
      return {};
    }
  }

  var lang = parseJSON(form.getAttribute("data-trix-lang"));
  var msg = parseJSON(form.getAttribute("data-messages"));
  var uploadUrl = form.getAttribute("data-upload-url");
  var draftKey = form.getAttribute("data-draft-key");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var statusBox = document.getElementById("upload-status");
  var bodyInput = document.getElementById("body");
  var editorElement = document.getElementById("body-editor");
  var titleInput = document.getElementById("title");
  var leadInput = document.getElementById("lead");
  var versionInput = document.getElementById("version");

  var dirty = false;
  var submitting = false;
  var pendingUploads = 0;
  var draftTimer = null;

  function say(text, isError) {
    if (!statusBox) {
      return;
    }
    statusBox.textContent = text || "";
    statusBox.classList.toggle("is-error", Boolean(isError));
  }

  // ------------------------------------------------------------------ Trix set-up

  document.addEventListener("trix-before-initialize", function () {
    var Trix = window.Trix;
    if (!Trix || !Trix.config) {
      return;
    }
    Object.keys(lang).forEach(function (key) {
      Trix.config.lang[key] = lang[key];
    });
    // The page's <h1> is the article title: headings inside the body start at <h2>.
    Trix.config.blockAttributes.heading1.tagName = "h2";
    // An image without a caption shows no file name or size.
    Trix.config.attachments.preview.caption = { name: false, size: false };
  });

  // ------------------------------------------------------------------ uploads

  function upload(file, onProgress, onDone, onFail) {
    var data = new FormData();
    data.append("file", file, file.name || "image");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", uploadUrl, true);
    xhr.setRequestHeader("X-CSRFToken", csrfToken);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        onProgress((event.loaded / event.total) * 100);
      }
    });
    xhr.addEventListener("load", function () {
      var answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (err) {
        answer = null;
      }
      if (xhr.status === 201 && answer && answer.url) {
        onDone(answer);
      } else if (answer && answer.error) {
        onFail(answer.error);
      } else {
        onFail(xhr.status === 413 ? msg.tooLarge : msg.uploadFailed);
      }
    });
    xhr.addEventListener("error", function () {
      onFail(msg.uploadFailed);
    });
    xhr.send(data);
  }

  function acceptable(file) {
    if (ACCEPTED.indexOf(file.type) === -1) {
      say(msg.notImage, true);
      return false;
    }
    if (file.size > MAX_BYTES) {
      say(msg.tooLarge, true);
      return false;
    }
    return true;
  }

  document.addEventListener("trix-file-accept", function (event) {
    if (!acceptable(event.file)) {
      event.preventDefault();
    }
  });

  document.addEventListener("trix-attachment-add", function (event) {
    var attachment = event.attachment;
    if (!attachment.file) {
      return; // pasted HTML or an existing image, nothing to upload
    }
    pendingUploads += 1;
    say(msg.uploading, false);
    upload(
      attachment.file,
      function (percent) {
        attachment.setUploadProgress(percent);
      },
      function (answer) {
        pendingUploads -= 1;
        attachment.setAttributes({
          url: answer.url,
          href: answer.href || answer.url,
          width: answer.width,
          height: answer.height,
        });
        say(msg.uploaded, false);
      },
      function (error) {
        pendingUploads -= 1;
        attachment.remove();
        say(msg.uploadFailed + " " + (error || ""), true);
      }
    );
  });

  // ------------------------------------------------------------------ cover image

  var coverInput = document.getElementById("cover_url");
  var coverFile = document.getElementById("cover-file");
  var coverPreview = document.getElementById("cover-preview");
  var coverClear = document.getElementById("cover-clear");

  function showCover(url) {
    if (!coverPreview) {
      return;
    }
    var ok = typeof url === "string" && url.indexOf("/uploads/") === 0;
    if (ok) {
      coverPreview.src = url;
    } else {
      coverPreview.removeAttribute("src");
    }
    coverPreview.hidden = !ok;
    if (coverClear) {
      coverClear.hidden = !url;
    }
  }

  if (coverFile && coverInput) {
    coverFile.addEventListener("change", function () {
      var file = coverFile.files && coverFile.files[0];
      if (!file || !acceptable(file)) {
        coverFile.value = "";
        return;
      }
      pendingUploads += 1;
      say(msg.uploading, false);
      upload(
        file,
        function () {},
        function (answer) {
          pendingUploads -= 1;
          coverInput.value = answer.url;
          showCover(answer.url);
          coverFile.value = "";
          markDirty();
          say(msg.coverUploaded, false);
        },
        function (error) {
          pendingUploads -= 1;
          coverFile.value = "";
          say(msg.uploadFailed + " " + (error || ""), true);
        }
      );
    });
    coverInput.addEventListener("input", function () {
      showCover(coverInput.value.trim());
    });
  }
  if (coverClear && coverInput) {
    coverClear.addEventListener("click", function () {
      coverInput.value = "";
      showCover("");
      markDirty();
    });
  }

  // ------------------------------------------------------------------ never lose work

  function snapshot(submitted) {
    return {
      title: titleInput ? titleInput.value : "",
      lead: leadInput ? leadInput.value : "",
      body: bodyInput ? bodyInput.value : "",
      version: versionInput ? versionInput.value : "",
      savedAt: Date.now(),
      submitted: Boolean(submitted),
    };
  }

  function storeDraft(submitted) {
    try {
      window.localStorage.setItem(draftKey, JSON.stringify(snapshot(submitted)));
    } catch (err) {
      // Private mode or a full quota: the unsaved-changes warning still protects the work.
    }
  }

  function readDraft() {
    try {
      return JSON.parse(window.localStorage.getItem(draftKey) || "null");
    } catch (err) {
      return null;
    }
  }

  function dropDraft() {
    try {
      window.localStorage.removeItem(draftKey);
    } catch (err) {
      // nothing to do
    }
  }

  function markDirty() {
    dirty = true;
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(function () {
      storeDraft(false);
    }, 800);
  }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  document.addEventListener("trix-change", markDirty);

  form.addEventListener("submit", function (event) {
    if (pendingUploads > 0) {
      event.preventDefault();
      say(msg.stillUploading, true);
      return;
    }
    submitting = true;
    window.clearTimeout(draftTimer);
    // Kept until the next page: if the save fails the server shows the typed values
    // again anyway; a successful save makes this copy obsolete.
    storeDraft(true);
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = msg.unsaved || "";
      return msg.unsaved;
    }
    return undefined;
  });

  function offerDraft() {
    var draft = readDraft();
    if (!draft) {
      return;
    }
    if (draft.submitted) {
      dropDraft();
      return;
    }
    var same =
      draft.title === (titleInput ? titleInput.value : "") &&
      draft.lead === (leadInput ? leadInput.value : "") &&
      draft.body === (bodyInput ? bodyInput.value : "");
    if (same) {
      dropDraft();
      return;
    }
    var box = document.getElementById("draft-restore");
    if (!box) {
      return;
    }
    var when = box.querySelector("[data-draft-time]");
    if (when) {
      when.textContent = new Date(draft.savedAt).toLocaleString(document.documentElement.lang || "vi");
    }
    box.hidden = false;
    box.querySelector("[data-draft-restore]").addEventListener("click", function () {
      if (titleInput) {
        titleInput.value = draft.title;
      }
      if (leadInput) {
        leadInput.value = draft.lead;
      }
      if (editorElement && editorElement.editor) {
        editorElement.editor.loadHTML(draft.body);
      }
      box.hidden = true;
      markDirty();
    });
    box.querySelector("[data-draft-discard]").addEventListener("click", function () {
      dropDraft();
      box.hidden = true;
    });
  }

  if (editorElement) {
    editorElement.addEventListener("trix-initialize", offerDraft, { once: true });
  }
})();
