// The twinning map: cities as points, twinnings as arcs, drawn as SVG from /map/data.json.
// Each arc is a link to its twinning's page and carries data-twinning (its IRI); the
// filters (status, country, years) redraw without reloading, and the URL follows them.

import { geoNaturalEarth1 } from "../vendor/d3/d3-geo.js";
import { drawBase, loadWorld, nameIn, svg, title } from "./geo.js";

const WIDTH = 960;
const HEIGHT = 520;
const PAD = 24;
const MAX_NAMES = 30;

const page = JSON.parse(document.getElementById("map-page-data").textContent);
const holder = document.getElementById("map");
const form = document.getElementById("map-filters");
const summary = document.getElementById("map-summary");
const tableBody = document.querySelector("#map-table tbody");
const language = page.lang;

function say(key, values = {}) {
  return (page.messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** The filters as the form shows them. */
function readFilters() {
  const fields = new FormData(form);
  const year = (name) => {
    const value = Number.parseInt(fields.get(name) ?? "", 10);
    return Number.isNaN(value) ? null : value;
  };
  return {
    statuses: new Set(fields.getAll("status")),
    country: fields.get("country") || "",
    from: year("from"),
    to: year("to"),
    undated: fields.getAll("undated").at(-1) !== "0",
  };
}

function keep(twinning, filters, cities) {
  if (!filters.statuses.has(twinning.status)) return false;
  if (filters.country && !twinning.cities.some((c) => cities[c].country === filters.country)) {
    return false;
  }
  if (filters.from === null && filters.to === null) return true;
  if (twinning.year === null) return filters.undated;
  return (filters.from ?? -Infinity) <= twinning.year && twinning.year <= (filters.to ?? Infinity);
}

/** The filters in the page's URL, so a view of the map can be shared. */
function writeUrl(filters) {
  const url = new URL(window.location.href);
  for (const name of ["status", "country", "from", "to", "undated"]) url.searchParams.delete(name);
  for (const status of filters.statuses) url.searchParams.append("status", status);
  if (filters.country) url.searchParams.set("country", filters.country);
  if (filters.from !== null) url.searchParams.set("from", filters.from);
  if (filters.to !== null) url.searchParams.set("to", filters.to);
  if (!filters.undated) url.searchParams.set("undated", "0");
  window.history.replaceState(null, "", url);
}

/** A projection that fits the drawn cities (the world when fewer than two are drawn). */
function projectionFor(points) {
  const extent = [[PAD, PAD], [WIDTH - PAD, HEIGHT - PAD]];
  const world = geoNaturalEarth1().fitExtent(extent, { type: "Sphere" });
  if (points.length < 2) return world;
  const cities = { type: "MultiPoint", coordinates: points.map((c) => [c.long, c.lat]) };
  const projection = geoNaturalEarth1().fitExtent(extent, cities);
  // A close-up of a few nearby cities would hide where they are: zoom 6x at most.
  const cap = world.scale() * 6;
  if (projection.scale() > cap) {
    const centre = projection.invert([WIDTH / 2, HEIGHT / 2]);
    projection.scale(cap);
    const [x, y] = projection(centre);
    const [tx, ty] = projection.translate();
    projection.translate([tx + WIDTH / 2 - x, ty + HEIGHT / 2 - y]);
  }
  return projection;
}

/** A curved path from a to b: curves keep arcs between the same cities apart. */
function arcPath([x1, y1], [x2, y2]) {
  const bend = 0.18;
  const cx = (x1 + x2) / 2 - (y2 - y1) * bend;
  const cy = (y1 + y2) / 2 + (x2 - x1) * bend;
  return `M${x1.toFixed(1)},${y1.toFixed(1)}Q${cx.toFixed(1)},${cy.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`;
}

/**
 * Names for the busiest cities drawn, most twinnings first, leaving out any name that
 * would overlap one already placed (the others are named by their titles).
 */
function nameCities(shown, shownCities, projection) {
  const degree = new Map();
  for (const t of shown) for (const c of t.cities) degree.set(c, (degree.get(c) ?? 0) + 1);
  const ranked = [...shownCities].sort(([a], [b]) => degree.get(b) - degree.get(a) || a.localeCompare(b));
  const placed = [];
  const group = svg("g", { class: "city-names", "aria-hidden": "true" });
  for (const [, city] of ranked) {
    if (placed.length >= MAX_NAMES) break;
    const name = nameIn(city.names, language);
    const [x, y] = projection([city.long, city.lat]);
    const box = { x0: x + 4, y0: y - 17, x1: x + 8 + name.length * 7.5, y1: y - 2 };
    const clear = placed.every((b) => box.x1 < b.x0 || b.x1 < box.x0 || box.y1 < b.y0 || b.y1 < box.y0);
    if (!clear || box.x1 > WIDTH || box.y0 < 0) continue;
    placed.push(box);
    const text = svg("text", { x: (x + 5).toFixed(1), y: (y - 5).toFixed(1) });
    text.textContent = name;
    group.append(text);
  }
  return group;
}

function twinningName(twinning, cities) {
  return twinning.cities.map((c) => nameIn(cities[c].names, language)).join(" – ");
}

function cityName(city, countries) {
  const country = countries[city.country];
  const name = nameIn(city.names, language);
  return country ? `${name} (${nameIn(country.names, language)})` : name;
}

function href(path) {
  const url = new URL(page.prefix + path, window.location.href);
  if (page.chosenLanguage) url.searchParams.set("lang", language);
  return url.pathname + url.search;
}

function draw(data, outline, filters) {
  const { cities, countries } = data;
  const shown = data.twinnings.filter((t) => keep(t, filters, cities));
  const shownCities = [...new Set(shown.flatMap((t) => t.cities))].map((id) => [id, cities[id]]);
  const projection = projectionFor(shownCities.length ? shownCities.map(([, c]) => c) : Object.values(cities));
  const base = svg("g", { class: "base", "aria-hidden": "true" });
  drawBase(base, projection, outline);

  const arcs = svg("g", { class: "arcs" });
  for (const twinning of shown) {
    const [a, b] = twinning.cities.map((c) => projection([cities[c].long, cities[c].lat]));
    const status = say(`map.status.${twinning.status}`);
    const label = `${twinningName(twinning, cities)}: ${status}${twinning.year ? `, ${twinning.year}` : ""}`;
    arcs.append(
      svg("a", { href: href(twinning.page), "aria-label": label, class: "arc-link" }, [
        svg("path", { class: `arc status-${twinning.status}`, d: arcPath(a, b), "data-twinning": twinning.iri }, [title(label)]),
      ]),
    );
  }
  const points = svg("g", { class: "points" });
  for (const [, city] of shownCities) {
    const [x, y] = projection([city.long, city.lat]);
    const label = cityName(city, countries);
    points.append(
      svg("a", { href: href(city.page), "aria-label": label, class: "city-link" }, [
        svg("circle", { class: "city", cx: x.toFixed(1), cy: y.toFixed(1), r: 2.5, "data-city": city.iri }, [title(label)]),
      ]),
    );
  }
  const names = nameCities(shown, shownCities, projection);
  const map = svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "group", "aria-label": say("map.label"), class: "twinning-map" },
    [base, arcs, points, names],
  );
  holder.replaceChildren(map);
  summary.textContent = say("map.shown", { twinnings: shown.length, cities: shownCities.length });
  fillTable(shown, cities);
}

function cell(content) {
  const td = document.createElement("td");
  td.append(content);
  return td;
}

function link(text, path) {
  const a = document.createElement("a");
  a.href = href(path);
  a.textContent = text;
  return a;
}

function fillTable(shown, cities) {
  const rows = shown.map((t) => {
    const row = document.createElement("tr");
    const names = t.cities.map((c) => link(nameIn(cities[c].names, language), cities[c].page));
    const both = document.createDocumentFragment();
    both.append(names[0], " – ", names[1]);
    row.append(
      cell(link(twinningName(t, cities), t.page)),
      cell(both),
      cell(say(`map.status.${t.status}`)),
      cell(t.start ?? ""),
    );
    return row;
  });
  tableBody.replaceChildren(...rows);
}

function credits(data) {
  const element = document.getElementById("map-sources");
  const parts = data.sources.map((s) => {
    const a = document.createElement("a");
    a.href = href(s.page);
    a.textContent = nameIn(s.names, language);
    const span = document.createElement("span");
    span.append(a, s.licenceTitle ? ` (${s.licenceTitle})` : "");
    return span;
  });
  const joined = [];
  parts.forEach((part, i) => joined.push(...(i ? ["; ", part] : [part])));
  const [before, after] = (page.messages["map.sources"] ?? "{sources}").split("{sources}");
  element.replaceChildren(before, ...joined, after ?? "");
  if (data.missing) {
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = say("map.missing", { n: data.missing });
    element.after(note);
  }
}

async function start() {
  const [data, outline] = await Promise.all([
    fetch(page.dataUrl).then((r) => {
      if (!r.ok) throw new Error(`map data: HTTP ${r.status}`);
      return r.json();
    }),
    loadWorld(),
  ]);
  credits(data);
  const redraw = () => {
    const filters = readFilters();
    draw(data, outline, filters);
    return filters;
  };
  redraw();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    writeUrl(redraw());
  });
  form.addEventListener("change", () => writeUrl(redraw()));
  holder.dataset.ready = "true";
}

start().catch((error) => {
  summary.textContent = String(error);
  holder.dataset.ready = "error";
});
