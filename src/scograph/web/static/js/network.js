// The network view: organisations, forums, initiatives, cities and countries, laid out by
// d3-force in one synchronous run (the same picture every time), drawn as SVG links.

import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
} from "../vendor/d3/d3-force.js";
import { nameIn, svg, title } from "./geo.js";

const page = JSON.parse(document.getElementById("network-page-data").textContent);
const holder = document.getElementById("network");
const summary = document.getElementById("network-summary");
const tableBody = document.querySelector("#network-table tbody");
const language = page.lang;
const RADIUS = { forum: 9, initiative: 8, country: 8, city: 7, organisation: 6 };
const TICKS = 400;
const LABEL_CHARACTERS = 32;

function say(key, values = {}) {
  return (page.messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function href(path) {
  const url = new URL(page.prefix + path, window.location.href);
  if (page.chosenLanguage) url.searchParams.set("lang", language);
  return url.pathname + url.search;
}

function layout(nodes, links) {
  const simulation = forceSimulation(nodes)
    .force("link", forceLink(links).id((d) => d.id).distance(75).strength(0.6))
    .force("charge", forceManyBody().strength(-380))
    .force("collide", forceCollide((d) => RADIUS[d.kind] + 16))
    .force("x", forceX(0).strength(0.06))
    .force("y", forceY(0).strength(0.1))
    .stop();
  for (let i = 0; i < TICKS; i += 1) simulation.tick();
}

/** Long names are cut on the drawing (the full name is in its title and the table). */
function shortName(name) {
  return name.length > LABEL_CHARACTERS ? `${name.slice(0, LABEL_CHARACTERS - 1)}…` : name;
}

function viewBox(nodes) {
  const xs = nodes.map((n) => n.x);
  const ys = nodes.map((n) => n.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // Room on the right for the labels, which are written to the right of their nodes.
  return `${x0 - 30} ${y0 - 30} ${x1 - x0 + 30 + LABEL_CHARACTERS * 7} ${y1 - y0 + 60}`;
}

/** Highlight a node's links and neighbours while it has the pointer or the focus. */
function highlight(group, node, on) {
  group.classList.toggle("focused", on);
  for (const element of group.ownerSVGElement.querySelectorAll(`[data-ends~="${CSS.escape(node.id)}"]`)) {
    element.classList.toggle("active", on);
  }
}

function draw(data) {
  const nodes = data.nodes.map((n) => ({ ...n }));
  const links = data.links.map((l) => ({ ...l }));
  layout(nodes, links);
  const lines = svg("g", { class: "links", "aria-hidden": "true" });
  for (const l of links) {
    const label = `${nameIn(l.source.names, language)} — ${say(`link.${l.link}`)} — ${nameIn(l.target.names, language)}`;
    lines.append(
      svg(
        "line",
        {
          class: `link link-${l.link}`,
          x1: l.source.x.toFixed(1),
          y1: l.source.y.toFixed(1),
          x2: l.target.x.toFixed(1),
          y2: l.target.y.toFixed(1),
          "data-ends": `${l.source.id} ${l.target.id}`,
        },
        [title(label)],
      ),
    );
  }
  const dots = svg("g", { class: "nodes" });
  for (const n of nodes) {
    const name = nameIn(n.names, language);
    const label = `${name} (${say(`kind.${n.kind}`)})`;
    const r = RADIUS[n.kind] ?? 6;
    const group = svg("a", { href: href(n.page), class: `node kind-${n.kind}`, "aria-label": label, "data-node": n.iri }, [
      svg("circle", { cx: n.x.toFixed(1), cy: n.y.toFixed(1), r }, [title(label)]),
      svg("text", { x: (n.x + r + 3).toFixed(1), y: (n.y + 4).toFixed(1) }),
    ]);
    group.querySelector("text").textContent = shortName(name);
    for (const [event, on] of [["focus", true], ["blur", false], ["mouseenter", true], ["mouseleave", false]]) {
      group.addEventListener(event, () => highlight(group, n, on));
    }
    dots.append(group);
  }
  holder.replaceChildren(
    svg("svg", { viewBox: viewBox(nodes), role: "group", "aria-label": say("network.label"), class: "network" }, [lines, dots]),
  );
  summary.textContent = say("network.shown", { nodes: nodes.length, links: links.length });
  fillTable(links);
}

function cell(text, path) {
  const td = document.createElement("td");
  if (path) {
    const a = document.createElement("a");
    a.href = href(path);
    a.textContent = text;
    td.append(a);
  } else {
    td.textContent = text;
  }
  return td;
}

function fillTable(links) {
  tableBody.replaceChildren(
    ...links.map((l) => {
      const row = document.createElement("tr");
      row.append(
        cell(nameIn(l.source.names, language), l.source.page),
        cell(say(`link.${l.link}`)),
        cell(nameIn(l.target.names, language), l.target.page),
      );
      return row;
    }),
  );
}

fetch(page.dataUrl)
  .then((response) => {
    if (!response.ok) throw new Error(`network data: HTTP ${response.status}`);
    return response.json();
  })
  .then((data) => {
    draw(data);
    holder.dataset.ready = "true";
  })
  .catch((error) => {
    summary.textContent = String(error);
    holder.dataset.ready = "error";
  });
