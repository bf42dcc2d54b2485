// The map area of a search: the box searched, drawn with the stays found in
// it as numbered pins (no map tiles: nothing is fetched from a third party),
// and buttons that move or resize the box and search again.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 360;

/** @typedef {[number, number, number, number]} Box south, west, north, east edges */

/** @param {number} x */
const round = (x) => Math.round(x * 10000) / 10000;

/**
 * The box moved by half its height north (negative: south) and half its
 * width east (negative: west).
 * @param {Box} box @param {number} north @param {number} east
 * @returns {Box}
 */
export function moved([s, w, n, e], north, east) {
  const up = ((n - s) / 2) * north;
  const right = ((e - w) / 2) * east;
  return [round(Math.max(-90, s + up)), round(w + right), round(Math.min(90, n + up)), round(e + right)];
}

/**
 * The box around the same centre, `factor` times as tall and as wide.
 * @param {Box} box @param {number} factor
 * @returns {Box}
 */
export function zoomed([s, w, n, e], factor) {
  const [lat, lon] = [(s + n) / 2, (w + e) / 2];
  const [half, halfWide] = [((n - s) / 2) * factor, ((e - w) / 2) * factor];
  return [round(Math.max(-90, lat - half)), round(lon - halfWide), round(Math.min(90, lat + half)), round(lon + halfWide)];
}

/**
 * @param {string} tag @param {Record<string, string | number>} attributes @param {string} [text]
 */
function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, v] of Object.entries(attributes)) element.setAttribute(name, String(v));
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * The box with a pin per stay (numbered as the list is), and the buttons
 * that search a moved or resized box.
 * @param {Box} box
 * @param {{title: string, location: {lat: number, lon: number}}[]} hits
 * @param {(box: Box) => void} search
 */
export function areaMap(box, hits, search) {
  const [s, w, n, e] = box;
  // Longitude degrees shrink with latitude: keep the drawing's proportions true.
  const across = (e - w) * Math.cos((((s + n) / 2) * Math.PI) / 180);
  const height = Math.round(Math.min(WIDTH, Math.max(120, (WIDTH * (n - s)) / Math.max(across, 1e-6))));
  const picture = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img",
    "aria-label": `The area searched, ${s} to ${n} north and ${w} to ${e} east, with ${hits.length} stay${hits.length === 1 ? "" : "s"} shown as numbered pins` });
  picture.append(svg("rect", { class: "area", x: 1, y: 1, width: WIDTH - 2, height: height - 2 }));
  hits.forEach((hit, i) => {
    const x = ((hit.location.lon - w) / (e - w)) * WIDTH;
    const y = ((n - hit.location.lat) / (n - s)) * height;
    const pin = svg("g", { class: "pin", transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})` });
    pin.append(svg("title", {}, `${i + 1}. ${hit.title}`), svg("circle", { r: 9 }), svg("text", { "text-anchor": "middle", dy: 4 }, String(i + 1)));
    picture.append(pin);
  });
  const button = (/** @type {string} */ text, /** @type {Box} */ to) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", () => search(to));
    return b;
  };
  const figure = document.createElement("figure");
  figure.className = "area-map";
  const controls = document.createElement("div");
  controls.className = "actions";
  controls.setAttribute("role", "group");
  controls.setAttribute("aria-label", "Move or resize the area");
  controls.append(button("Move north", moved(box, 1, 0)), button("Move south", moved(box, -1, 0)),
    button("Move west", moved(box, 0, -1)), button("Move east", moved(box, 0, 1)),
    button("Zoom in", zoomed(box, 0.5)), button("Zoom out", zoomed(box, 2)));
  const caption = document.createElement("figcaption");
  caption.textContent = "The area searched; numbers are the stays below, in order.";
  figure.append(picture, caption, controls);
  return figure;
}
