// The search page: a city or a map area, dates, guests, the stay's price
// range, amenities and order; results priced for the whole stay, paged; a
// map area's results drawn in it (pages/area.js), to move or resize.

import { api } from "../api.js";
import { addDays, busy, field, formatMoney, h, problem, toMajor, toMinor, today, value } from "../ui.js";

const CITIES = ["Lisbon", "Porto", "Barcelona", "Paris", "Berlin", "Amsterdam", "Rome", "London", "Edinburgh", "New York"];
/** @type {[string, string][]} */
const AMENITIES = [
  ["wifi", "Wi-Fi"], ["kitchen", "Kitchen"], ["parking", "Parking"], ["pool", "Pool"],
  ["washer", "Washer"], ["workspace", "Workspace"], ["air_conditioning", "Air conditioning"],
  ["pets_allowed", "Pets allowed"], ["sea_view", "Sea view"], ["self_check_in", "Self check-in"],
];

/**
 * The form's values from the page's query. Price bounds travel in minor
 * units (as the API takes them) and show in major units.
 * @param {URLSearchParams} query
 */
function defaults(query) {
  const checkIn = query.get("check_in") || addDays(today(), 30);
  const currency = query.get("currency") || "EUR";
  const major = (/** @type {string} */ name) => {
    const minor = Number(query.get(name) || "");
    return query.get(name) && Number.isFinite(minor) ? String(Number(toMajor({ amount: minor, currency }))) : "";
  };
  return {
    area: query.get("bbox") ? "bbox" : "city",
    city: query.get("city") ?? "Lisbon",
    bbox: (query.get("bbox") || "38.6,-9.3,38.8,-9.0").split(","),
    check_in: checkIn,
    check_out: query.get("check_out") || addDays(checkIn, 3),
    guests: query.get("guests") || "2",
    currency,
    min_price: major("min_price"),
    max_price: major("max_price"),
    amenities: (query.get("amenities") || "").split(",").filter(Boolean),
    sort: query.get("sort") || "price",
  };
}

/** @param {ReturnType<typeof defaults>} d */
function searchForm(d) {
  const areaChoice = (/** @type {string} */ kind, /** @type {string} */ text) =>
    h("label", {}, h("input", { type: "radio", name: "area", value: kind, checked: d.area === kind }), text);
  return h("form", { class: "panel", id: "search", "aria-label": "Search stays" },
    h("div", { class: "fields" },
      h("fieldset", { class: "choices" }, h("legend", {}, "Where"),
        h("div", { class: "options" }, areaChoice("city", "A city"), areaChoice("bbox", "A map area (latitude and longitude)"))),
      h("div", { class: "field", id: "city-field" },
        h("label", { for: "city" }, "City"),
        h("input", { id: "city", name: "city", list: "cities", value: d.city, autocomplete: "off" }),
        h("datalist", { id: "cities" }, CITIES.map((c) => h("option", { value: c })))),
      ...["South", "West", "North", "East"].map((side, i) =>
        field(`${side} edge`, { id: `bbox-${i}`, name: `bbox-${i}`, type: "number", step: "any", value: d.bbox[i] || "", class: "bbox" })),
      field("Check-in", { id: "check_in", name: "check_in", type: "date", value: d.check_in, required: true }),
      field("Check-out", { id: "check_out", name: "check_out", type: "date", value: d.check_out, required: true }),
      field("Guests", { id: "guests", name: "guests", type: "number", min: 1, max: 16, value: d.guests, required: true }),
      field("Currency", { tag: "select", id: "currency", name: "currency", value: d.currency, options: [["EUR", "EUR"], ["GBP", "GBP"], ["USD", "USD"]] }),
      field("Lowest total", { id: "min_price", name: "min_price", type: "number", min: 0, step: "any", value: d.min_price }, "For the whole stay"),
      field("Highest total", { id: "max_price", name: "max_price", type: "number", min: 0, step: "any", value: d.max_price }, "For the whole stay"),
      field("Sort by", { tag: "select", id: "sort", name: "sort", value: d.sort, options: [["price", "Lowest price"], ["rating", "Best rated"], ["distance", "Nearest the centre"]] }),
      h("fieldset", { class: "choices" }, h("legend", {}, "Amenities"),
        h("div", { class: "options" }, AMENITIES.map(([key, text]) =>
          h("label", {}, h("input", { type: "checkbox", name: "amenities", value: key, checked: d.amenities.includes(key) }), text))))),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Search")));
}

/** @param {HTMLFormElement} form @returns {URLSearchParams} */
function queryOf(form) {
  const q = new URLSearchParams();
  const area = /** @type {RadioNodeList} */ (form.elements.namedItem("area")).value;
  if (area === "bbox") q.set("bbox", [0, 1, 2, 3].map((i) => value(form, `bbox-${i}`)).join(","));
  else q.set("city", value(form, "city"));
  for (const name of ["check_in", "check_out", "guests", "sort"]) q.set(name, value(form, name));
  const currency = value(form, "currency");
  for (const name of ["min_price", "max_price"]) {
    const text = value(form, name);
    if (text) {
      q.set(name, String(toMinor(text, currency)));
      q.set("currency", currency);
    }
  }
  const amenities = [...form.querySelectorAll("input[name=amenities]:checked")].map((e) => /** @type {HTMLInputElement} */ (e).value);
  if (amenities.length) q.set("amenities", amenities.join(","));
  return q;
}

/** @param {any} hit @param {URLSearchParams} stay @param {number | null} pin its number on the area's map */
function card(hit, stay, pin) {
  const link = `/stays/${encodeURIComponent(hit.property_id)}?${new URLSearchParams({
    check_in: stay.get("check_in") || "", check_out: stay.get("check_out") || "", guests: stay.get("guests") || "1",
  })}`;
  return h("li", { class: "card" },
    h("h3", {}, pin ? h("span", { class: "pin-number" }, `${pin}. `) : null, h("a", { href: link, "data-link": true }, hit.title)),
    h("p", { class: "meta" }, `${hit.city}, ${hit.country} · ${hit.bedrooms} bedroom${hit.bedrooms === 1 ? "" : "s"} · up to ${hit.max_guests} guests`
      + (hit.rating != null ? ` · rated ${hit.rating} of 5` : "") + (hit.distance_km != null ? ` · ${hit.distance_km.toFixed(1)} km` : "")),
    h("p", { class: "price" }, `${formatMoney(hit.total)} total`),
    h("p", { class: "meta" }, `${hit.nights} nights × ${formatMoney(hit.nightly_price)} + ${formatMoney(hit.cleaning_fee)} cleaning`));
}

/** @param {import("../main.js").PageContext} context */
export async function searchPage({ main, query, go }) {
  const d = defaults(query);
  const form = /** @type {HTMLFormElement} */ (searchForm(d));
  const out = h("section", { "aria-labelledby": "results-title" });
  main.append(h("h1", {}, "Find a stay"), form, out);
  const showArea = () => {
    const bbox = /** @type {RadioNodeList} */ (form.elements.namedItem("area")).value === "bbox";
    /** @type {HTMLElement} */ (form.querySelector("#city-field")).hidden = bbox;
    for (const input of form.querySelectorAll(".bbox")) /** @type {HTMLElement} */ (input.parentElement).hidden = !bbox;
  };
  form.addEventListener("change", showArea);
  showArea();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`/?${queryOf(form)}`);
  });
  if (!query.get("city") && !query.get("bbox")) {
    out.append(h("h2", { id: "results-title" }, "Where to?"), h("p", {}, "Choose a city and dates, then search."));
    return;
  }
  const list = h("ul", { class: "results" });
  const status = h("p", { role: "status" });
  const mapBox = h("div", {});
  out.append(h("h2", { id: "results-title" }, "Stays"), mapBox, status, list);
  const box = /** @type {import("./area.js").Box | null} */ (query.get("bbox") ? /** @type {any} */ (d.bbox.map(Number)) : null);
  /** @type {any[]} */
  const hits = [];
  const searchBox = (/** @type {import("./area.js").Box} */ to) => {
    const q = queryOf(form);
    q.set("bbox", to.join(","));
    go(`/?${q}`);
  };
  /** @param {string | null} cursor */
  const page = async (cursor) => {
    const q = queryOf(form);
    q.set("limit", "12");
    if (cursor) q.set("cursor", cursor);
    const more = out.querySelector("#more");
    const result = await busy(/** @type {HTMLButtonElement | null} */ (more), status, "Searching…", () => api(`/search?${q}`));
    more?.remove();
    if (!result) return;
    for (const hit of result.results) {
      hits.push(hit);
      list.append(card(hit, q, box && hits.length));
    }
    // Only a map area's search loads the map's code.
    if (box) mapBox.replaceChildren((await import("./area.js")).areaMap(box, hits, searchBox));
    const shown = list.children.length;
    status.textContent = shown ? `${shown} stay${shown === 1 ? "" : "s"} shown${result.next_cursor ? "; more below" : ""}.`
      : "No stay is free for those dates and filters. Try other dates or fewer filters.";
    if (result.next_cursor) {
      out.append(h("div", { class: "actions" }, h("button", { type: "button", id: "more", onclick: () => page(result.next_cursor) }, "Show more stays")));
    }
  };
  try {
    await page(null);
  } catch (error) {
    out.append(problem(error));
  }
}
