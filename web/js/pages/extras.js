// Parts of a listing's page for features the API gains over time: its
// imported calendars (iCal feeds) and their conflicts, and its export link.
// Each appears only once the API lists its route in openapi.json, and shows
// what the API answers.

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
  return (await serves("GET", "/properties/{id}/calendar/feeds")) ? [await feeds(id)] : [];
}
