// Comment form and moderation conveniences. Everything works without this file:
// the captcha refresh link reloads the page, the audio link opens the WAV,
// the server counts characters and the bulk form posts checked boxes as they are.
(function () {
  "use strict";

  function formatNumber(n, separator) {
    // 4000 -> "4.000" in Vietnamese, "4,000" in English (the page gives the separator).
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separator || ".");
  }

  // Captcha: "Đổi mã khác" fetches a new challenge and swaps it in place. A page shared
  // by nginx's cache comes with no per-reader tokens (empty captcha token): they are
  // fetched once the form comes near the screen or is used.
  function setupCaptcha(box) {
    var img = box.querySelector(".captcha-image");
    var token = box.querySelector('input[name="captcha_token"]');
    var input = box.querySelector(".captcha-input");
    var audio = box.querySelector(".captcha-audio");
    var refresh = box.querySelector(".captcha-refresh");
    var status = box.querySelector(".captcha-status");
    var newUrl = box.getAttribute("data-new-url");
    var form = box.closest ? box.closest("form") : null;
    var csrf = form ? form.querySelector('input[name="csrf_token"]') : null;
    var tokensUrl = form ? form.getAttribute("data-tokens-url") : null;
    if (!img || !token || !refresh || !newUrl || !window.fetch) {
      return;
    }
    var busy = false;
    var autoRetried = false;

    function renew(announce, url) {
      if (busy) {
        return;
      }
      busy = true;
      fetch(url || newUrl + "?format=json", {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store"
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          token.value = data.token;
          if (csrf && data.csrf) {
            csrf.value = data.csrf;
          }
          img.src = data.image;
          if (audio) {
            audio.href = data.audio;
          }
          if (input) {
            input.value = "";
          }
          if (announce && status) {
            status.textContent = refresh.getAttribute("data-done") || "";
          }
          if (announce && input) {
            input.focus();
          }
        })
        .catch(function () {
          // Fall back to the plain link: a full page with a new challenge. A quiet fetch
          // never moves the reader away; the form says what to do if it is sent as is.
          if (announce) {
            window.location.href = refresh.href;
          }
        })
        .then(function () {
          busy = false;
        });
    }

    refresh.setAttribute("role", "button");
    refresh.addEventListener("click", function (event) {
      event.preventDefault();
      renew(true);
    });
    if (!token.value && tokensUrl) {
      var fetched = false;
      var fetchTokens = function () {
        if (!fetched) {
          fetched = true;
          renew(false, tokensUrl);
        }
      };
      form.addEventListener("focusin", fetchTokens);
      if (window.IntersectionObserver) {
        var watcher = new IntersectionObserver(
          function (entries) {
            for (var i = 0; i < entries.length; i++) {
              if (entries[i].isIntersecting) {
                watcher.disconnect();
                fetchTokens();
              }
            }
          },
          { rootMargin: "600px 0px" }
        );
        watcher.observe(box);
      } else {
        fetchTokens();
      }
    }
    // A page left open past the challenge's lifetime: fetch a new one once, quietly.
    img.addEventListener("error", function () {
      if (!autoRetried) {
        autoRetried = true;
        renew(false);
      }
    });
  }

  // "123/4.000" under the text box; turns red past the limit (the server refuses it).
  function setupCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) {
      return;
    }
    var max = parseInt(field.getAttribute("data-maxlength"), 10) || 0;
    var separator = counter.getAttribute("data-thousands-separator");
    function update() {
      // Count code points, as the server does (Python's len of NFC text).
      var text = field.value.normalize ? field.value.normalize("NFC") : field.value;
      var length = Array.from ? Array.from(text.replace(/\r\n/g, "\n").trim()).length : text.length;
      counter.textContent =
        "(" + formatNumber(length, separator) + "/" + formatNumber(max, separator) + ")";
      counter.classList.toggle("over-limit", max > 0 && length > max);
    }
    field.addEventListener("input", update);
    update();
  }

  // Moderation: a "select all" box for the bulk actions.
  function setupSelectAll(master) {
    var form = master.form;
    if (!form) {
      return;
    }
    master.addEventListener("change", function () {
      var boxes = form.querySelectorAll('input[type="checkbox"][name="ids"]');
      for (var i = 0; i < boxes.length; i++) {
        boxes[i].checked = master.checked;
      }
    });
  }

  // Moderation: buttons carrying data-confirm ask first (e.g. "Xóa vĩnh viễn").
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  function init() {
    var i;
    var boxes = document.querySelectorAll("[data-captcha]");
    for (i = 0; i < boxes.length; i++) {
      setupCaptcha(boxes[i]);
    }
    var counters = document.querySelectorAll("[data-counter-for]");
    for (i = 0; i < counters.length; i++) {
      setupCounter(counters[i]);
    }
    var masters = document.querySelectorAll("[data-select-all]");
    for (i = 0; i < masters.length; i++) {
      setupSelectAll(masters[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
