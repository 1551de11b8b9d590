// <scograph-small-map lat="36.06" long="120.38" label="Qingdao"></scograph-small-map>
//
// A small map of where a place is: the countries within about 25 degrees of it, drawn
// as SVG around a marker. Reusable on any page: load this module
//   <script type="module" src="/static/js/small-map.js"></script>
// and put the element where the map should be; its content (e.g. the coordinates as
// text) stays until the map is drawn, and is the fallback without scripts.

import { geoAzimuthalEqualArea, geoCircle, geoPath } from "../vendor/d3/d3-geo.js";
import { loadWorld, svg, title } from "./geo.js";

const WIDTH = 320;
const HEIGHT = 200;
const RADIUS_DEGREES = 25;

class SmallMap extends HTMLElement {
  static observedAttributes = ["lat", "long", "label"];

  connectedCallback() {
    this.draw();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.draw();
  }

  async draw() {
    const lat = Number.parseFloat(this.getAttribute("lat"));
    const long = Number.parseFloat(this.getAttribute("long"));
    if (!Number.isFinite(lat) || !Number.isFinite(long)) return;
    const name = this.getAttribute("label") ?? "";
    const where = `${name} (${lat.toFixed(2)}, ${long.toFixed(2)})`;
    this.setAttribute("role", "img");
    // On a page that does not style the element, a block of a sensible size.
    if (getComputedStyle(this).display === "inline") {
      this.style.display = "block";
      this.style.maxWidth = "20rem";
    }
    if (!this.hasAttribute("aria-label")) this.setAttribute("aria-label", where.trim());
    const outline = await loadWorld();
    const view = geoCircle().center([long, lat]).radius(RADIUS_DEGREES)();
    const projection = geoAzimuthalEqualArea()
      .rotate([-long, -lat])
      .clipAngle(RADIUS_DEGREES + 5)
      .fitExtent([[4, 4], [WIDTH - 4, HEIGHT - 4]], view);
    const path = geoPath(projection);
    const [x, y] = projection([long, lat]);
    const label = svg("text", { class: "place-label", x: x + 9, y: y + 4, "font-size": 13, fill: "#1d2330" });
    label.textContent = name;
    // A label that would run off the right edge goes to the left of the marker.
    if (x > WIDTH * 0.6) {
      label.setAttribute("x", x - 9);
      label.setAttribute("text-anchor", "end");
    }
    this.replaceChildren(
      svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "small-map", "aria-hidden": "true" }, [
        title(where),
        // Presentation attributes, so the map looks right on pages without web.css.
        svg("path", { class: "sphere", d: path(view), fill: "#e8f0f8", stroke: "#c5d3e3" }),
        svg("path", { class: "land", d: path(outline.land), fill: "#f7f4ec" }),
        svg("path", { class: "borders", d: path(outline.borders), fill: "none", stroke: "#b9b2a3", "stroke-width": 0.6 }),
        svg("circle", { class: "place-halo", cx: x, cy: y, r: 9, fill: "#c0392b", "fill-opacity": 0.2 }),
        svg("circle", { class: "place", cx: x, cy: y, r: 4, fill: "#c0392b", stroke: "#fff", "stroke-width": 1.5 }),
        label,
      ]),
    );
    this.dataset.ready = "true";
  }
}

if (!customElements.get("scograph-small-map")) customElements.define("scograph-small-map", SmallMap);
