// What the map, the small map and the network share: SVG building and the world outline.
// Everything is loaded from this site (the vendored d3 modules and Natural Earth's
// 1:110m countries), relative to this module, so it works offline and under any prefix.

import { geoGraticule10, geoPath } from "../vendor/d3/d3-geo.js";
import { feature, mesh } from "../vendor/topojson-client/index.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const WORLD_URL = new URL("../vendor/world-atlas/countries-110m.json", import.meta.url);

/** A new SVG element with attributes (values of null or undefined are left out). */
export function svg(name, attributes = {}, children = []) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(key, String(value));
  }
  for (const child of children) element.append(child);
  return element;
}

/** An SVG <title> (the name a pointer shows and a screen reader reads). */
export function title(text) {
  const element = svg("title");
  element.textContent = text;
  return element;
}

let world = null;

/** The countries (GeoJSON features) and their borders (one MultiLineString), loaded once. */
export async function loadWorld() {
  if (world === null) {
    world = fetch(WORLD_URL).then(async (response) => {
      if (!response.ok) throw new Error(`world outline: HTTP ${response.status}`);
      const topology = await response.json();
      const countries = topology.objects.countries;
      return {
        land: feature(topology, countries),
        borders: mesh(topology, countries, (a, b) => a !== b),
      };
    });
  }
  return world;
}

/** Draw the sphere, graticule, countries and borders under `projection` into `group`. */
export function drawBase(group, projection, outline) {
  const path = geoPath(projection);
  group.replaceChildren(
    svg("path", { class: "sphere", d: path({ type: "Sphere" }) }),
    svg("path", { class: "graticule", d: path(geoGraticule10()) }),
    svg("path", { class: "land", d: path(outline.land) }),
    svg("path", { class: "borders", d: path(outline.borders) }),
  );
}

/** The name to show in `language`, from a `{en, zh, ru}` object. */
export function nameIn(names, language) {
  return names?.[language] ?? names?.en ?? Object.values(names ?? {})[0] ?? "";
}
