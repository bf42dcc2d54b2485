// Parts of a listing's page for features the API gains over time: its
// pricing document, its imported calendars (iCal feeds) and their conflicts,
// and its export link. Each appears only once the API lists its route in
// openapi.json, and shows what the API answers.

import { api, serves } from "../api.js";
import { busy, formatMoney, h, problem } from "../ui.js";

/** @param {unknown} v @returns {string} */
function text(v) {
  if (v && typeof v === "object" && "amount" in v && "currency" in v) return formatMoney(/** @type {any} */ (v));
  if (Array.isArray(v)) return v.map(text).join(", ");
  if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => `${k.replace(/_/g, " ")}: ${text(x)}`).join("; ");
  return v === null || v === undefined ? "—" : String(v);
}

/** A readable summary of any answer: one line per field. @param {Record<string, unknown>} doc */
function summary(doc) {
  const entries = Object.entries(doc).filter(([, v]) => !(Array.isArray(v) && !v.length) && v !== null);
  if (!entries.length) return h("p", {}, "Nothing set yet.");
  return h("dl", { class: "summary" }, entries.flatMap(([k, v]) => [h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, text(v))]));
}

/** @param {string} id */
async function pricing(id) {
  const path = `/properties/${encodeURIComponent(id)}/pricing`;
  const doc = await api(path).catch((e) => e);
  const editor = /** @type {HTMLTextAreaElement} */ (h("textarea", { id: "pricing-doc", rows: 10, spellcheck: "false" }));
  editor.value = JSON.stringify(doc instanceof Error ? {} : doc, null, 2);
  const out = h("div", { "aria-live": "polite" });
  const save = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "primary" }, "Save pricing"));
  save.addEventListener("click", async () => {
    let body;
    try {
      body = JSON.parse(editor.value);
    } catch {
      out.replaceChildren(problem("The pricing document is not valid JSON."));
      return;
    }
    const saved = await busy(save, out, "Saving pricing…", () => api(path, { method: "PUT", body }));
    if (saved) out.replaceChildren(h("p", { class: "notice" }, "Pricing saved."), summary(saved));
  });
  return h("section", { "aria-labelledby": "pricing" }, h("h2", { id: "pricing" }, "Pricing"),
    doc instanceof Error ? problem(doc) : summary(doc),
    h("details", {}, h("summary", {}, "Edit the pricing document"),
      h("div", { class: "field" }, h("label", { for: "pricing-doc" }, "Pricing document (JSON: seasons, weekday prices, discounts, fees, taxes, stay rules)"), editor),
      h("div", { class: "actions" }, save), out));
}

/** @param {string} id */
async function feeds(id) {
  const base = `/properties/${encodeURIComponent(id)}/calendar`;
  const [list, conflicts, exported] = await Promise.all([
    api(`${base}/feeds`).catch((e) => e),
    serves("GET", "/properties/{id}/calendar/conflicts").then((yes) => (yes ? api(`${base}/conflicts`).catch((e) => e) : null)),
    serves("GET", "/properties/{id}/calendar/export").then((yes) => (yes ? api(`${base}/export`).catch((e) => e) : null)),
  ]);
  /** @param {any} answer @param {string} key @param {string} none */
  const listed = (answer, key, none) => {
    const items = Array.isArray(answer) ? answer : answer?.[key] || [];
    return items.length ? h("ul", {}, items.map((/** @type {any} */ item) => h("li", {}, text(item)))) : h("p", {}, none);
  };
  const url = /** @type {HTMLInputElement} */ (h("input", { id: "feed-url", type: "url", required: true, placeholder: "https://…/calendar.ics" }));
  const out = h("div", { "aria-live": "polite" });
  const add = /** @type {HTMLButtonElement} */ (h("button", { type: "button" }, "Import this calendar"));
  add.addEventListener("click", async () => {
    const added = await busy(add, out, "Adding the calendar…", () => api(`${base}/feeds`, { method: "POST", body: { url: url.value.trim() } }));
    if (added) out.replaceChildren(h("p", { class: "notice" }, "Calendar added; its nights appear on the calendar once it syncs."));
  });
  return h("section", { "aria-labelledby": "feeds" }, h("h2", { id: "feeds" }, "Calendars from other sites"),
    list instanceof Error ? problem(list) : listed(list, "feeds", "No calendar imported yet."),
    h("div", { class: "field" }, h("label", { for: "feed-url" }, "iCal link of another site's calendar"), url),
    h("div", { class: "actions" }, add), out,
    conflicts && h("h3", {}, "Conflicts with other sites"),
    conflicts && (conflicts instanceof Error ? problem(conflicts) : listed(conflicts, "conflicts", "No conflicts.")),
    exported && h("h3", {}, "This listing's calendar for other sites"),
    exported && (exported instanceof Error ? problem(exported) : summary(exported)));
}

/**
 * The sections the API serves today, for listing `id`.
 * @param {string} id
 * @returns {Promise<HTMLElement[]>}
 */
export async function extras(id) {
  const [hasPricing, hasFeeds] = await Promise.all([
    serves("GET", "/properties/{id}/pricing"),
    serves("GET", "/properties/{id}/calendar/feeds"),
  ]);
  return Promise.all([...(hasPricing ? [pricing(id)] : []), ...(hasFeeds ? [feeds(id)] : [])]);
}
