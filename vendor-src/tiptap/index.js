// Entry of the vendored TipTap bundle (static/vendor/tiptap/tiptap.min.js), built by
// `make vendor` with esbuild into one IIFE that defines window.BantinTipTap.
// Only what static/js/editor-articles.js uses is exported: the editor itself is
// configured there, in plain ES2019 without a build step.
import {
  Editor,
  Extension,
  Mark,
  Node,
  getHTMLFromFragment,
  mergeAttributes,
} from "@tiptap/core";
import { DOMParser, DOMSerializer, Fragment, Slice } from "@tiptap/pm/model";
import { NodeSelection, Plugin, PluginKey, TextSelection } from "@tiptap/pm/state";
import Blockquote from "@tiptap/extension-blockquote";
import Bold from "@tiptap/extension-bold";
import Document from "@tiptap/extension-document";
import HardBreak from "@tiptap/extension-hard-break";
import Heading from "@tiptap/extension-heading";
import HorizontalRule from "@tiptap/extension-horizontal-rule";
import Italic from "@tiptap/extension-italic";
import Link from "@tiptap/extension-link";
import { BulletList, ListItem, OrderedList } from "@tiptap/extension-list";
import Paragraph from "@tiptap/extension-paragraph";
import Strike from "@tiptap/extension-strike";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import Text from "@tiptap/extension-text";
import Underline from "@tiptap/extension-underline";
import { Dropcursor, Gapcursor, Placeholder, UndoRedo } from "@tiptap/extensions";

window.BantinTipTap = {
  Editor,
  Extension,
  Mark,
  Node,
  mergeAttributes,
  getHTMLFromFragment,
  DOMParser,
  DOMSerializer,
  Fragment,
  Slice,
  NodeSelection,
  Plugin,
  PluginKey,
  TextSelection,
  extensions: {
    Blockquote,
    Bold,
    BulletList,
    Document,
    Dropcursor,
    Gapcursor,
    HardBreak,
    Heading,
    HorizontalRule,
    Italic,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Placeholder,
    Strike,
    Table,
    TableCell,
    TableHeader,
    TableRow,
    Text,
    Underline,
    UndoRedo,
  },
};
