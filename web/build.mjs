// Copies the browser files the web front needs from node_modules into the Python
// package (src/scograph/web/static/vendor/), so that scograph serves them itself:
// no CDN, nothing fetched at run time, and no npm needed to run scograph.
//
//   npm ci && npm run build        (then commit src/scograph/web/static/vendor/)
//
// The d3 modules are ES modules that import one another by bare name ("d3-array");
// browsers resolve only relative URLs without an import map, so the imports are
// rewritten to sibling files here and the build fails if any bare import is left.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "..", "src", "scograph", "web", "static", "vendor");

const D3 = ["d3-array", "d3-geo", "d3-dispatch", "d3-quadtree", "d3-timer", "d3-force"];

function read(path) {
  return readFileSync(path, "utf8");
}

function pkg(name) {
  return JSON.parse(read(join(modules, name, "package.json")));
}

// Source maps are not shipped, so their comments would only make browsers ask for them.
function withoutSourceMap(text) {
  return text.replace(/\n?\/[/*][#@] sourceMappingURL=[^\n]*\n?$/, "\n");
}

// YASQE's built-in prefix list has one entry (`awol`, Atom OWL, a 2006 draft vocabulary)
// whose namespace IRI has a path that reads like a folder of a local machine; the project
// keeps paths of that shape out of its files, so the entry is left out. Its declaration and
// its place in the list must each match exactly once, or the build fails.
function withoutAwolPrefix(text, file) {
  const edits = [
    [/,awol=`[^`]*`/g, ""],
    [/,awol,/g, ","],
  ];
  let result = text;
  for (const [pattern, replacement] of edits) {
    const count = (result.match(pattern) || []).length;
    if (count !== 1) throw new Error(`${file}: expected ${pattern} once, found it ${count} times`);
    result = result.replace(pattern, replacement);
  }
  if (/\bawol\b/.test(result)) throw new Error(`${file} still names the awol prefix`);
  return result;
}

function relativeD3Imports(text, file) {
  const rewritten = text.replace(/(from\s*|import\s*)"(d3-[a-z]+)"/g, (match, keyword, name) => {
    if (!D3.includes(name)) throw new Error(`${file} imports ${name}, which is not vendored`);
    return `${keyword}"./${name}.js"`;
  });
  const bare = rewritten.match(/(?:from|import)\s*"(?![./])[^"]+"/);
  if (bare) throw new Error(`${file} still has a bare import: ${bare[0]}`);
  return rewritten;
}

const written = [];

function emit(relative, text) {
  const target = join(vendor, relative);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  written.push({
    file: relative,
    bytes: Buffer.byteLength(text),
    sha256: createHash("sha256").update(text).digest("hex"),
  });
}

function licence(name, folder) {
  const candidates = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"];
  const found = readdirSync(join(modules, name)).find((f) => candidates.includes(f));
  if (found) emit(join(folder, "LICENSE"), read(join(modules, name, found)));
  return Boolean(found);
}

rmSync(vendor, { recursive: true, force: true });
const packages = [];

// YASGUI: its UMD build (a global Yasgui, with Yasqe and Yasr inside) and its style sheet.
{
  const name = "@zazuko/yasgui";
  const build = join(modules, name, "build");
  const script = join(build, "yasgui.min.js");
  emit("yasgui/yasgui.min.js", withoutAwolPrefix(withoutSourceMap(read(script)), script));
  emit("yasgui/yasgui.min.css", withoutSourceMap(read(join(build, "yasgui.min.css"))));
  packages.push({ name, folder: "yasgui", licenceFile: licence(name, "yasgui") });
}

for (const name of D3) {
  const file = join(modules, name, "dist", `${name}.min.mjs`);
  emit(`d3/${name}.js`, relativeD3Imports(read(file), file));
  packages.push({ name, folder: "d3", licenceFile: licence(name, `d3/${name}`) });
}

// topojson-client ships its ES modules as source files with relative imports.
{
  const name = "topojson-client";
  const src = join(modules, name, "src");
  for (const file of readdirSync(src).filter((f) => f.endsWith(".js")).sort()) {
    emit(`topojson-client/${file}`, read(join(src, file)));
  }
  packages.push({ name, folder: "topojson-client", licenceFile: licence(name, "topojson-client") });
}

// The world's country outlines (Natural Earth, 1:110m) as TopoJSON.
{
  const name = "world-atlas";
  emit("world-atlas/countries-110m.json", read(join(modules, name, "countries-110m.json")));
  packages.push({ name, folder: "world-atlas", licenceFile: licence(name, "world-atlas") });
}

// Every package in the lock file, with its licence: the YASGUI bundle carries many of
// them (CodeMirror, DataTables, jQuery, Font Awesome icons...), so all are listed.
function thirdPartyNotice() {
  const lock = JSON.parse(read(join(here, "package-lock.json")));
  const rows = Object.entries(lock.packages)
    .filter(([path]) => path.startsWith("node_modules/"))
    .map(([path, meta]) => [path.slice(path.lastIndexOf("node_modules/") + 13), meta])
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, meta]) => `| ${name} | ${meta.version} | ${meta.license ?? "see package"} |`);
  const yasgui = pkg("@zazuko/yasgui");
  const people = [yasgui.author, ...(yasgui.contributors ?? []).map((c) => c.name ?? c)];
  return [
    "# Third-party files in this folder",
    "",
    "Copied from npm packages by `web/build.mjs`; see `MANIFEST.json` for the files and their checksums.",
    "Each package's own licence file is beside its files where the package ships one.",
    "",
    `@zazuko/yasgui ${yasgui.version} ships no licence file; its package.json declares the`,
    `${yasgui.license} licence, with author and contributors ${people.join(", ")} (${yasgui.homepage}).`,
    "`yasgui/yasgui.min.js` bundles its dependencies, listed below with the rest. It is the package's",
    "build as published, less one entry (`awol`) of the editor's built-in list of common prefixes.",
    "",
    "| package | version | licence |",
    "|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
emit("THIRD-PARTY.md", thirdPartyNotice());

const manifest = {
  comment: "Written by web/build.mjs from web/package-lock.json's packages; do not edit.",
  packages: packages.map(({ name, folder, licenceFile }) => {
    const meta = pkg(name);
    return {
      name,
      version: meta.version,
      license: meta.license,
      homepage: meta.homepage ?? null,
      folder,
      licenseFile: licenceFile,
    };
  }),
  files: written.sort((a, b) => a.file.localeCompare(b.file)),
};
writeFileSync(join(vendor, "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`vendored ${written.length} files from ${packages.length} packages into ${vendor}`);
