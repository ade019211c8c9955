/* Paste cleaner for the article editor.
 *
 * window.BantinPaste.clean(html) -> {html, dropped}
 *
 * Turns clipboard HTML from Word, LibreOffice Writer, Google Docs, Excel and web pages into the
 * article document's canonical HTML (docs/editor-schema.md): Word's mso-list paragraphs become
 * real nested lists, tables keep their rows, header row and merged cells, alignment becomes a
 * class, bold/italic/underline/strike become marks whatever way they were written, and
 * everything else (styles, classes, fonts, colours, Office junk) goes. Images are kept only
 * when the editor can keep them: `data:image/...` (the editor uploads them) and this site's
 * /uploads/ images; every other image is removed and counted in `dropped`.
 *
 * The HTML is parsed with DOMParser into a detached document: nothing in it runs or loads.
 * The server's sanitiser (bantin/sanitize.py) still runs on save and is the security
 * boundary; this cleaner only gets the structure right. Its output is the canonical form the
 * server writes (apart from data: images, which the editor replaces by uploads), and cleaning
 * its output again returns it unchanged.
 *
 * Plain ES2019, no dependencies, no build step.
 */
(function () {
  "use strict";

  // Removed together with everything inside them.
  var DROP = toSet(
    "script style template title noscript iframe frame frameset object embed applet svg math " +
      "xml textarea select option optgroup datalist input button noembed noframes head meta " +
      "link base canvas audio video source track map area param dialog colgroup col wbr"
  );
  // Office's namespaced elements removed with their content (VML shapes, o:p paragraph
  // marks, equations); other prefixes (w:sdt content controls, st1: smart tags) keep text.
  var DROP_PREFIXES = toSet("v o m");
  // Elements read as a block boundary around their content.
  var CONTAINERS = toSet(
    "div section article header footer main aside nav address center dl dt dd details " +
      "summary fieldset legend hgroup form menu dir li tr td th thead tbody tfoot caption " +
      "figcaption body html"
  );
  var HEADINGS = { h1: "h2", h2: "h2", h3: "h3", h4: "h4", h5: "h4", h6: "h4" };
  // Word's paragraph styles that are headings.
  var WORD_HEADINGS = { msotitle: "h2", msosubtitle: "h3" };
  // Word's conditional blocks whose content is only for old browsers: a doubled line break,
  // a zero-height row of misaligned columns, comment anchors.
  var SKIPPED_CONDITIONS =
    /^\[if !(supportLineBreakNewLine|supportMisalignedColumns|supportAnnotations)\]$/i;
  var WS = /[ \t\n\r\f\u00a0]+/g;
  var CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/g;
  var UPLOAD_PATH = /^\/uploads\/[A-Za-z0-9._~\/-]+$/;
  var DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|bmp);base64,[A-Za-z0-9+\/=\s]+$/i;
  var MAX_DIMENSION = 10000;
  var MAX_SPAN = 100;
  var NO_MARKS = { link: "", strong: false, em: false, u: false, s: false };

  var state = null; // per clean() call: {dropped, classes, lists}

  function toSet(words) {
    var set = Object.create(null);
    words.split(/\s+/).forEach(function (word) {
      if (word) {
        set[word] = true;
      }
    });
    return set;
  }

  function derive(base, changes) {
    return Object.assign({}, base, changes);
  }

  // ------------------------------------------------------------------ styles

  function parseDeclarations(text) {
    var decls = Object.create(null);
    String(text || "")
      .split(";")
      .forEach(function (part) {
        var colon = part.indexOf(":");
        if (colon > 0) {
          var name = part.slice(0, colon).trim().toLowerCase();
          var value = part
            .slice(colon + 1)
            .replace(/!\s*important\s*$/i, "")
            .trim();
          if (name) {
            decls[name] = value;
          }
        }
      });
    return decls;
  }

  // Class rules of the clipboard's own style sheets (Excel puts a header row's bold, and Word
  // a title's centring, in `.xl65 {font-weight:700}` and `p.MsoTitle {text-align:center}`),
  // and Word's list definitions (`@list l0:level1 {mso-level-number-format:bullet}`).
  function readStyleSheets(sheets) {
    var classes = Object.create(null);
    var lists = Object.create(null);
    for (var i = 0; i < sheets.length; i++) {
      var css = sheets[i].replace(/\/\*[\s\S]*?\*\//g, "").replace(/<!--|-->/g, " ");
      var rule = /([^{}]+)\{([^{}]*)\}/g;
      var match;
      while ((match = rule.exec(css))) {
        var decls = parseDeclarations(match[2]);
        match[1].split(",").forEach(addSelector.bind(null, decls));
      }
    }

    function addSelector(decls, selector) {
      selector = selector.trim();
      var list = /^@list\s+(l\d+):(level\d+)$/i.exec(selector);
      if (list) {
        lists[(list[1] + ":" + list[2]).toLowerCase()] = decls;
        return;
      }
      var simple = /^([a-z][a-z0-9]*)?\.([-\w]+)$/i.exec(selector);
      if (simple) {
        var key = simple[2].toLowerCase();
        (classes[key] = classes[key] || []).push({
          tag: simple[1] ? simple[1].toLowerCase() : null,
          decls: decls,
        });
      }
    }

    return { classes: classes, lists: lists };
  }

  // Only these properties are taken from class rules; an inline style overrides them.
  var CLASS_PROPERTIES = ["font", "font-weight", "font-style", "text-align", "mso-list", "display"];

  function declarationsOf(el, name) {
    var decls = Object.create(null);
    var classAttr = el.getAttribute("class");
    if (classAttr) {
      classAttr
        .toLowerCase()
        .split(/\s+/)
        .forEach(function (token) {
          var rules = state.classes[token];
          if (!rules) {
            return;
          }
          rules.forEach(function (rule) {
            if (rule.tag && rule.tag !== name) {
              return;
            }
            CLASS_PROPERTIES.forEach(function (prop) {
              if (rule.decls[prop] !== undefined) {
                decls[prop] = rule.decls[prop];
              }
            });
          });
        });
    }
    var inline = parseDeclarations(el.getAttribute(STYLE));
    Object.keys(inline).forEach(function (prop) {
      decls[prop] = inline[prop];
    });
    return decls;
  }

  function marksOf(base, name, decls, el) {
    var marks = derive(base, {});
    if (name === "b" && /^docs-internal-guid/.test(el.getAttribute("id") || "")) {
      return marks; // Google Docs wraps the whole paste in a <b> that is not bold
    }
    if (name === "b" || name === "strong") {
      marks.strong = true;
    } else if (name === "i" || name === "em") {
      marks.em = true;
    } else if (name === "u" || name === "ins") {
      marks.u = true;
    } else if (name === "s" || name === "strike" || name === "del") {
      marks.s = true;
    }
    var weight = (decls["font-weight"] || "").toLowerCase();
    if (weight) {
      var number = parseInt(weight, 10);
      if (weight === "bold" || weight === "bolder" || number >= 600) {
        marks.strong = true;
      } else if (weight === "normal" || weight === "lighter" || number > 0) {
        marks.strong = false;
      }
    }
    // The `font` shorthand (Apple's and some web pages' styles) can only add here: a
    // shorthand without a weight would reset it, but nobody writes bold that way round.
    var font = (decls.font || "").toLowerCase();
    if (/(^|\s)(bold|bolder|[6-9]00)\s/.test(font)) {
      marks.strong = true;
    }
    if (/(^|\s)(italic|oblique)\s/.test(font)) {
      marks.em = true;
    }
    var style = (decls["font-style"] || "").toLowerCase();
    if (style) {
      marks.em = /^(italic|oblique)/.test(style);
    }
    // Decorations add to the ones around them (CSS draws both), so `none` removes nothing.
    var decoration = (decls["text-decoration"] || "") + " " + (decls["text-decoration-line"] || "");
    if (/underline/i.test(decoration)) {
      marks.u = true;
    }
    if (/line-through/i.test(decoration)) {
      marks.s = true;
    }
    return marks;
  }

  var ALIGNMENTS = {
    center: "text-center",
    "-webkit-center": "text-center",
    right: "text-right",
    end: "text-right",
    "-webkit-right": "text-right",
    justify: "text-justify",
    left: "",
    start: "",
    "-webkit-left": "",
  };

  // "text-center" etc., "" for an explicit left, undefined when the element says nothing.
  function alignmentOf(el, decls) {
    var value = decls["text-align"];
    if (value !== undefined && ALIGNMENTS[value.toLowerCase()] !== undefined) {
      return ALIGNMENTS[value.toLowerCase()];
    }
    value = el.getAttribute("align");
    if (value !== null && ALIGNMENTS[value.trim().toLowerCase()] !== undefined) {
      return ALIGNMENTS[value.trim().toLowerCase()];
    }
    var classes = " " + (el.getAttribute("class") || "") + " ";
    var own = /\s(text-center|text-right|text-justify)\s/.exec(classes);
    return own ? own[1] : undefined;
  }

  function isHidden(el, decls) {
    return (
      el.hasAttribute("hidden") ||
      /^none\b/i.test(decls.display || "") ||
      /^(all|screen)\b/i.test(decls["mso-hide"] || "")
    );
  }

  // ------------------------------------------------------------------ values

  function collapse(text) {
    return String(text).replace(WS, " ").trim().normalize("NFC");
  }

  function linkHref(raw) {
    if (raw === null) {
      return "";
    }
    var href = raw.replace(/[\t\n\r]/g, "").trim().replace(/ /g, "%20");
    if (!href || /[\\\u0000-\u001f]/.test(href)) {
      return "";
    }
    if (href.charAt(0) === "/") {
      return href.charAt(1) === "/" ? "" : href;
    }
    if (/^https?:\/\/[^\/?#]/i.test(href) || /^mailto:./i.test(href)) {
      return href;
    }
    return ""; // in-page anchors (Word's bookmarks and footnotes), javascript:, file: ...
  }

  function uploadPath(src) {
    var path = null;
    if (src.charAt(0) === "/" && src.charAt(1) !== "/") {
      path = src;
    } else {
      try {
        var url = new URL(src);
        if (url.origin === window.location.origin) {
          path = url.pathname;
        }
      } catch (error) {
        return null;
      }
    }
    if (path && UPLOAD_PATH.test(path) && path.indexOf("..") < 0 && path.indexOf("//") < 0) {
      return path;
    }
    return null;
  }

  function dimension(value) {
    if (value && /^\d+$/.test(value.trim())) {
      var number = parseInt(value, 10);
      if (number > 0 && number <= MAX_DIMENSION) {
        return String(number);
      }
    }
    return null;
  }

  function span(value) {
    var number = value && /^\s*\d+\s*$/.test(value) ? parseInt(value, 10) : 1;
    return Math.max(1, Math.min(number, MAX_SPAN));
  }

  function srcset(value) {
    if (!value) {
      return null;
    }
    var entries = [];
    value.split(",").forEach(function (part) {
      var match = /^(\S+)\s+([1-9][0-9]{0,4})w$/.exec(part.trim());
      if (match && uploadPath(match[1]) === match[1]) {
        entries.push(match[1] + " " + parseInt(match[2], 10) + "w");
      }
    });
    return entries.length ? entries.join(", ") : null;
  }

  // A figure for an image the editor can keep, or null (and the image is counted as dropped).
  function figureFor(img) {
    var src = (img.getAttribute("src") || "").trim();
    var figure = { kind: "figure", src: null, alt: null, width: null, height: null };
    figure.srcset = null;
    figure.caption = "";
    if (DATA_IMAGE.test(src)) {
      figure.src = src.replace(/\s+/g, ""); // the editor uploads it and replaces the src
    } else {
      figure.src = uploadPath(src);
      figure.srcset = figure.src ? srcset(img.getAttribute("srcset")) : null;
    }
    if (!figure.src) {
      var width = parseInt(img.getAttribute("width"), 10);
      var height = parseInt(img.getAttribute("height"), 10);
      // Counted for the editor's notice, except tracking pixels (nobody saw them).
      if (!(width <= 2 && height <= 2)) {
        state.dropped += 1;
      }
      return null;
    }
    var alt = img.getAttribute("alt");
    figure.alt = alt === null ? null : collapse(alt);
    figure.width = dimension(img.getAttribute("width"));
    figure.height = dimension(img.getAttribute("height"));
    return figure;
  }

  // ------------------------------------------------------------------ reading

  function Blocks() {
    this.blocks = [];
    this.open = null;
  }

  Blocks.prototype.textblock = function (ctx) {
    if (!this.open) {
      this.open = { kind: "text", tag: ctx.tag || "p", align: ctx.align || "", runs: [] };
      this.blocks.push(this.open);
    }
    return this.open;
  };

  Blocks.prototype.close = function () {
    this.open = null;
  };

  Blocks.prototype.block = function (block) {
    this.open = null;
    this.blocks.push(block);
  };

  // The next sibling to read, jumping over Word's conditional blocks for old browsers.
  function nextNode(node) {
    if (node.nodeType === 8 && SKIPPED_CONDITIONS.test(node.data.trim())) {
      var end = node.nextSibling;
      while (end && !(end.nodeType === 8 && /^\[endif\]$/i.test(end.data.trim()))) {
        end = end.nextSibling;
      }
      return end ? end.nextSibling : null;
    }
    return node.nextSibling;
  }

  function readChildren(parent, ctx, out) {
    var node = parent.firstChild;
    while (node) {
      if (node.nodeType === 3) {
        readText(node.data, ctx, out);
      } else if (node.nodeType === 1) {
        if (wordListItem(node)) {
          node = readWordLists(node, ctx, out);
          continue;
        }
        readElement(node, ctx, out);
      }
      node = nextNode(node);
    }
  }

  function readText(text, ctx, out) {
    text = text.replace(CONTROL, "");
    if (!out.open && !text.replace(WS, "")) {
      return; // white space between blocks
    }
    if (ctx.pre) {
      text.split("\n").forEach(function (line, index) {
        if (index > 0) {
          out.textblock(ctx).runs.push({ br: true, marks: ctx.marks });
        }
        if (line) {
          out.textblock(ctx).runs.push({ text: line, marks: ctx.marks });
        }
      });
      return;
    }
    out.textblock(ctx).runs.push({ text: text, marks: ctx.marks });
  }

  function readElement(el, ctx, out) {
    var name = el.localName.toLowerCase();
    var colon = name.indexOf(":");
    if (colon > 0) {
      if (!DROP_PREFIXES[name.slice(0, colon)]) {
        readChildren(el, ctx, out);
      }
      return;
    }
    if (DROP[name]) {
      return;
    }
    var decls = declarationsOf(el, name);
    if (isHidden(el, decls)) {
      return;
    }
    var marks = marksOf(ctx.marks, name, decls, el);
    var inner = derive(ctx, { marks: marks });
    if (/vglayout/i.test(decls["mso-ignore"] || "")) {
      inner.flat = true; // Word's layout table around a floating image: not a real table
    }
    var align = alignmentOf(el, decls);
    if (name === "center" && align === undefined) {
      align = "text-center";
    }

    if (name === "br") {
      if (!/Apple-interchange-newline/.test(el.getAttribute("class") || "")) {
        out.textblock(ctx).runs.push({ br: true, marks: ctx.marks });
      }
    } else if (name === "img") {
      var figure = figureFor(el);
      if (figure) {
        out.block(figure);
      }
    } else if (name === "a") {
      var href = linkHref(el.getAttribute("href"));
      readChildren(el, href ? derive(inner, { marks: derive(marks, { link: href }) }) : inner, out);
    } else if (name === "p" || HEADINGS[name] || name === "pre") {
      var tag = HEADINGS[name] || wordHeading(el) || "p";
      readTextblock(el, derive(inner, { tag: tag, pre: name === "pre" }), align, out);
    } else if ((name === "ul" || name === "ol") && !ctx.flat) {
      out.block(readList(el, inner));
    } else if (name === "table" && !ctx.flat) {
      readTable(el, inner, out);
    } else if (name === "blockquote") {
      var quote = new Blocks();
      readChildren(el, derive(inner, { tag: null, align: blockAlign(align, ctx) }), quote);
      out.block({ kind: "quote", blocks: quote.blocks });
    } else if (name === "hr") {
      out.block({ kind: "hr" });
    } else if (name === "figure") {
      readFigure(el, inner, out);
    } else if (CONTAINERS[name] || name === "table" || name === "ul" || name === "ol") {
      out.close();
      readChildren(el, derive(inner, { align: blockAlign(align, ctx) }), out);
      out.close();
    } else {
      readChildren(el, inner, out); // inline: span, font, sup, label, ...
    }
  }

  function blockAlign(own, ctx) {
    return own === undefined ? ctx.align : own;
  }

  function wordHeading(el) {
    var classes = (el.getAttribute("class") || "").toLowerCase().split(/\s+/);
    for (var i = 0; i < classes.length; i++) {
      if (WORD_HEADINGS[classes[i]]) {
        return WORD_HEADINGS[classes[i]];
      }
    }
    return null;
  }

  function readTextblock(el, ctx, align, out) {
    out.close();
    readChildren(el, derive(ctx, { align: blockAlign(align, ctx) }), out);
    out.close();
  }

  function readFigure(el, ctx, out) {
    var images = el.querySelectorAll("img");
    if (!images.length) {
      out.close();
      readChildren(el, ctx, out);
      out.close();
      return;
    }
    var captions = el.querySelectorAll("figcaption");
    var caption = collapse(
      Array.prototype.map
        .call(captions, function (c) {
          return c.textContent;
        })
        .join(" ")
    );
    var figures = [];
    Array.prototype.forEach.call(images, function (img) {
      var figure = figureFor(img);
      if (figure) {
        figures.push(figure);
      }
    });
    if (figures.length) {
      figures[0].caption = caption;
      figures.forEach(function (figure) {
        out.block(figure);
      });
    } else if (caption) {
      out.block({ kind: "text", tag: "p", align: "", runs: [{ text: caption, marks: NO_MARKS }] });
    }
  }

  // -------------------------------------------------------------- lists

  function listItem(blocks, level, ordered) {
    return { blocks: blocks, level: level, ordered: ordered };
  }

  // Items with levels (Word's mso-list levels, Google Docs' aria-level) -> one nested list.
  function nestItems(items) {
    var root = null;
    var stack = [];
    items.forEach(function (item) {
      if (!root) {
        root = { kind: "list", tag: item.ordered ? "ol" : "ul", items: [] };
        stack.push({ list: root, level: item.level });
      }
      while (stack.length > 1 && stack[stack.length - 1].level > item.level) {
        stack.pop();
      }
      var top = stack[stack.length - 1];
      if (item.level > top.level) {
        var parentItems = top.list.items;
        if (!parentItems.length) {
          parentItems.push([]);
        }
        var nested = { kind: "list", tag: item.ordered ? "ol" : "ul", items: [] };
        parentItems[parentItems.length - 1].push(nested);
        stack.push({ list: nested, level: item.level });
        top = stack[stack.length - 1];
      }
      top.list.items.push(item.blocks);
    });
    return root;
  }

  function readList(el, ctx) {
    var list = { kind: "list", tag: el.localName.toLowerCase(), items: [] };
    var levels = [];
    var nestedLists = false;
    var itemCtx = derive(ctx, { tag: null });
    var node = el.firstChild;
    while (node) {
      var blocks = new Blocks();
      if (node.nodeType === 1) {
        var name = node.localName.toLowerCase();
        if (name === "li") {
          var decls = declarationsOf(node, name);
          if (!isHidden(node, decls)) {
            var itemMarks = marksOf(ctx.marks, name, decls, node);
            var align = blockAlign(alignmentOf(node, decls), ctx);
            readChildren(node, derive(itemCtx, { marks: itemMarks, align: align }), blocks);
            list.items.push(blocks.blocks);
            levels.push(parseInt(node.getAttribute("aria-level"), 10) || 0);
          }
        } else if (name === "ul" || name === "ol") {
          // Google Docs and LibreOffice put a nested list directly in its parent list.
          nestedLists = true;
          var nested = readList(node, ctx);
          if (list.items.length) {
            list.items[list.items.length - 1].push(nested);
          } else {
            list.items.push([nested]);
            levels.push(0);
          }
        } else {
          readElement(node, itemCtx, blocks);
          if (blocks.blocks.length) {
            list.items.push(blocks.blocks);
            levels.push(0);
          }
        }
      } else if (node.nodeType === 3 && node.data.replace(WS, "")) {
        readText(node.data, itemCtx, blocks);
        list.items.push(blocks.blocks);
        levels.push(0);
      }
      node = nextNode(node);
    }
    // A flat list whose items say their depth in aria-level.
    var flatLevels =
      !nestedLists &&
      levels.length > 1 &&
      levels.every(function (level) {
        return level > 0;
      }) &&
      levels.some(function (level) {
        return level !== levels[0];
      });
    if (flatLevels) {
      var ordered = list.tag === "ol";
      return nestItems(
        list.items.map(function (blocks, index) {
          return listItem(blocks, levels[index], ordered);
        })
      );
    }
    return list;
  }

  // Word: {id, level} of a list paragraph (`mso-list:l0 level2 lfo1`), or null.
  function wordListItem(el) {
    if (el.localName.toLowerCase() !== "p") {
      return null;
    }
    var decls = declarationsOf(el, "p");
    var match = /\bl(\d+)\s+level(\d+)(?:\s+lfo(\d+))?/i.exec(decls["mso-list"] || "");
    if (!match || isHidden(el, decls)) {
      return null;
    }
    return { id: "l" + match[1] + " lfo" + (match[3] || ""), list: "l" + match[1], level: +match[2] };
  }

  // An indented "List Paragraph" without a number: Word's way of a second paragraph in an item.
  function isWordContinuation(el) {
    return (
      el.localName.toLowerCase() === "p" &&
      /(^|\s)MsoListParagraph/i.test(el.getAttribute("class") || "") &&
      !/mso-list/i.test(el.getAttribute(STYLE) || "") &&
      !isHidden(el, declarationsOf(el, "p"))
    );
  }

  function isMarkerSpan(el) {
    return /mso-list\s*:\s*ignore/i.test(el.getAttribute(STYLE) || "");
  }

  // "1." "a)" "iv." "(2)" "1.2." -> numbered; "·" "o" "§" "-" "" -> bullets.
  function isOrderedMarker(marker) {
    return /^\(?(\d+|[a-z]|[ivxlcdm]+)((\.|\))(\d+|[a-z])?)*\.?\)?$/i.test(marker) && /[.)]/.test(marker);
  }

  function wordListIsOrdered(info, marker) {
    if (marker) {
      return isOrderedMarker(marker);
    }
    var level = state.lists[(info.list + ":level" + info.level).toLowerCase()];
    if (!level) {
      return false;
    }
    var format = (level["mso-level-number-format"] || "").toLowerCase();
    return format !== "bullet" && format !== "image" && format !== "none";
  }

  // Reads a run of Word list paragraphs from `first`; returns the node after them.
  function readWordLists(first, ctx, out) {
    var items = [];
    var node = first;
    var after = first.nextSibling;
    while (node) {
      if (node.nodeType === 1) {
        var info = wordListItem(node);
        if (info) {
          items.push({ info: info, el: node });
        } else if (isWordContinuation(node)) {
          items.push({ info: null, el: node }); // more text of the item above
        } else {
          break;
        }
        after = nextNode(node);
      } else if (node.nodeType === 3 ? node.data.replace(WS, "") : node.nodeType !== 8) {
        break;
      }
      node = nextNode(node);
    }
    out.close();
    var group = [];
    var id = null;
    items.forEach(function (item) {
      if (!item.info) {
        var blocks = new Blocks();
        readTextblock(item.el, derive(ctx, { tag: "p" }), undefined, blocks);
        var last = group[group.length - 1];
        last.blocks = last.blocks.concat(blocks.blocks);
        return;
      }
      if (group.length && item.info.id !== id) {
        out.block(nestItems(group));
        group = [];
      }
      id = item.info.id;
      group.push(wordListEntry(item, ctx));
    });
    if (group.length) {
      out.block(nestItems(group));
    }
    return after;
  }

  function wordListEntry(item, ctx) {
    var el = item.el;
    var markers = Array.prototype.filter.call(el.querySelectorAll("span"), isMarkerSpan);
    var marker = markers.length ? collapse(markers[0].textContent) : "";
    markers.forEach(function (span) {
      if (span.parentNode) {
        span.parentNode.removeChild(span);
      }
    });
    var decls = declarationsOf(el, "p");
    var blocks = new Blocks();
    var inner = derive(ctx, {
      tag: "p",
      marks: marksOf(ctx.marks, "p", decls, el),
      align: blockAlign(alignmentOf(el, decls), ctx),
    });
    readChildren(el, inner, blocks);
    return listItem(blocks.blocks, item.info.level, wordListIsOrdered(item.info, marker));
  }

  // -------------------------------------------------------------- tables

  function readTable(el, ctx, out) {
    var rows = [];
    var footer = [];
    var captions = [];

    function addRow(tr, target) {
      var decls = declarationsOf(tr, "tr");
      if (isHidden(tr, decls)) {
        return;
      }
      // Word's zero-height row of empty cells that only fixes misaligned column widths.
      if (tr.getAttribute("height") === "0" && !tr.textContent.replace(WS, "")) {
        return;
      }
      var cells = [];
      var node = tr.firstChild;
      while (node) {
        if (node.nodeType === 1 && /^t[dh]$/.test(node.localName.toLowerCase())) {
          cells.push(readCell(node));
        }
        node = nextNode(node);
      }
      if (cells.length) {
        target.push(cells);
      }
    }

    var node = el.firstChild;
    while (node) {
      if (node.nodeType === 1) {
        var name = node.localName.toLowerCase();
        if (name === "caption") {
          captions.push(node);
        } else if (name === "tr") {
          addRow(node, rows);
        } else if (name === "thead" || name === "tbody" || name === "tfoot") {
          var target = name === "tfoot" ? footer : rows;
          var tr = node.firstChild;
          while (tr) {
            if (tr.nodeType === 1 && tr.localName.toLowerCase() === "tr") {
              addRow(tr, target);
            }
            tr = nextNode(tr);
          }
        }
      }
      node = nextNode(node);
    }
    captions.forEach(function (caption) {
      readTextblock(caption, derive(ctx, { tag: "p" }), undefined, out);
    });
    rows = rows.concat(footer);
    if (rows.length) {
      out.block({ kind: "table", rows: rows });
    }
  }

  function readCell(td) {
    var name = td.localName.toLowerCase();
    var decls = declarationsOf(td, name);
    // Office documents are in quirks mode: fonts and alignment do not flow into tables.
    var ctx = {
      marks: marksOf(NO_MARKS, name, decls, td),
      align: alignmentOf(td, decls) || "",
      tag: null,
      pre: false,
      flat: false,
    };
    var blocks = new Blocks();
    if (!isHidden(td, decls)) {
      readChildren(td, ctx, blocks);
    }
    return {
      header: name === "th",
      colspan: span(td.getAttribute("colspan")),
      rowspan: span(td.getAttribute("rowspan")),
      blocks: blocks.blocks,
    };
  }

  // -------------------------------------------------------------- normalising

  function sameMarks(a, b) {
    return a.link === b.link && a.strong === b.strong && a.em === b.em && a.u === b.u && a.s === b.s;
  }

  function commonMarks(a, b) {
    return {
      link: a.link === b.link ? a.link : "",
      strong: a.strong && b.strong,
      em: a.em && b.em,
      u: a.u && b.u,
      s: a.s && b.s,
    };
  }

  function endsWithSpace(run) {
    return run.br || / $/.test(run.text);
  }

  // ProseMirror's white-space rules; breaks at the edges and spaces before breaks go; a space
  // between two runs takes the marks they share; adjacent runs with the same marks merge.
  function normaliseRuns(runs) {
    var out = [];
    runs.forEach(function (run) {
      if (run.marks.link && run.marks.u) {
        run = derive(run, { marks: derive(run.marks, { u: false }) }); // a link's own underline
      }
      if (run.br) {
        trimSpace(out);
        if (out.length) {
          out.push({ br: true, marks: run.marks });
        }
        return;
      }
      var text = run.text.replace(CONTROL, "").replace(WS, " ");
      var previous = out[out.length - 1];
      if (text.charAt(0) === " " && (!previous || endsWithSpace(previous))) {
        text = text.slice(1);
      }
      if (text) {
        out.push({ text: text, marks: run.marks });
      }
    });
    trimEnd(out);
    for (var i = 1; i < out.length - 1; i++) {
      if (out[i].text === " " && !out[i - 1].br && !out[i + 1].br) {
        out[i] = { text: " ", marks: commonMarks(out[i - 1].marks, out[i + 1].marks) };
      }
    }
    var merged = [];
    out.forEach(function (run) {
      var last = merged[merged.length - 1];
      if (last && !last.br && !run.br && sameMarks(last.marks, run.marks)) {
        last.text += run.text;
      } else {
        merged.push(run.br ? run : { text: run.text, marks: run.marks });
      }
    });
    merged.forEach(function (run) {
      if (!run.br) {
        run.text = run.text.normalize("NFC");
      }
    });
    return merged;
  }

  function trimSpace(runs) {
    var last = runs[runs.length - 1];
    while (last && !last.br && / $/.test(last.text)) {
      last.text = last.text.replace(/ +$/, "");
      if (!last.text) {
        runs.pop();
        last = runs[runs.length - 1];
      }
    }
  }

  function trimEnd(runs) {
    while (runs.length) {
      var last = runs[runs.length - 1];
      if (last.br) {
        runs.pop();
      } else if (/ $/.test(last.text)) {
        last.text = last.text.replace(/ +$/, "");
        if (!last.text) {
          runs.pop();
        }
      } else {
        break;
      }
    }
  }

  // Two breaks in a row end a paragraph (web pages and e-mails write paragraphs that way).
  function splitParagraphs(block) {
    var pieces = [[]];
    block.runs.forEach(function (run, index) {
      var next = block.runs[index + 1];
      var previous = block.runs[index - 1];
      if (run.br && ((next && next.br) || (previous && previous.br))) {
        if (pieces[pieces.length - 1].length) {
          pieces.push([]);
        }
        return;
      }
      pieces[pieces.length - 1].push(run);
    });
    return pieces
      .map(function (runs) {
        return { kind: "text", tag: block.tag, align: block.align, runs: normaliseRuns(runs) };
      })
      .filter(function (piece) {
        return piece.runs.length;
      });
  }

  function emptyParagraph() {
    return { kind: "text", tag: "p", align: "", runs: [] };
  }

  function normaliseBlocks(blocks, container) {
    var out = [];
    blocks.forEach(function (block) {
      if (block.kind === "text") {
        if (block.tag !== "p") {
          stripBold([block]); // a heading is bold already
        }
        block.runs = normaliseRuns(block.runs);
        splitParagraphs(block).forEach(function (piece) {
          out.push(piece);
        });
      } else if (block.kind === "list") {
        block.items = block.items
          .map(function (item) {
            return normaliseBlocks(item, "item");
          })
          .filter(function (item) {
            return item.length;
          });
        if (block.items.length) {
          out.push(block);
        }
      } else if (block.kind === "quote") {
        block.blocks = normaliseBlocks(block.blocks, "quote");
        if (block.blocks.length) {
          out.push(block);
        }
      } else if (block.kind === "table") {
        block.rows.forEach(function (row) {
          row.forEach(function (cell) {
            cell.blocks = normaliseBlocks(cell.blocks, "cell");
            if (!cell.blocks.length) {
              cell.blocks.push(emptyParagraph());
            }
          });
        });
        promoteHeaderRow(block.rows);
        repairTable(block.rows);
        out.push(block);
      } else {
        out.push(block);
      }
    });
    if (container === "item" && out.length && !(out[0].kind === "text" && out[0].tag === "p")) {
      if (out[0].kind === "text") {
        out[0] = { kind: "text", tag: "p", align: out[0].align, runs: out[0].runs };
      } else {
        out.unshift(emptyParagraph()); // a list item starts with a paragraph, even empty
      }
    }
    return out;
  }

  function cellTextRuns(cell) {
    var runs = [];
    (function collect(blocks) {
      blocks.forEach(function (block) {
        if (block.kind === "text") {
          block.runs.forEach(function (run) {
            if (!run.br && run.text.trim()) {
              runs.push(run);
            }
          });
        } else if (block.kind === "list") {
          block.items.forEach(collect);
        } else if (block.kind === "quote") {
          collect(block.blocks);
        }
      });
    })(cell.blocks);
    return runs;
  }

  function stripBold(blocks) {
    blocks.forEach(function (block) {
      if (block.kind === "text") {
        block.runs.forEach(function (run) {
          run.marks = derive(run.marks, { strong: false });
        });
        block.runs = normaliseRuns(block.runs);
      } else if (block.kind === "list") {
        block.items.forEach(stripBold);
      } else if (block.kind === "quote") {
        stripBold(block.blocks);
      }
    });
  }

  // Word and Excel write a header row as ordinary cells with bold text: when every cell of the
  // first row is a header or bold (empty ones aside), the row becomes the table's header.
  function promoteHeaderRow(rows) {
    if (rows.length < 2) {
      return;
    }
    var first = rows[0];
    var filled = 0;
    var qualifies = first.every(function (cell) {
      if (cell.header) {
        filled += 1;
        return true;
      }
      var runs = cellTextRuns(cell);
      if (runs.length) {
        filled += 1;
      }
      return runs.every(function (run) {
        return run.marks.strong;
      });
    });
    if (!qualifies || !filled) {
      return;
    }
    first.forEach(function (cell) {
      if (!cell.header) {
        cell.header = true;
        stripBold(cell.blocks);
      }
    });
  }

  // Rectangular rows, as ProseMirror's table plugin (and the server) make them: spans clamped
  // to the table and cut where they would overlap, short rows padded with empty cells.
  function repairTable(rows) {
    var height = rows.length;
    var taken = Object.create(null);
    var width = 0;
    function key(r, c) {
      return r + "," + c;
    }
    rows.forEach(function (row, r) {
      var col = 0;
      row.forEach(function (cell) {
        while (taken[key(r, col)]) {
          col += 1;
        }
        var rowspan = Math.min(cell.rowspan, height - r);
        for (var h = 1; h < rowspan; h++) {
          if (taken[key(r + h, col)]) {
            rowspan = h;
            break;
          }
        }
        var colspan = cell.colspan;
        for (var w = 1; w < colspan; w++) {
          var blocked = false;
          for (var hh = 0; hh < rowspan; hh++) {
            if (taken[key(r + hh, col + w)]) {
              blocked = true;
            }
          }
          if (blocked) {
            colspan = w;
            break;
          }
        }
        cell.rowspan = rowspan;
        cell.colspan = colspan;
        for (var y = 0; y < rowspan; y++) {
          for (var x = 0; x < colspan; x++) {
            taken[key(r + y, col + x)] = true;
          }
        }
        col += colspan;
        width = Math.max(width, col);
      });
    });
    rows.forEach(function (row, r) {
      var header = row.length ? row[0].header : false;
      for (var c = 0; c < width; c++) {
        if (!taken[key(r, c)]) {
          row.push({ header: header, colspan: 1, rowspan: 1, blocks: [emptyParagraph()] });
        }
      }
    });
  }

  // -------------------------------------------------------------- writing

  function escapeText(value) {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function escapeAttr(value) {
    return escapeText(value).replace(/"/g, "&quot;");
  }

  // Marks outermost first: link, bold, italic, underline, strike.
  function markList(marks) {
    var list = [];
    if (marks.link) {
      list.push("a " + marks.link);
    }
    ["strong", "em", "u", "s"].forEach(function (name) {
      if (marks[name]) {
        list.push(name);
      }
    });
    return list;
  }

  function openMark(mark) {
    if (mark.slice(0, 2) === "a ") {
      var href = mark.slice(2);
      var rel = /^https?:/i.test(href) ? ' rel="noopener noreferrer"' : "";
      return '<a href="' + escapeAttr(href) + '"' + rel + ">";
    }
    return "<" + mark + ">";
  }

  function closeMark(mark) {
    return mark.slice(0, 2) === "a " ? "</a>" : "</" + mark + ">";
  }

  // As ProseMirror's serialiser: keep the marks two runs share open, close and open the rest.
  function writeRuns(runs) {
    var html = "";
    var active = [];
    runs.forEach(function (run) {
      var marks = markList(run.marks);
      var keep = 0;
      while (keep < active.length && keep < marks.length && active[keep] === marks[keep]) {
        keep += 1;
      }
      while (active.length > keep) {
        html += closeMark(active.pop());
      }
      marks.slice(keep).forEach(function (mark) {
        html += openMark(mark);
        active.push(mark);
      });
      html += run.br ? "<br>" : escapeText(run.text);
    });
    while (active.length) {
      html += closeMark(active.pop());
    }
    return html;
  }

  function writeBlocks(blocks) {
    return blocks.map(writeBlock).join("");
  }

  function writeBlock(block) {
    if (block.kind === "text") {
      var cls = block.align ? ' class="' + block.align + '"' : "";
      return "<" + block.tag + cls + ">" + writeRuns(block.runs) + "</" + block.tag + ">";
    }
    if (block.kind === "list") {
      var items = block.items.map(function (item) {
        return "<li>" + writeBlocks(item) + "</li>";
      });
      return "<" + block.tag + ">" + items.join("") + "</" + block.tag + ">";
    }
    if (block.kind === "quote") {
      return "<blockquote>" + writeBlocks(block.blocks) + "</blockquote>";
    }
    if (block.kind === "hr") {
      return "<hr>";
    }
    if (block.kind === "figure") {
      var attrs = ' src="' + escapeAttr(block.src) + '"';
      if (block.alt !== null) {
        attrs += ' alt="' + escapeAttr(block.alt) + '"';
      }
      ["width", "height", "srcset"].forEach(function (name) {
        if (block[name]) {
          attrs += " " + name + '="' + escapeAttr(block[name]) + '"';
        }
      });
      var caption = block.caption ? "<figcaption>" + escapeText(block.caption) + "</figcaption>" : "";
      return "<figure><img" + attrs + ">" + caption + "</figure>";
    }
    if (block.kind === "table") {
      return writeTable(block.rows);
    }
    return "";
  }

  function writeRow(row) {
    return (
      "<tr>" +
      row
        .map(function (cell) {
          var tag = cell.header ? "th" : "td";
          var spans = cell.colspan > 1 ? ' colspan="' + cell.colspan + '"' : "";
          spans += cell.rowspan > 1 ? ' rowspan="' + cell.rowspan + '"' : "";
          return "<" + tag + spans + ">" + writeBlocks(cell.blocks) + "</" + tag + ">";
        })
        .join("") +
      "</tr>"
    );
  }

  function writeTable(rows) {
    var first = rows[0];
    var head =
      rows.length > 1 &&
      first.length &&
      first.every(function (cell) {
        return cell.header && cell.rowspan === 1;
      });
    var html = "<table>";
    if (head) {
      html += "<thead>" + writeRow(first) + "</thead>";
      rows = rows.slice(1);
    }
    return html + "<tbody>" + rows.map(writeRow).join("") + "</tbody></table>";
  }

  // A parsed document inherits the page's Content-Security-Policy: every `style` attribute,
  // <style> element and event handler in the paste would be reported as a violation (hundreds
  // for a Word paste).
  // The style sheets are taken out as text and `style` attributes renamed before parsing; the
  // rules above read them from there.
  var STYLE = "data-bantin-style";

  function withoutInlineStyles(html) {
    var sheets = [];
    html = html.replace(/<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi, function (_, css) {
      sheets.push(css);
      return "";
    });
    html = html.replace(/(<[a-zA-Z][^>]*?\s)style(\s*=)/g, "$1" + STYLE + "$2");
    // Event handler attributes are never run in a parsed document, but are reported too (a
    // tag may hold several: repeat until none is left).
    var handler = /(<[a-zA-Z][^>]*?\s)(on[a-z]+\s*=)/gi;
    while (handler.test(html)) {
      handler.lastIndex = 0;
      html = html.replace(handler, "$1data-bantin-$2");
    }
    return { html: html, sheets: sheets };
  }

  // -------------------------------------------------------------- entry point

  function clean(html) {
    html = html === null || html === undefined ? "" : String(html);
    if (/<[^>]+\sdata-pm-slice=/.test(html)) {
      // Copied from a Bantin editor: already the document's own schema; ProseMirror needs
      // its slice attribute to paste part of a list or a table in place.
      return { html: html, dropped: 0 };
    }
    var parts = withoutInlineStyles(html.normalize("NFC"));
    var doc = new DOMParser().parseFromString(parts.html, "text/html");
    var sheets = readStyleSheets(parts.sheets);
    state = { dropped: 0, classes: sheets.classes, lists: sheets.lists };
    try {
      var out = new Blocks();
      var root = { marks: NO_MARKS, align: "", tag: null, pre: false, flat: false };
      readChildren(doc.body || doc.documentElement, root, out);
      return { html: writeBlocks(normaliseBlocks(out.blocks, "doc")), dropped: state.dropped };
    } finally {
      state = null;
    }
  }

  window.BantinPaste = { clean: clean };
})();
