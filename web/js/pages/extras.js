// The part of a listing's page for calendar sync with other sites, which
// another part of Berth adds to the API: shown once openapi.json lists its
// routes, as a link to the listing's calendars page (pages/feeds.js).

import { api } from "../api.js";
import { h } from "../ui.js";
import { syncServed } from "./feeds.js";

/**
 * The sections the API serves today, for listing `id`.
 * @param {string} id
 * @returns {Promise<HTMLElement[]>}
 */
export async function extras(id) {
  if (!(await syncServed())) return [];
  const { feeds } = await api(`/properties/${encodeURIComponent(id)}/calendar/feeds`);
  return [h("section", { "aria-labelledby": "feeds" }, h("h2", { id: "feeds" }, "Calendars from other sites"),
    h("p", {}, feeds.length ? `Importing ${feeds.map((/** @type {{name: string}} */ f) => f.name).join(", ")}.` : "No calendar imported yet."),
    h("p", {}, h("a", { href: `/host/listings/${encodeURIComponent(id)}/calendars`, "data-link": true }, "Manage calendars from other sites")))];
}
