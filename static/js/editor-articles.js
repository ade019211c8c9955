/* The article editor: TipTap 3 (static/vendor/tiptap/tiptap.min.js, window.BantinTipTap)
 * configured with exactly the document of docs/editor-schema.md, a Vietnamese toolbar, image
 * and attachment uploads (button, drag-and-drop, paste), the cover image, and never losing
 * work: a warning before leaving, autosave to the server every 30 s and on leaving, and a copy
 * in this browser's localStorage keyed by user.
 *
 * Plain ES2019, no build step. Loaded (deferred) after tiptap.min.js and editor-paste.js.
 * Test hooks: window.bantinEditor, window.bantinBodyHTML(), window.bantinAutosaveNow().
 */
(function () {
  "use strict";

  // The article form, or another form that writes a body with this editor (a page:
  // templates/editor/site_pages/form.html), marked with data-rich-editor.
  var form = document.getElementById("article-form") || document.querySelector("form[data-rich-editor]");
  var mount = document.getElementById("body-editor");
  var T = window.BantinTipTap;
  if (!form || !mount || !T) {
    return;
  }
  var X = T.extensions;

  function parseJSON(text, fallback) {
    try {
      var value = JSON.parse(text || "null");
      return value === null ? fallback : value;
    } catch (err) {
      return fallback;
    }
  }

  var msg = parseJSON(form.getAttribute("data-messages"), {});

  function t(key, values) {
    var text = msg[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  // ================================================================ the schema's value rules
  // The same checks as bantin/document.py, so the editor never writes what the server would
  // change: a body loaded, left alone and saved comes back byte for byte.

  var WS = /[ \t\n\r\f\u00a0]+/g;
  // Python's str.strip() set (what the server trims with).
  var PY_SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var PY_TRIM = new RegExp("^" + PY_SPACE + "+|" + PY_SPACE + "+$", "g");
  var CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
  var UPLOAD_PATH = /^\/uploads\/[A-Za-z0-9._~/-]+$/;
  var TRANSIENT_SRC = /^(blob:|data:image\/(png|jpeg|gif|webp);base64,)/i;
  var ALIGNS = ["center", "right", "justify"];
  var FILE_TYPES = ["pdf", "docx", "xlsx", "pptx", "odt", "ods"];
  var IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"];
  var MAX_DIMENSION = 10000;
  var MAX_SPAN = 100;

  function nfc(text) {
    return String(text).normalize("NFC").replace(CONTROL, "");
  }

  function pyStrip(text) {
    return String(text).replace(PY_TRIM, "");
  }

  function plain(text) {
    return pyStrip(nfc(text || "").replace(WS, " "));
  }

  function isUploadPath(value) {
    return (
      typeof value === "string" &&
      UPLOAD_PATH.test(value) &&
      value.indexOf("..") === -1 &&
      value.indexOf("//") === -1
    );
  }

  function imageSrc(img) {
    if (!img) {
      return null;
    }
    var src = pyStrip(img.getAttribute("src") || "");
    // data: and blob: only live in the editor until their upload answers (never saved).
    return isUploadPath(src) || TRANSIENT_SRC.test(src) ? src : null;
  }

  function linkHref(raw) {
    if (raw === null || raw === undefined) {
      return null;
    }
    var href = pyStrip(raw).replace(/ /g, "%20");
    if (!href || href.indexOf("\\") !== -1 || /[\x00-\x1f]/.test(href)) {
      return null;
    }
    if (href.charAt(0) === "/") {
      return href.charAt(1) === "/" ? null : href;
    }
    if (href.charAt(0) === "#") {
      return href.length > 1 ? href : null;
    }
    var scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(href);
    if (!scheme) {
      return null;
    }
    var name = scheme[1].toLowerCase();
    if (name === "http" || name === "https") {
      return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]/.test(href) ? href : null;
    }
    return name === "mailto" && href.length > "mailto:".length ? href : null;
  }

  function isExternal(href) {
    return /^https?:/i.test(href);
  }

  function dimension(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (/^[0-9]+$/.test(text) && Number(text) > 0 && Number(text) <= MAX_DIMENSION) {
      return String(Number(text));
    }
    return null;
  }

  function srcsetValue(value) {
    if (!value) {
      return null;
    }
    var entries = [];
    String(value)
      .split(",")
      .forEach(function (part) {
        var match = /^(\S+)\s+([1-9][0-9]{0,4})w$/.exec(pyStrip(part));
        if (match && isUploadPath(match[1])) {
          entries.push(match[1] + " " + Number(match[2]) + "w");
        }
      });
    return entries.length ? entries.join(", ") : null;
  }

  function span(value) {
    var text = value === null || value === undefined ? "" : pyStrip(value);
    return /^[0-9]+$/.test(text) && Number(text) > 0 && Number(text) <= MAX_SPAN ? Number(text) : 1;
  }

  function attachmentMeta(kind, size) {
    var amount;
    if (size < 1048576) {
      amount = Math.max(1, Math.floor((size + 512) / 1024)) + " KB";
    } else {
      var tenths = Math.floor((size * 10 + 524288) / 1048576);
      amount = Math.floor(tenths / 10) + "." + (tenths % 10) + " MB";
    }
    return String(kind).toUpperCase() + ", " + amount;
  }

  function attachmentAttrs(div) {
    var link = div.querySelector("a");
    if (!link) {
      return null;
    }
    var href = pyStrip(link.getAttribute("href") || "");
    if (href.indexOf("/uploads/files/") !== 0 || !isUploadPath(href)) {
      return null;
    }
    var declared = link.getAttribute("data-type");
    var kind =
      declared && FILE_TYPES.indexOf(declared) !== -1
        ? declared
        : href.split(".").pop().toLowerCase();
    if (FILE_TYPES.indexOf(kind) === -1) {
      return null;
    }
    var rawSize = link.getAttribute("data-size") || "";
    var name = plain(link.textContent);
    return {
      href: href,
      name: name || href.split("/").pop(),
      type: kind,
      size: /^[0-9]{1,12}$/.test(rawSize) ? Number(rawSize) : 0,
    };
  }

  function imgOf(element) {
    return element.nodeName === "IMG" ? element : element.querySelector("img");
  }

  // ================================================================ extensions

  // Alignment as a class on paragraphs and headings (left is the default: no class).
  var Alignment = T.Extension.create({
    name: "alignment",
    addGlobalAttributes: function () {
      return [
        {
          types: ["paragraph", "heading"],
          attributes: {
            align: {
              default: null,
              parseHTML: function (element) {
                var tokens = (element.getAttribute("class") || "").split(/\s+/);
                for (var i = 0; i < tokens.length; i += 1) {
                  var match = /^text-(center|right|justify)$/.exec(tokens[i]);
                  if (match) {
                    return match[1];
                  }
                }
                return null;
              },
              renderHTML: function (attributes) {
                return attributes.align ? { class: "text-" + attributes.align } : {};
              },
            },
          },
        },
      ];
    },
    addCommands: function () {
      return {
        setAlignment: function (align) {
          return function (props) {
            var value = ALIGNS.indexOf(align) === -1 ? null : align;
            var paragraphs = props.commands.updateAttributes("paragraph", { align: value });
            var headings = props.commands.updateAttributes("heading", { align: value });
            return paragraphs || headings;
          };
        },
      };
    },
  });

  // Marks, outermost first: link, bold, italic, underline, strike (ranked by priority).
  var Link = X.Link.extend({
    priority: 150,
    addAttributes: function () {
      return {
        href: {
          default: null,
          parseHTML: function (element) {
            return linkHref(element.getAttribute("href"));
          },
        },
      };
    },
    parseHTML: function () {
      return [
        {
          tag: "a[href]",
          getAttrs: function (element) {
            return linkHref(element.getAttribute("href")) ? null : false;
          },
        },
      ];
    },
    renderHTML: function (props) {
      var href = linkHref(props.mark.attrs.href) || "";
      var attrs = { href: href };
      if (href && isExternal(href)) {
        attrs.rel = "noopener noreferrer";
      }
      return ["a", attrs, 0];
    },
    addKeyboardShortcuts: function () {
      return {
        "Mod-k": function () {
          openLinkPanel();
          return true;
        },
      };
    },
  }).configure({
    openOnClick: false,
    autolink: true,
    linkOnPaste: true,
    defaultProtocol: "https",
    HTMLAttributes: {},
    isAllowedUri: function (url) {
      return Boolean(linkHref(url));
    },
  });
  var Bold = X.Bold.extend({ priority: 140 });
  var Italic = X.Italic.extend({ priority: 130 });
  var Underline = X.Underline.extend({ priority: 120 });
  var Strike = X.Strike.extend({ priority: 110 });

  // h2-h4; h1 reads as h2 and h5/h6 as h4, as on the server.
  var Heading = X.Heading.extend({
    parseHTML: function () {
      return [
        { tag: "h1", attrs: { level: 2 } },
        { tag: "h2", attrs: { level: 2 } },
        { tag: "h3", attrs: { level: 3 } },
        { tag: "h4", attrs: { level: 4 } },
        { tag: "h5", attrs: { level: 4 } },
        { tag: "h6", attrs: { level: 4 } },
      ];
    },
  }).configure({ levels: [2, 3, 4] });

  // No start or type: numbering always starts at 1.
  var OrderedList = X.OrderedList.extend({
    addAttributes: function () {
      return {
        start: { default: 1, rendered: false, parseHTML: function () { return 1; } },
        type: { default: null, rendered: false, parseHTML: function () { return null; } },
      };
    },
    renderHTML: function () {
      return ["ol", 0];
    },
  });

  // Tables: <table><tbody>…, spans only when > 1, no widths or styles. bodyHTML() moves a
  // header row into <thead>.
  function cellAttributes() {
    return {
      colspan: {
        default: 1,
        parseHTML: function (element) {
          return span(element.getAttribute("colspan"));
        },
      },
      rowspan: {
        default: 1,
        parseHTML: function (element) {
          return span(element.getAttribute("rowspan"));
        },
      },
      colwidth: {
        default: null,
        rendered: false,
        parseHTML: function () {
          return null;
        },
      },
    };
  }

  function cellRenderer(tag) {
    return function (props) {
      var attrs = {};
      if (props.node.attrs.colspan > 1) {
        attrs.colspan = String(props.node.attrs.colspan);
      }
      if (props.node.attrs.rowspan > 1) {
        attrs.rowspan = String(props.node.attrs.rowspan);
      }
      return [tag, attrs, 0];
    };
  }

  // In the editor a table sits in a scrolling box (phones), without TipTap's column widths.
  function TableView(node) {
    this.node = node;
    this.dom = document.createElement("div");
    this.dom.className = "table-scroll";
    this.table = this.dom.appendChild(document.createElement("table"));
    this.contentDOM = this.table.appendChild(document.createElement("tbody"));
  }
  TableView.prototype.update = function (node) {
    if (node.type !== this.node.type) {
      return false;
    }
    this.node = node;
    return true;
  };
  TableView.prototype.ignoreMutation = function (record) {
    return record.type === "attributes" && (record.target === this.dom || record.target === this.table);
  };

  var Table = X.Table.extend({
    renderHTML: function () {
      return ["table", ["tbody", 0]];
    },
  }).configure({ resizable: false, allowTableNodeSelection: false, View: TableView });
  var TableCell = X.TableCell.extend({ addAttributes: cellAttributes, renderHTML: cellRenderer("td") });
  var TableHeader = X.TableHeader.extend({
    addAttributes: cellAttributes,
    renderHTML: cellRenderer("th"),
  });

  // ---------------------------------------------------------------- figure (image + caption)

  var figureCount = 0;

  function FigureView(props) {
    var self = this;
    figureCount += 1;
    this.editor = props.editor;
    this.getPos = props.getPos;
    this.node = props.node;

    this.dom = document.createElement("figure");
    this.dom.className = "editor-figure";

    var media = document.createElement("div");
    media.className = "figure-media";
    media.contentEditable = "false";
    this.img = media.appendChild(document.createElement("img"));
    this.img.draggable = false;
    this.badge = media.appendChild(document.createElement("span"));
    this.badge.className = "figure-badge";
    this.dom.appendChild(media);

    var tools = (this.tools = document.createElement("div"));
    tools.className = "figure-tools";
    tools.contentEditable = "false";
    var altId = "figure-alt-" + figureCount;
    var label = tools.appendChild(document.createElement("label"));
    label.setAttribute("for", altId);
    label.textContent = msg.altLabel || "";
    this.altInput = tools.appendChild(document.createElement("input"));
    this.altInput.type = "text";
    this.altInput.id = altId;
    this.altInput.className = "figure-alt";
    this.altInput.maxLength = 500;
    this.altInput.placeholder = msg.altPlaceholder || "";
    var check = tools.appendChild(document.createElement("label"));
    check.className = "check figure-decorative";
    this.decorative = check.appendChild(document.createElement("input"));
    this.decorative.type = "checkbox";
    check.appendChild(document.createTextNode(" " + (msg.decorative || "")));
    this.remove = tools.appendChild(document.createElement("button"));
    this.remove.type = "button";
    this.remove.className = "button button-small button-quiet figure-remove";
    this.remove.textContent = msg.removeImage || "×";
    this.dom.appendChild(tools);

    this.contentDOM = document.createElement("figcaption");
    this.contentDOM.setAttribute("data-placeholder", msg.captionPlaceholder || "");
    this.dom.appendChild(this.contentDOM);

    this.altInput.addEventListener("input", function () {
      var value = self.altInput.value;
      self.setAttrs({ alt: pyStrip(value) ? value : null });
    });
    this.altInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // the alt field lives inside the article form
      }
    });
    this.decorative.addEventListener("change", function () {
      var typed = self.altInput.value;
      self.setAttrs({ alt: self.decorative.checked ? "" : pyStrip(typed) ? typed : null });
    });
    this.remove.addEventListener("click", function () {
      var pos = self.getPos();
      if (typeof pos === "number") {
        self.editor.chain().focus().deleteRange({ from: pos, to: pos + self.node.nodeSize }).run();
      }
    });
    this.render();
  }

  FigureView.prototype.setAttrs = function (attrs) {
    var pos = this.getPos();
    if (typeof pos !== "number") {
      return;
    }
    var view = this.editor.view;
    view.dispatch(view.state.tr.setNodeMarkup(pos, undefined, Object.assign({}, this.node.attrs, attrs)));
  };

  FigureView.prototype.render = function () {
    var a = this.node.attrs;
    if (this.img.getAttribute("src") !== a.src) {
      this.img.setAttribute("src", a.src || "");
    }
    this.img.alt = a.alt || "";
    ["width", "height"].forEach(function (name) {
      if (a[name]) {
        this.img.setAttribute(name, a[name]);
      } else {
        this.img.removeAttribute(name);
      }
    }, this);
    var uploading = TRANSIENT_SRC.test(a.src || "");
    var missing = a.alt === null && !uploading;
    this.dom.classList.toggle("is-uploading", uploading);
    this.dom.classList.toggle("is-missing-alt", missing);
    this.badge.textContent = uploading ? msg.imageUploading || "" : missing ? msg.altMissing || "" : "";
    this.badge.hidden = !uploading && !missing;
    if (document.activeElement !== this.altInput) {
      this.altInput.value = a.alt || "";
    }
    this.altInput.disabled = a.alt === "";
    this.altInput.setAttribute("aria-invalid", missing ? "true" : "false");
    this.decorative.checked = a.alt === "";
    this.contentDOM.classList.toggle("is-empty", this.node.content.size === 0);
  };

  FigureView.prototype.update = function (node) {
    if (node.type !== this.node.type) {
      return false;
    }
    this.node = node;
    this.render();
    return true;
  };

  FigureView.prototype.selectNode = function () {
    this.dom.classList.add("ProseMirror-selectednode");
  };

  FigureView.prototype.deselectNode = function () {
    this.dom.classList.remove("ProseMirror-selectednode");
  };

  FigureView.prototype.stopEvent = function (event) {
    return this.tools.contains(event.target);
  };

  FigureView.prototype.ignoreMutation = function (record) {
    if (record.type === "selection") {
      return !this.contentDOM.contains(record.target);
    }
    if (record.type === "attributes" && (record.target === this.dom || record.target === this.contentDOM)) {
      return true;
    }
    return !this.contentDOM.contains(record.target);
  };

  function figureAttr(read) {
    return {
      default: null,
      rendered: false,
      parseHTML: function (element) {
        return read(imgOf(element));
      },
    };
  }

  var Figure = T.Node.create({
    name: "figure",
    group: "block",
    content: "text*",
    marks: "",
    draggable: true,
    isolating: true,
    selectable: true,
    addAttributes: function () {
      return {
        src: figureAttr(imageSrc),
        alt: figureAttr(function (img) {
          var alt = img ? img.getAttribute("alt") : null;
          return alt === null ? null : plain(alt);
        }),
        width: figureAttr(function (img) {
          return img ? dimension(img.getAttribute("width")) : null;
        }),
        height: figureAttr(function (img) {
          return img ? dimension(img.getAttribute("height")) : null;
        }),
        srcset: figureAttr(function (img) {
          return img ? srcsetValue(img.getAttribute("srcset")) : null;
        }),
      };
    },
    parseHTML: function () {
      return [
        {
          tag: "figure",
          getAttrs: function (element) {
            return imageSrc(imgOf(element)) ? null : false;
          },
          getContent: function (element, schema) {
            var parts = Array.prototype.map.call(element.querySelectorAll("figcaption"), function (c) {
              return c.textContent;
            });
            var caption = plain(parts.join(" "));
            return caption ? T.Fragment.from(schema.text(caption)) : T.Fragment.empty;
          },
        },
        {
          // An image met anywhere else (pasted, dropped HTML) becomes a figure of its own.
          tag: "img[src]",
          getAttrs: function (element) {
            return imageSrc(element) ? null : false;
          },
          getContent: function () {
            return T.Fragment.empty;
          },
        },
      ];
    },
    renderHTML: function (props) {
      var a = props.node.attrs;
      var img = { src: a.src };
      if (a.alt !== null && a.alt !== undefined) {
        img.alt = a.alt;
      }
      ["width", "height", "srcset"].forEach(function (name) {
        if (a[name]) {
          img[name] = a[name];
        }
      });
      return props.node.content.size
        ? ["figure", ["img", img], ["figcaption", 0]]
        : ["figure", ["img", img]];
    },
    addNodeView: function () {
      return function (props) {
        return new FigureView(props);
      };
    },
  });

  // Editing keys around a figure: its caption never merges with a neighbouring paragraph,
  // Enter in a caption goes to a new paragraph below, Backspace/Delete next to a figure
  // selects it first (a second press removes it).
  var FigureKeys = T.Extension.create({
    name: "figureKeys",
    priority: 1000,
    addKeyboardShortcuts: function () {
      var editor = this.editor;

      function inFigure() {
        var sel = editor.state.selection;
        return sel.$from.parent.type.name === "figure" ? sel : null;
      }

      function leaveCaption() {
        var sel = inFigure();
        if (!sel) {
          return false;
        }
        var after = sel.$from.after();
        return editor
          .chain()
          .insertContentAt(after, { type: "paragraph" })
          .setTextSelection(after + 1)
          .scrollIntoView()
          .run();
      }

      function selectNode(pos) {
        var tr = editor.state.tr.setSelection(T.NodeSelection.create(editor.state.doc, pos));
        editor.view.dispatch(tr.scrollIntoView());
        return true;
      }

      return {
        Enter: leaveCaption,
        "Shift-Enter": leaveCaption,
        "Mod-Enter": leaveCaption,
        Backspace: function () {
          var sel = editor.state.selection;
          if (!sel.empty) {
            return false;
          }
          var $from = sel.$from;
          if ($from.parent.type.name === "figure") {
            return $from.parentOffset === 0 ? selectNode($from.before()) : false;
          }
          if (!$from.parent.isTextblock || $from.parentOffset !== 0 || $from.depth < 1) {
            return false;
          }
          var index = $from.index($from.depth - 1);
          if (index === 0) {
            return false;
          }
          var before = $from.node($from.depth - 1).child(index - 1);
          if (before.type.name !== "figure") {
            return false;
          }
          var figurePos = $from.before() - before.nodeSize;
          if ($from.parent.content.size === 0) {
            var tr = editor.state.tr.delete($from.before(), $from.after());
            tr.setSelection(T.NodeSelection.create(tr.doc, figurePos));
            editor.view.dispatch(tr.scrollIntoView());
            return true;
          }
          return selectNode(figurePos);
        },
        Delete: function () {
          var sel = editor.state.selection;
          if (!sel.empty) {
            return false;
          }
          var $from = sel.$from;
          if ($from.parent.type.name === "figure") {
            return $from.parentOffset === $from.parent.content.size;
          }
          if (!$from.parent.isTextblock || $from.parentOffset !== $from.parent.content.size || $from.depth < 1) {
            return false;
          }
          var index = $from.index($from.depth - 1);
          var parent = $from.node($from.depth - 1);
          if (index + 1 >= parent.childCount || parent.child(index + 1).type.name !== "figure") {
            return false;
          }
          return selectNode($from.after());
        },
      };
    },
  });

  // ---------------------------------------------------------------- attachment block

  function attachmentAttr(name, fallback) {
    return {
      default: fallback,
      rendered: false,
      parseHTML: function (element) {
        var attrs = attachmentAttrs(element);
        return attrs ? attrs[name] : null;
      },
    };
  }

  var FileAttachment = T.Node.create({
    name: "fileAttachment",
    group: "block",
    atom: true,
    draggable: true,
    selectable: true,
    addAttributes: function () {
      return {
        href: attachmentAttr("href", null),
        name: attachmentAttr("name", ""),
        type: attachmentAttr("type", "pdf"),
        size: attachmentAttr("size", 0),
      };
    },
    parseHTML: function () {
      return [
        {
          tag: "div.file-attachment",
          getAttrs: function (element) {
            return attachmentAttrs(element) ? null : false;
          },
        },
      ];
    },
    renderHTML: function (props) {
      var a = props.node.attrs;
      return [
        "div",
        { class: "file-attachment" },
        ["a", { href: a.href, "data-type": a.type, "data-size": String(a.size) }, a.name],
        ["span", { class: "file-meta" }, attachmentMeta(a.type, a.size)],
      ];
    },
  });

  // ================================================================ serialising

  function markKey(marks) {
    return JSON.stringify(marks || []);
  }

  function cleanMarks(marks) {
    var out = [];
    (marks || []).forEach(function (mark) {
      if (mark.type === "link") {
        var href = linkHref(mark.attrs && mark.attrs.href);
        if (href) {
          out.push({ type: "link", attrs: { href: href } });
        }
      } else {
        out.push({ type: mark.type });
      }
    });
    return out;
  }

  // ProseMirror's white-space rules as the server applies them; runs with equal marks merged.
  function normaliseInline(content) {
    var out = [];
    (content || []).forEach(function (node) {
      var marks = cleanMarks(node.marks);
      if (node.type === "hardBreak") {
        out.push({ type: "hardBreak", marks: marks });
        return;
      }
      if (node.type !== "text") {
        return;
      }
      var text = nfc(node.text || "").replace(WS, " ");
      var previous = out.length ? out[out.length - 1] : null;
      if (
        text.charAt(0) === " " &&
        (!previous || previous.type === "hardBreak" || / $/.test(previous.text))
      ) {
        text = text.slice(1);
      }
      if (!text) {
        return;
      }
      if (previous && previous.type === "text" && markKey(previous.marks) === markKey(marks)) {
        previous.text += text;
      } else {
        out.push({ type: "text", text: text, marks: marks });
      }
    });
    while (out.length && out[0].type === "hardBreak") {
      out.shift();
    }
    while (out.length) {
      var last = out[out.length - 1];
      if (last.type === "hardBreak") {
        out.pop();
      } else if (/ $/.test(last.text)) {
        last.text = last.text.replace(/ +$/, "");
        if (!last.text) {
          out.pop();
        }
      } else {
        break;
      }
    }
    out.forEach(function (node) {
      if (!node.marks.length) {
        delete node.marks;
      }
    });
    return out;
  }

  function normaliseFigure(node) {
    var a = node.attrs || {};
    var src = pyStrip(a.src || "");
    var caption = plain(
      (node.content || [])
        .map(function (child) {
          return child.text || "";
        })
        .join("")
    );
    if (!isUploadPath(src)) {
      // Not uploaded (yet): like the server, only the caption's words stay.
      return caption ? { type: "paragraph", content: [{ type: "text", text: caption }] } : null;
    }
    var figure = {
      type: "figure",
      attrs: {
        src: src,
        alt: a.alt === null || a.alt === undefined ? null : plain(a.alt),
        width: dimension(a.width),
        height: dimension(a.height),
        srcset: srcsetValue(a.srcset),
      },
    };
    if (caption) {
      figure.content = [{ type: "text", text: caption }];
    }
    return figure;
  }

  function normaliseBlocks(blocks, container) {
    var out = [];
    (blocks || []).forEach(function (block) {
      var inner;
      switch (block.type) {
        case "paragraph":
        case "heading":
          inner = normaliseInline(block.content);
          if (inner.length) {
            out.push({ type: block.type, attrs: block.attrs, content: inner });
          }
          break;
        case "bulletList":
        case "orderedList":
          inner = (block.content || [])
            .map(function (item) {
              return normaliseBlocks(item.content, "item");
            })
            .filter(function (item) {
              return item.length;
            })
            .map(function (item) {
              return { type: "listItem", content: item };
            });
          if (inner.length) {
            out.push({ type: block.type, content: inner });
          }
          break;
        case "blockquote":
          inner = normaliseBlocks(block.content, "quote");
          if (inner.length) {
            out.push({ type: "blockquote", content: inner });
          }
          break;
        case "table":
          out.push({
            type: "table",
            content: (block.content || []).map(function (row) {
              return {
                type: "tableRow",
                content: (row.content || []).map(function (cell) {
                  var cellBlocks = normaliseBlocks(cell.content, "cell");
                  return {
                    type: cell.type,
                    attrs: { colspan: cell.attrs.colspan, rowspan: cell.attrs.rowspan },
                    content: cellBlocks.length ? cellBlocks : [{ type: "paragraph" }],
                  };
                }),
              };
            }),
          });
          break;
        case "figure":
          inner = normaliseFigure(block);
          if (inner) {
            out.push(inner);
          }
          break;
        default:
          out.push(block); // rule, attachment
      }
    });
    if (container === "item" && out.length && out[0].type !== "paragraph") {
      out.unshift({ type: "paragraph" }); // a list item starts with a paragraph
    }
    return out;
  }

  function moveHeaderRows(root) {
    Array.prototype.forEach.call(root.querySelectorAll("table"), function (table) {
      var tbody = table.querySelector(":scope > tbody");
      if (!tbody || tbody.children.length < 2) {
        return;
      }
      var first = tbody.children[0];
      var cells = Array.prototype.slice.call(first.children);
      var allHeader =
        cells.length &&
        cells.every(function (cell) {
          return cell.nodeName === "TH" && !cell.hasAttribute("rowspan");
        });
      if (allHeader) {
        var thead = document.createElement("thead");
        thead.appendChild(first);
        table.insertBefore(thead, tbody);
      }
    });
  }

  var editor = null;

  // The canonical HTML of the document: what the form posts and the server stores unchanged.
  function bodyHTML() {
    if (!editor) {
      return "";
    }
    var blocks = normaliseBlocks(editor.getJSON().content, "doc");
    if (!blocks.length) {
      return "";
    }
    var doc = editor.schema.nodeFromJSON({ type: "doc", content: blocks });
    var template = document.createElement("template");
    template.innerHTML = T.getHTMLFromFragment(doc.content, editor.schema);
    moveHeaderRows(template.content);
    return template.innerHTML;
  }

  // ================================================================ status lines

  var statusBox = document.getElementById("upload-status");
  var alertBox = document.getElementById("body-alert");
  var autosaveBox = document.getElementById("autosave-status");
  var pasteNotice = document.getElementById("paste-notice");

  function say(text, isError) {
    if (!statusBox) {
      return;
    }
    statusBox.textContent = text || "";
    statusBox.classList.toggle("is-error", Boolean(isError));
  }

  function showAlert(text) {
    if (!alertBox) {
      return;
    }
    alertBox.textContent = text || "";
    alertBox.hidden = !text;
  }

  // ================================================================ uploads

  var uploadUrl = form.getAttribute("data-upload-url");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var maxImageBytes = Number(form.getAttribute("data-max-image-bytes")) || 16777216;
  var maxFileBytes = Number(form.getAttribute("data-max-file-bytes")) || 20971520;
  var pendingUploads = 0;
  var pendingSrc = {}; // src (blob:/data:) -> true while its upload runs
  var resolvedSrc = {}; // src -> the uploaded image's attributes
  var failedSrc = {}; // src -> true: its figure is removed wherever it shows up again

  function megabytes(bytes) {
    return Math.round(bytes / 1048576) + " MB";
  }

  function upload(file, onProgress, onDone, onFail) {
    var data = new FormData();
    data.append("file", file, file.name || "upload");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", uploadUrl, true);
    xhr.setRequestHeader("X-CSRFToken", csrfToken);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        onProgress(Math.round((event.loaded / event.total) * 100));
      }
    });
    xhr.addEventListener("load", function () {
      var answer = parseJSON(xhr.responseText, null);
      if ((xhr.status === 201 || xhr.status === 200) && answer && answer.url) {
        onDone(answer);
      } else {
        onFail(answer && answer.error ? answer.error : "");
      }
    });
    xhr.addEventListener("error", function () {
      onFail("");
    });
    xhr.send(data);
  }

  function uploadStarted() {
    pendingUploads += 1;
    form.classList.add("is-uploading");
  }

  function uploadEnded() {
    pendingUploads = Math.max(0, pendingUploads - 1);
    form.classList.toggle("is-uploading", pendingUploads > 0);
  }

  function isImageFile(file) {
    return IMAGE_TYPES.indexOf(file.type) !== -1;
  }

  function fileExtension(file) {
    var name = (file.name || "").toLowerCase();
    return name.indexOf(".") === -1 ? "" : name.split(".").pop();
  }

  function isDocumentFile(file) {
    return FILE_TYPES.indexOf(fileExtension(file)) !== -1;
  }

  // One check for both kinds: the type, then the size, each refusal said in words.
  function acceptable(file, isKind, wrongKind, maxBytes, tooLarge) {
    if (!isKind(file)) {
      say(wrongKind, true);
      return false;
    }
    if (file.size > maxBytes) {
      say(t(tooLarge, { max: megabytes(maxBytes) }), true);
      return false;
    }
    return true;
  }

  function acceptableImage(file) {
    return acceptable(file, isImageFile, msg.notImage, maxImageBytes, "tooLarge");
  }

  function acceptableDocument(file) {
    return acceptable(file, isDocumentFile, msg.notDocument, maxFileBytes, "fileTooLarge");
  }

  // Every figure showing `src`: replaced by the uploaded image, or removed.
  function settleFigures(src) {
    if (!editor) {
      return;
    }
    var found = [];
    editor.state.doc.descendants(function (node, pos) {
      if (node.type.name === "figure") {
        if (node.attrs.src === src) {
          found.push({ node: node, pos: pos });
        }
        return false;
      }
      return !node.isTextblock;
    });
    if (!found.length) {
      return;
    }
    var tr = editor.state.tr;
    found.reverse().forEach(function (item) {
      if (resolvedSrc[src]) {
        tr.setNodeMarkup(item.pos, undefined, Object.assign({}, item.node.attrs, resolvedSrc[src]));
      } else {
        tr.delete(item.pos, item.pos + item.node.nodeSize);
      }
    });
    tr.setMeta("addToHistory", false);
    editor.view.dispatch(tr);
  }

  function uploadImage(src, file) {
    pendingSrc[src] = true;
    uploadStarted();
    say(msg.uploading, false);
    upload(
      file,
      function (percent) {
        say(msg.uploading + " " + percent + "%", false);
      },
      function (answer) {
        resolvedSrc[src] = {
          src: answer.url,
          width: dimension(answer.width),
          height: dimension(answer.height),
          srcset: srcsetValue(answer.srcset),
        };
        delete pendingSrc[src];
        uploadEnded();
        settleFigures(src);
        say(msg.uploaded, false);
        if (src.indexOf("blob:") === 0) {
          URL.revokeObjectURL(src);
        }
      },
      function (error) {
        failedSrc[src] = true;
        delete pendingSrc[src];
        uploadEnded();
        settleFigures(src);
        var base = src.indexOf("data:") === 0 ? msg.pastedImageFailed : msg.uploadFailed;
        say(base + " " + (error || ""), true);
      }
    );
  }

  function dataUrlToFile(url, index) {
    var match = /^data:(image\/(png|jpeg|gif|webp));base64,(.*)$/i.exec(url);
    if (!match) {
      return null;
    }
    try {
      var binary = atob(match[3]);
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i += 1) {
        bytes[i] = binary.charCodeAt(i);
      }
      var ext = match[2].toLowerCase() === "jpeg" ? "jpg" : match[2].toLowerCase();
      return new File([bytes], "anh-dan-" + index + "." + ext, { type: match[1].toLowerCase() });
    } catch (err) {
      return null;
    }
  }

  // Figures whose image is not uploaded yet (pasted data: images) start their upload; those
  // already answered (for instance brought back by undo) take their final attributes.
  function scanFigures() {
    if (!editor) {
      return;
    }
    var toSettle = [];
    var toUpload = [];
    editor.state.doc.descendants(function (node) {
      if (node.type.name === "figure") {
        var src = node.attrs.src || "";
        if (resolvedSrc[src] || failedSrc[src]) {
          toSettle.push(src);
        } else if (src.indexOf("data:") === 0 && !pendingSrc[src] && toUpload.indexOf(src) === -1) {
          toUpload.push(src);
        }
        return false;
      }
      return !node.isTextblock;
    });
    toSettle.forEach(settleFigures);
    toUpload.forEach(function (src, index) {
      var file = dataUrlToFile(src, index + 1);
      if (file && file.size <= maxImageBytes) {
        uploadImage(src, file);
      } else {
        failedSrc[src] = true;
        settleFigures(src);
        say(msg.pastedImageFailed + " " + (file ? t("tooLarge", { max: megabytes(maxImageBytes) }) : msg.notImage), true);
      }
    });
  }

  // Where a button's image or file goes: after a selected block or the figure being
  // captioned (never over it), else at the cursor (null).
  function insertionPoint() {
    var sel = editor.state.selection;
    if (sel instanceof T.NodeSelection) {
      return sel.to;
    }
    if (sel.$from.parent.type.name === "figure") {
      return sel.$from.after();
    }
    return null;
  }

  function insertImages(files, pos) {
    var figures = [];
    files.forEach(function (file) {
      if (!acceptableImage(file)) {
        return;
      }
      var src = URL.createObjectURL(file);
      figures.push({ src: src, file: file });
    });
    if (!figures.length) {
      return;
    }
    var content = figures.map(function (item) {
      return { type: "figure", attrs: { src: item.src } };
    });
    var chain = editor.chain().focus();
    if (typeof pos !== "number") {
      pos = insertionPoint();
    }
    if (typeof pos === "number") {
      chain.insertContentAt(pos, content);
    } else {
      chain.insertContent(content);
    }
    chain.run();
    figures.forEach(function (item) {
      uploadImage(item.src, item.file);
    });
  }

  // Where a dropped file's block goes once it has uploaded: mapped through every change.
  var tracked = [];

  function insertAttachment(file, pos) {
    if (!acceptableDocument(file)) {
      return;
    }
    var marker = typeof pos === "number" ? { pos: pos } : null;
    if (marker) {
      tracked.push(marker);
    }
    uploadStarted();
    say(msg.uploadingFile, false);
    upload(
      file,
      function (percent) {
        say(msg.uploadingFile + " " + percent + "%", false);
      },
      function (answer) {
        uploadEnded();
        var type = (answer.ext || fileExtension(file) || "").toLowerCase();
        var node = {
          type: "fileAttachment",
          attrs: {
            href: answer.url,
            name: plain(answer.name || file.name || ""),
            type: type,
            size: Number(answer.size) || file.size || 0,
          },
        };
        if (marker) {
          tracked.splice(tracked.indexOf(marker), 1);
          editor.chain().focus().insertContentAt(marker.pos, node).run();
        } else {
          var at = insertionPoint();
          if (typeof at === "number") {
            editor.chain().focus().insertContentAt(at, node).run();
          } else {
            editor.chain().focus().insertContent(node).run();
          }
        }
        say(msg.fileUploaded, false);
      },
      function (error) {
        uploadEnded();
        if (marker) {
          tracked.splice(tracked.indexOf(marker), 1);
        }
        say(msg.fileUploadFailed + " " + (error || ""), true);
      }
    );
  }

  function handleFiles(files, pos) {
    var images = files.filter(isImageFile);
    var documents = files.filter(function (file) {
      return !isImageFile(file);
    });
    if (images.length) {
      insertImages(images, pos);
    }
    documents.forEach(function (file) {
      insertAttachment(file, pos);
    });
  }

  function htmlHasText(html) {
    if (!html) {
      return false;
    }
    // Tags stripped as text (parsing would apply the page's CSP to pasted style attributes).
    var text = html
      .replace(/<(style|script|title)[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->/gi, "")
      .replace(/<[^>]*>/g, "")
      .replace(/&nbsp;|&#160;|&#xa0;/gi, " ");
    return Boolean(pyStrip(text));
  }

  function cleanPastedHTML(html) {
    var paste = window.BantinPaste;
    if (!paste || typeof paste.clean !== "function") {
      return html;
    }
    try {
      var result = paste.clean(html) || {};
      // Kept on screen (not the upload line, which the pasted images' uploads rewrite).
      if (pasteNotice) {
        pasteNotice.textContent = result.dropped > 0 ? t("pasteDropped", { n: result.dropped }) : "";
        pasteNotice.hidden = !(result.dropped > 0);
      }
      return typeof result.html === "string" ? result.html : html;
    } catch (err) {
      return html;
    }
  }

  // ================================================================ the editor

  var bodyInput = document.getElementById("body");
  var titleInput = document.getElementById("title");
  var leadInput = document.getElementById("lead");
  var versionInput = document.getElementById("version");

  var saveButton = document.getElementById("save-button");

  editor = new T.Editor({
    element: mount,
    injectCSS: false,
    // An article in the trash cannot be saved: it is shown, not edited.
    editable: !(saveButton && saveButton.disabled),
    content: bodyInput ? bodyInput.value : "",
    extensions: [
      X.Document,
      X.Paragraph,
      X.Text,
      Heading,
      Bold,
      Italic,
      Underline,
      Strike,
      Link,
      X.BulletList,
      OrderedList,
      X.ListItem,
      X.Blockquote,
      X.HorizontalRule,
      X.HardBreak,
      Table,
      X.TableRow,
      TableHeader,
      TableCell,
      Figure,
      FigureKeys,
      FileAttachment,
      Alignment,
      X.UndoRedo,
      X.Dropcursor.configure({ class: "drop-cursor", color: false, width: 3 }),
      X.Gapcursor,
      X.Placeholder.configure({ placeholder: msg.placeholder || "" }),
    ],
    editorProps: {
      attributes: {
        class: "editor-content",
        role: "textbox",
        "aria-multiline": "true",
        "aria-labelledby": "body-label",
        "aria-describedby": mount.getAttribute("data-describedby") || "body-hint",
        lang: mount.getAttribute("data-lang") || document.documentElement.lang || "vi",
        spellcheck: "true",
      },
      transformPastedHTML: cleanPastedHTML,
      // Pasted into an empty paragraph, the pasted blocks come in whole: the first keeps
      // its own kind and alignment instead of taking the empty paragraph's.
      transformPasted: function (slice, view) {
        var sel = view.state.selection;
        var parent = sel.$from.parent;
        if (
          slice.openStart > 0 &&
          sel.empty &&
          parent.type.name === "paragraph" &&
          parent.content.size === 0
        ) {
          return new T.Slice(slice.content, 0, slice.openEnd);
        }
        return slice;
      },
      handlePaste: function (view, event) {
        var data = event.clipboardData;
        if (!data || !data.files || !data.files.length) {
          return false;
        }
        var files = Array.prototype.slice.call(data.files).filter(function (file) {
          return isImageFile(file) || isDocumentFile(file);
        });
        if (!files.length || htmlHasText(data.getData("text/html"))) {
          return false; // a rich paste: its HTML wins, and its images go through the cleaner
        }
        event.preventDefault();
        handleFiles(files, null);
        return true;
      },
      handleDrop: function (view, event, slice, moved) {
        var data = event.dataTransfer;
        if (moved || !data || !data.files || !data.files.length) {
          return false;
        }
        event.preventDefault();
        var at = view.posAtCoords({ left: event.clientX, top: event.clientY });
        handleFiles(Array.prototype.slice.call(data.files), at ? at.pos : null);
        return true;
      },
    },
  });

  editor.on("transaction", function (props) {
    var tr = props.transaction;
    if (tr.docChanged) {
      tracked.forEach(function (marker) {
        marker.pos = tr.mapping.map(marker.pos);
      });
    }
    updateToolbar();
  });

  window.bantinEditor = editor;
  window.bantinBodyHTML = bodyHTML;

  // ================================================================ toolbar

  var toolbar = form.querySelector("[data-toolbar]");
  var blockSelect = form.querySelector("[data-block]");
  var tableTools = form.querySelector("[data-table-tools]");
  var linkPanel = form.querySelector("[data-link-panel]");
  var linkInput = document.getElementById("tb-link-url");
  var linkError = document.getElementById("tb-link-error");
  var imageInput = form.querySelector("[data-image-input]");
  var attachmentInput = form.querySelector("[data-attachment-input]");

  function run(name) {
    var chain = editor.chain().focus();
    switch (name) {
      case "bold":
        return chain.toggleBold().run();
      case "italic":
        return chain.toggleItalic().run();
      case "underline":
        return chain.toggleUnderline().run();
      case "strike":
        return chain.toggleStrike().run();
      case "bulletList":
        return chain.toggleBulletList().run();
      case "orderedList":
        return chain.toggleOrderedList().run();
      case "indent":
        return chain.sinkListItem("listItem").run();
      case "outdent":
        return chain.liftListItem("listItem").run();
      case "blockquote":
        return chain.toggleBlockquote().run();
      case "rule":
        return chain.setHorizontalRule().run();
      case "align-left":
        return chain.setAlignment(null).run();
      case "align-center":
        return chain.setAlignment("center").run();
      case "align-right":
        return chain.setAlignment("right").run();
      case "align-justify":
        return chain.setAlignment("justify").run();
      case "table":
        return chain.insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run();
      case "addRowAfter":
      case "deleteRow":
      case "addColumnAfter":
      case "deleteColumn":
      case "mergeCells":
      case "splitCell":
      case "toggleHeaderRow":
      case "deleteTable":
        return chain[name]().run();
      case "undo":
        return chain.undo().run();
      case "redo":
        return chain.redo().run();
      case "link":
        openLinkPanel();
        return true;
      case "image":
        if (imageInput) {
          imageInput.click();
        }
        return true;
      case "attachment":
        if (attachmentInput) {
          attachmentInput.click();
        }
        return true;
      default:
        return false;
    }
  }

  function can(name) {
    var c = editor.can();
    switch (name) {
      case "bold":
        return c.toggleBold();
      case "italic":
        return c.toggleItalic();
      case "underline":
        return c.toggleUnderline();
      case "strike":
        return c.toggleStrike();
      case "link":
        return c.setMark("link", { href: "https://example.org" });
      case "bulletList":
        return c.toggleBulletList();
      case "orderedList":
        return c.toggleOrderedList();
      case "blockquote":
        return c.toggleBlockquote();
      case "rule":
        return c.setHorizontalRule();
      case "table":
        return c.insertTable({ rows: 3, cols: 3, withHeaderRow: true });
      case "align-left":
      case "align-center":
      case "align-right":
      case "align-justify":
        return c.setAlignment(name === "align-left" ? null : name.slice(6));
      case "indent":
        return c.sinkListItem("listItem");
      case "outdent":
        return c.liftListItem("listItem");
      case "undo":
        return c.undo();
      case "redo":
        return c.redo();
      case "addRowAfter":
      case "deleteRow":
      case "addColumnAfter":
      case "deleteColumn":
      case "mergeCells":
      case "splitCell":
      case "toggleHeaderRow":
      case "deleteTable":
        return c[name]();
      default:
        return true;
    }
  }

  // The nearest node around the cursor whose type is one of `names`, or null.
  function around(names) {
    var $from = editor.state.selection.$from;
    for (var depth = $from.depth; depth >= 0; depth -= 1) {
      var node = $from.node(depth);
      if (names.indexOf(node.type.name) !== -1) {
        return node;
      }
    }
    return null;
  }

  function currentAlign() {
    var block = around(["paragraph", "heading"]);
    return (block && block.attrs.align) || "left";
  }

  function pressed(name) {
    switch (name) {
      case "bold":
      case "italic":
      case "underline":
      case "strike":
      case "link":
      case "bulletList":
      case "orderedList":
      case "blockquote":
        return editor.isActive(name);
      case "align-left":
      case "align-center":
      case "align-right":
      case "align-justify":
        return currentAlign() === name.slice(6);
      case "toggleHeaderRow":
        return isHeaderRow();
      default:
        return false;
    }
  }

  function isHeaderRow() {
    var table = around(["table"]);
    var first = table && table.firstChild;
    var all = Boolean(first && first.childCount > 0);
    if (first) {
      first.forEach(function (cell) {
        all = all && cell.type.name === "tableHeader";
      });
    }
    return all;
  }

  var toolbarFrame = 0;

  function updateToolbar() {
    if (toolbarFrame || !toolbar) {
      return;
    }
    toolbarFrame = window.requestAnimationFrame(function () {
      toolbarFrame = 0;
      Array.prototype.forEach.call(toolbar.querySelectorAll("[data-cmd]"), function (button) {
        var name = button.getAttribute("data-cmd");
        if (button.hasAttribute("aria-pressed")) {
          button.setAttribute("aria-pressed", pressed(name) ? "true" : "false");
        }
        button.disabled = !can(name);
      });
      var inTable = editor.isActive("table");
      if (tableTools) {
        tableTools.hidden = !inTable;
      }
      if (blockSelect) {
        var inFigure = editor.isActive("figure");
        blockSelect.disabled = inFigure;
        var level = null;
        [2, 3, 4].forEach(function (n) {
          if (editor.isActive("heading", { level: n })) {
            level = String(n);
          }
        });
        blockSelect.value = level || "p";
      }
    });
  }

  if (toolbar) {
    toolbar.hidden = false;
    // Buttons keep the editor's selection: no focus moves on mouse down.
    toolbar.addEventListener("mousedown", function (event) {
      var button = event.target.closest("[data-cmd]");
      if (button) {
        event.preventDefault();
      }
    });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("[data-cmd]");
      if (button && !button.disabled) {
        run(button.getAttribute("data-cmd"));
      }
    });
    // Arrow keys move between the toolbar's controls (Tab still reaches each of them).
    toolbar.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") {
        return;
      }
      if (event.target.closest("[data-link-panel]") || event.target.nodeName === "SELECT") {
        return;
      }
      var controls = Array.prototype.filter.call(toolbar.querySelectorAll("button, select"), function (el) {
        return !el.disabled && el.offsetParent !== null && !el.closest("[data-link-panel]");
      });
      var index = controls.indexOf(document.activeElement);
      if (index === -1) {
        return;
      }
      event.preventDefault();
      var next = controls[(index + (event.key === "ArrowRight" ? 1 : controls.length - 1)) % controls.length];
      next.focus();
    });
  }
  if (blockSelect) {
    blockSelect.addEventListener("change", function () {
      var value = blockSelect.value;
      var chain = editor.chain().focus();
      if (value === "p") {
        chain.setParagraph().run();
      } else {
        chain.setHeading({ level: Number(value) }).run();
      }
    });
  }
  if (imageInput) {
    imageInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(imageInput.files || []);
      imageInput.value = "";
      if (files.length) {
        insertImages(files, null);
      }
    });
  }
  if (attachmentInput) {
    attachmentInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(attachmentInput.files || []);
      attachmentInput.value = "";
      files.forEach(function (file) {
        insertAttachment(file, null);
      });
    });
  }

  // ---------------------------------------------------------------- the link field

  function openLinkPanel() {
    if (!linkPanel || !linkInput) {
      return;
    }
    linkPanel.hidden = false;
    linkError.textContent = "";
    linkInput.removeAttribute("aria-invalid");
    linkInput.value = editor.getAttributes("link").href || "";
    linkInput.focus();
    linkInput.select();
  }

  function closeLinkPanel() {
    if (linkPanel) {
      linkPanel.hidden = true;
    }
    editor.view.focus(); // at once (the focus command waits for the next frame)
  }

  function applyLink() {
    var typed = pyStrip(linkInput.value);
    if (!typed) {
      editor.chain().focus().extendMarkRange("link").unsetLink().run();
      closeLinkPanel();
      return;
    }
    if (/^[^\s/:#@]+\.[^\s/:#@]+/.test(typed) && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(typed)) {
      typed = "https://" + typed; // "example.org/…" typed without its scheme
    }
    var href = linkHref(typed);
    if (!href) {
      linkError.textContent = msg.linkInvalid || "";
      linkInput.setAttribute("aria-invalid", "true");
      linkInput.focus();
      return;
    }
    var sel = editor.state.selection;
    if (sel.empty && !editor.isActive("link")) {
      editor
        .chain()
        .focus()
        .insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href: href } }] })
        .run();
    } else {
      editor.chain().focus().extendMarkRange("link").setLink({ href: href }).run();
    }
    closeLinkPanel();
  }

  if (linkPanel) {
    linkPanel.querySelector("[data-link-apply]").addEventListener("click", applyLink);
    linkPanel.querySelector("[data-link-cancel]").addEventListener("click", closeLinkPanel);
    linkPanel.querySelector("[data-link-remove]").addEventListener("click", function () {
      editor.chain().focus().extendMarkRange("link").unsetLink().run();
      closeLinkPanel();
    });
    linkInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // not the article form's submit
        applyLink();
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeLinkPanel();
      }
    });
  }

  // ================================================================ cover image

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
      if (!file || !acceptableImage(file)) {
        coverFile.value = "";
        return;
      }
      uploadStarted();
      say(msg.uploading, false);
      upload(
        file,
        function (percent) {
          say(msg.uploading + " " + percent + "%", false);
        },
        function (answer) {
          uploadEnded();
          coverInput.value = answer.url;
          showCover(answer.url);
          coverFile.value = "";
          markDirty();
          say(msg.coverUploaded, false);
        },
        function (error) {
          uploadEnded();
          coverFile.value = "";
          say(msg.uploadFailed + " " + (error || ""), true);
        }
      );
    });
    coverInput.addEventListener("input", function () {
      showCover(pyStrip(coverInput.value));
    });
  }
  if (coverClear && coverInput) {
    coverClear.addEventListener("click", function () {
      coverInput.value = "";
      showCover("");
      markDirty();
    });
  }

  // ================================================================ never lose work

  var articleId = form.getAttribute("data-article-id") || "";
  var draftKey = form.getAttribute("data-draft-key");
  var autosaveUrl = form.getAttribute("data-autosave-url");
  var dirty = false;
  var submitting = false;
  var draftTimer = null;
  var syncTimer = null;

  function syncBody() {
    window.clearTimeout(syncTimer);
    syncTimer = null;
    if (bodyInput) {
      bodyInput.value = bodyHTML();
    }
  }

  function current() {
    return {
      title: titleInput ? titleInput.value : "",
      lead: leadInput ? leadInput.value : "",
      body: bodyInput ? bodyInput.value : "",
    };
  }

  function sameContent(a, b) {
    return Boolean(a && b) && a.title === b.title && a.lead === b.lead && a.body === b.body;
  }

  // The editor's own form of the stored body (equal to it for canonical HTML).
  syncBody();
  var lastAutosaved = current();

  function storeDraft(submitted) {
    var snapshot = current();
    snapshot.version = versionInput ? versionInput.value : "";
    snapshot.savedAt = Date.now();
    snapshot.submitted = Boolean(submitted);
    try {
      window.localStorage.setItem(draftKey, JSON.stringify(snapshot));
    } catch (err) {
      // Private mode or a full quota: the server autosave and the warning still protect the work.
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

  // Copies from before drafts were keyed by user (bantin-draft-new, bantin-draft-12) belong
  // to nobody in particular: a shared office computer must not offer them to the next person.
  try {
    for (var i = window.localStorage.length - 1; i >= 0; i -= 1) {
      var key = window.localStorage.key(i);
      if (key && /^bantin-draft-(new|[0-9]+)$/.test(key)) {
        window.localStorage.removeItem(key);
      }
    }
  } catch (err) {
    // no storage
  }

  function markDirty() {
    dirty = true;
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(function () {
      syncBody();
      storeDraft(false);
    }, 800);
  }

  editor.on("update", function (props) {
    if (!syncTimer) {
      syncTimer = window.setTimeout(syncBody, 250);
    }
    markDirty();
    var tr = props.transaction;
    if (tr && (tr.getMeta("paste") || tr.getMeta("uiEvent") === "drop" || tr.getMeta("uiEvent") === "paste")) {
      scanFigures();
    } else if (Object.keys(resolvedSrc).length || Object.keys(failedSrc).length) {
      scanFigures();
    }
  });
  form.addEventListener("input", function (event) {
    if (!mount.contains(event.target)) {
      markDirty();
    }
  });
  form.addEventListener("change", function (event) {
    if (!mount.contains(event.target)) {
      markDirty();
    }
  });

  // ---------------------------------------------------------------- autosave to the server

  function autosaveData() {
    var data = new FormData();
    var now = current();
    data.append("csrf_token", csrfToken);
    data.append("article_id", articleId);
    data.append("base_version", versionInput ? versionInput.value : "");
    data.append("title", now.title);
    data.append("lead", now.lead);
    data.append("body", now.body);
    return data;
  }

  function showAutosaved(label) {
    if (autosaveBox) {
      autosaveBox.textContent = t("autosaved", { time: label || "" });
      autosaveBox.classList.remove("is-error");
    }
  }

  function autosaveNow() {
    if (!autosaveUrl) {
      return Promise.resolve(null);
    }
    syncBody();
    var sent = current();
    return window
      .fetch(autosaveUrl, {
        method: "POST",
        body: autosaveData(),
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
      })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            throw new Error((answer && answer.error) || String(response.status));
          }
          if (answer.written !== false) {
            lastAutosaved = sent; // else (a write a moment ago) the next tick sends it again
          }
          showAutosaved(answer.saved_at_label);
          return answer;
        });
      })
      .catch(function () {
        if (autosaveBox) {
          autosaveBox.textContent = msg.autosaveFailed || "";
          autosaveBox.classList.add("is-error");
        }
        return null;
      });
  }

  function changedSinceAutosave() {
    syncBody();
    return !sameContent(current(), lastAutosaved);
  }

  window.bantinAutosaveNow = autosaveNow;

  if (autosaveUrl) {
    window.setInterval(function () {
      if (!submitting && pendingUploads === 0 && changedSinceAutosave()) {
        autosaveNow();
      }
    }, 30000);
    var beacon = function () {
      if (submitting || !navigator.sendBeacon || !changedSinceAutosave()) {
        return;
      }
      if (navigator.sendBeacon(autosaveUrl, autosaveData())) {
        lastAutosaved = current();
      }
    };
    window.addEventListener("pagehide", beacon);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        beacon();
      }
    });
  }

  // ---------------------------------------------------------------- recovery

  function loadContent(saved) {
    if (titleInput) {
      titleInput.value = saved.title || "";
    }
    if (leadInput) {
      leadInput.value = saved.lead || "";
    }
    editor.commands.setContent(saved.body || "", { emitUpdate: true });
    scanFigures();
    syncBody();
    markDirty();
  }

  var serverCopy = null;
  var restoreBox = document.getElementById("autosave-restore");
  if (restoreBox) {
    var dataBlock = document.getElementById("autosave-data");
    serverCopy = parseJSON(dataBlock ? dataBlock.textContent : "", null);
    var discardForm = restoreBox.querySelector("[data-autosave-discard-form]");
    restoreBox.querySelector("[data-autosave-restore]").addEventListener("click", function () {
      if (serverCopy) {
        loadContent(serverCopy);
        // Saved against the version the autosave was made from: if a colleague saved the
        // article since, the save shows the conflict instead of overwriting their work.
        if (versionInput && serverCopy.base_version) {
          versionInput.value = String(serverCopy.base_version);
        }
        say(msg.restored, false);
      }
      restoreBox.hidden = true;
      editor.commands.focus("start");
    });
    discardForm.addEventListener("submit", function (event) {
      event.preventDefault();
      window
        .fetch(discardForm.action, {
          method: "POST",
          body: new FormData(discardForm),
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken },
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          restoreBox.hidden = true;
          lastAutosaved = current();
        })
        .catch(function () {
          say(msg.discardFailed, true);
        });
    });
  }

  function offerDraft() {
    var draft = readDraft();
    if (!draft) {
      return;
    }
    if (draft.submitted || sameContent(draft, current()) || sameContent(draft, serverCopy)) {
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
      loadContent(draft);
      box.hidden = true;
    });
    box.querySelector("[data-draft-discard]").addEventListener("click", function () {
      dropDraft();
      box.hidden = true;
    });
  }
  offerDraft();

  // ---------------------------------------------------------------- saving

  function undescribedFigures() {
    var missing = [];
    editor.state.doc.descendants(function (node, pos) {
      if (node.type.name === "figure") {
        if (node.attrs.alt === null) {
          missing.push(pos);
        }
        return false;
      }
      return !node.isTextblock;
    });
    return missing;
  }

  function publishing() {
    var checked = form.querySelector('input[name="status"]:checked');
    return Boolean(checked) && checked.value === "published";
  }

  form.addEventListener("submit", function (event) {
    syncBody();
    if (pendingUploads > 0) {
      event.preventDefault();
      say(msg.stillUploading, true);
      return;
    }
    var missing = publishing() ? undescribedFigures() : [];
    if (missing.length) {
      event.preventDefault();
      showAlert(t("missingAlt", { n: missing.length }));
      var first = mount.querySelector(".editor-figure.is-missing-alt .figure-alt");
      if (first) {
        first.scrollIntoView({ block: "center" });
        first.focus();
      }
      return;
    }
    showAlert("");
    submitting = true;
    window.clearTimeout(draftTimer);
    // Kept until the next page: a failed save shows the typed values again anyway, and a
    // successful one makes this copy obsolete (it is dropped when the form loads).
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

  // Clicking the label puts the caret in the editor, like a field's label would.
  var bodyLabel = document.getElementById("body-label");
  if (bodyLabel) {
    bodyLabel.addEventListener("click", function () {
      editor.commands.focus();
    });
  }

  scanFigures();
  updateToolbar();
})();
