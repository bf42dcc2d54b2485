// A listing's calendars on other sites: its own calendar's secret iCal link
// (to give them, and to replace), the calendars it imports (add, sync now,
// remove; each with its last sync and the reason a sync changed nothing),
// and the conflicts: nights another site closed that a Berth guest holds.

import { api, serves } from "../api.js";
import { busy, dateTime, field, h, longDate, problem, scroller, value, waiting } from "../ui.js";

/** @typedef {{id: string, name: string, url: string, last_synced_at: string | null, last_error: string | null, events: number}} Feed */
/** @typedef {{date: string, feed_id: string, event_uid: string, booking_id: string}} Conflict */

/** @param {string} id */
const base = (id) => `/properties/${encodeURIComponent(id)}/calendar`;

/** Whether the API serves calendar sync (another part of Berth adds it). */
export function syncServed() {
  return serves("GET", "/properties/{id}/calendar/feeds");
}

/**
 * The nights an imported calendar closes that a Berth booking holds, for
 * the host calendar to mark; empty where the API has no such route.
 * @param {string} id
 * @returns {Promise<Conflict[]>}
 */
export async function conflictsOf(id) {
  if (!(await serves("GET", "/properties/{id}/calendar/conflicts"))) return [];
  return (await api(`${base(id)}/conflicts`)).conflicts;
}

/**
 * The names of the calendars a listing imports, by id; empty where the API
 * has no calendar sync.
 * @param {string} id
 * @returns {Promise<Map<string, string>>}
 */
export async function feedNamesOf(id) {
  if (!(await syncServed())) return new Map();
  const { feeds } = await api(`${base(id)}/feeds`);
  return new Map(feeds.map((/** @type {Feed} */ f) => [f.id, f.name]));
}

/** @param {string} id */
async function exportSection(id) {
  const out = h("div", { "aria-live": "polite" });
  const link = /** @type {HTMLInputElement} */ (h("input", { id: "export-url", readonly: true, value: "" }));
  const show = (/** @type {{url: string}} */ answer) => { link.value = answer.url; };
  show(await api(`${base(id)}/export`));
  const rotate = /** @type {HTMLButtonElement} */ (h("button", { type: "button" }, "Replace the link"));
  rotate.addEventListener("click", async () => {
    const answer = await busy(rotate, out, "Making a new link…", () => api(`${base(id)}/export/rotate`, { method: "POST" }));
    if (!answer) return;
    show(answer);
    out.replaceChildren(h("p", { class: "notice" }, "A new link is ready; the old one no longer works. Give the new one to the other sites."));
  });
  return h("section", { "aria-labelledby": "export-title" },
    h("h2", { id: "export-title" }, "This listing's calendar for other sites"),
    h("div", { class: "field wide" }, h("label", { for: "export-url" }, "iCal link (keep it secret: anyone with it sees which nights are taken)"), link),
    h("div", { class: "actions" }, rotate), out);
}

/**
 * One imported calendar, with "Sync now" and "Remove".
 * @param {string} id @param {Feed} feed @param {() => void} changed
 */
function feedItem(id, feed, changed) {
  const out = h("div", { "aria-live": "polite" });
  const status = () => {
    const synced = h("p", { class: "meta" }, feed.last_synced_at
      ? `Last synced ${dateTime(feed.last_synced_at)}; ${feed.events} event${feed.events === 1 ? "" : "s"} imported.` : "Not synced yet.");
    return feed.last_error ? [synced, h("p", { class: "problem" }, `The last sync changed nothing: ${feed.last_error}`)] : [synced];
  };
  const state = h("div", {}, status());
  const sync = /** @type {HTMLButtonElement} */ (h("button", { type: "button" }, `Sync ${feed.name} now`));
  sync.addEventListener("click", async () => {
    const synced = await busy(sync, out, "Syncing…", () => api(`${base(id)}/feeds/${encodeURIComponent(feed.id)}/sync`, { method: "POST" }));
    if (!synced) return;
    feed = synced;
    state.replaceChildren(...status());
    changed();
  });
  const remove = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "danger" }, `Remove ${feed.name}`));
  remove.addEventListener("click", async () => {
    const done = await busy(remove, out, "Removing…",
      () => api(`${base(id)}/feeds/${encodeURIComponent(feed.id)}`, { method: "DELETE" }).then(() => true));
    if (done) changed();
  });
  return h("li", { class: "card" }, h("h3", {}, feed.name), h("p", { class: "meta url" }, feed.url), state,
    h("div", { class: "actions" }, sync, remove), out);
}

/** @param {Conflict[]} conflicts @param {Feed[]} feeds */
function conflictTable(conflicts, feeds) {
  if (!conflicts.length) return h("p", {}, "No conflicts: no other site has closed a night a Berth guest holds.");
  const name = (/** @type {string} */ fid) => feeds.find((f) => f.id === fid)?.name || fid;
  return h("div", {},
    h("p", {}, "Another site closed these nights, but a Berth guest holds them; the booking keeps them. Cancel on the other site, or contact the guest."),
    scroller("Conflicting nights", h("table", {},
      h("thead", {}, h("tr", {}, ["Night", "Closed by", "Berth booking"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, conflicts.map((c) => h("tr", {},
        h("td", {}, longDate(c.date)), h("td", {}, name(c.feed_id)),
        h("td", {}, c.booking_id)))))));
}

/** @param {import("../main.js").PageContext} context */
export async function feedsPage({ main, params }) {
  const [id] = params;
  main.append(waiting("Loading the listing's calendars…"));
  const property = await api(`/properties/${encodeURIComponent(id)}`);
  if (!(await syncServed())) {
    main.replaceChildren(h("h1", {}, `Calendars of ${property.title}`), h("p", {}, "This deployment does not sync calendars with other sites."));
    return;
  }
  const imported = h("section", { "aria-labelledby": "imported-title" }, h("h2", { id: "imported-title" }, "Calendars imported from other sites"));
  const conflictsBox = h("section", { "aria-labelledby": "conflicts-title" }, h("h2", { id: "conflicts-title" }, "Conflicts"));
  const refresh = async () => {
    const [{ feeds }, conflicts] = await Promise.all([api(`${base(id)}/feeds`), conflictsOf(id)]);
    imported.replaceChildren(imported.firstChild || "",
      feeds.length ? h("ul", { class: "results", "aria-label": "Imported calendars" }, feeds.map((/** @type {Feed} */ f) => feedItem(id, f, () => refresh().catch(show))))
        : h("p", {}, "None yet: add another site's iCal link below, and its taken nights close here."),
      addForm);
    conflictsBox.replaceChildren(conflictsBox.firstChild || "", conflictTable(conflicts, feeds));
  };
  const show = (/** @type {unknown} */ error) => imported.append(problem(error));
  const addForm = /** @type {HTMLFormElement} */ (h("form", { class: "panel", "aria-labelledby": "add-feed-title" },
    h("h3", { id: "add-feed-title" }, "Import a calendar"),
    h("div", { class: "fields" },
      field("Site", { id: "feed-name", name: "name", required: true, maxlength: 80, placeholder: "e.g. Airbnb" }),
      field("Its iCal link", { id: "feed-url", name: "url", type: "url", required: true, wide: true, placeholder: "https://…/calendar.ics" })),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Import this calendar")),
    h("div", { class: "out", "aria-live": "polite" })));
  addForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = /** @type {HTMLElement} */ (addForm.querySelector(".out"));
    const added = await busy(addForm.querySelector("button[type=submit]"), out, "Adding the calendar…",
      () => api(`${base(id)}/feeds`, { method: "POST", body: { name: value(addForm, "name"), url: value(addForm, "url") } }));
    if (!added) return;
    addForm.reset();
    await refresh();
    out.replaceChildren(h("p", { class: "notice" }, `${added.name} added; it syncs every 15 minutes, or now with "Sync ${added.name} now".`));
  });
  const exported = await exportSection(id).catch((e) => h("section", {}, problem(e)));
  main.replaceChildren(h("h1", {}, `Calendars of ${property.title}`),
    h("p", {}, h("a", { href: `/host/listings/${encodeURIComponent(id)}`, "data-link": true }, "Back to the listing")),
    imported, conflictsBox, exported);
  await refresh();
}
