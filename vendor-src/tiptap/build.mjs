// Bundles vendor-src/tiptap/index.js into static/vendor/tiptap/tiptap.min.js and collects
// the licence of every package that ends up in the bundle into static/vendor/tiptap/LICENSES/.
// Run through `make vendor` (after `npm ci`).
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "static", "vendor", "tiptap");
const licences = join(out, "LICENSES");

const result = await build({
  entryPoints: [join(root, "vendor-src", "tiptap", "index.js")],
  outfile: join(out, "tiptap.min.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2019",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

// Every package with at least one file in the bundle.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.add(match[1]);
}

rmSync(licences, { recursive: true, force: true });
mkdirSync(licences, { recursive: true });
const lines = [];
for (const name of [...packages].sort()) {
  const dir = join(root, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`no licence file in ${name}`);
  const target = `${name.replace("/", "__")}.txt`;
  copyFileSync(join(dir, file), join(licences, target));
  lines.push(`${name} ${meta.version} ${meta.license} LICENSES/${target}`);
}
writeFileSync(
  join(out, "PACKAGES.txt"),
  "Packages bundled into tiptap.min.js (name, version, licence, licence file):\n" +
    lines.join("\n") +
    "\n",
);
if (!existsSync(join(out, "tiptap.min.js"))) throw new Error("bundle missing");
console.log(`bundled ${packages.size} packages into static/vendor/tiptap/tiptap.min.js`);
