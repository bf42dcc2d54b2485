// A host's listings: the list, creating and editing one, its calendar
// (block and unblock nights, see guests' bookings) and its pricing.
// Imported calendar feeds appear on a listing once the API serves them.

import { api } from "../api.js";
import { extras } from "./extras.js";
import { conflictsOf, feedNamesOf } from "./feeds.js";
import { pricingSection } from "./pricing.js";
import { addDays, busy, field, formatMoney, h, legend, longDate, months, problem, scroller, toMajor, toMinor, today, value, waiting } from "../ui.js";
import { calendarRange } from "./stay.js";

/** @type {[string, string][]} */
const AMENITIES = [
  ["wifi", "Wi-Fi"], ["kitchen", "Kitchen"], ["parking", "Parking"], ["washer", "Washer"],
  ["workspace", "Workspace"], ["heating", "Heating"], ["air_conditioning", "Air conditioning"], ["balcony", "Balcony"],
];
const POLICIES = /** @type {[string, string][]} */ ([["flexible", "Flexible: full refund until 24 h before"], ["moderate", "Moderate: full refund until 5 days before"], ["strict", "Strict: half refunded until 7 days before"]]);
/** Listings a page of "My listings" shows. */
const LISTINGS_PAGE = 20;

/** @returns {Promise<any[]>} the host's bookings, newest first */
async function hostBookings() {
  const { bookings } = await api("/bookings?role=host&limit=100");
  return bookings;
}

/** @param {any} p a listing @param {any[]} bookings the host's */
function listingCard(p, bookings) {
  const upcoming = bookings.filter((b) => b.property_id === p.id && b.status === "CONFIRMED" && b.check_out >= today()).length;
  return h("li", { class: "card" },
    h("h2", {}, h("a", { href: `/host/listings/${encodeURIComponent(p.id)}`, "data-link": true }, p.title)),
    h("p", { class: "meta" }, `${p.city}, ${p.country} · ${formatMoney(p.nightly_price)} a night`),
    h("p", {}, `${upcoming} upcoming booking${upcoming === 1 ? "" : "s"}`));
}

/** The host's own listings (GET /me/properties), newest first, a page at a time. @param {import("../main.js").PageContext} context */
export async function listingsPage({ main }) {
  const status = h("div", { role: "status" });
  const list = h("ul", { class: "results", "aria-label": "Your listings" });
  const more = h("div", { class: "actions" });
  main.append(h("h1", {}, "My listings"),
    h("p", {}, h("a", { href: "/host/new", "data-link": true }, "Add a listing")), status, list, more);
  const bookings = await busy(null, status, "Loading your listings…", hostBookings);
  if (!bookings) return;
  /** @param {string | null} cursor @param {HTMLButtonElement | null} button */
  const page = async (cursor, button) => {
    const q = new URLSearchParams({ limit: String(LISTINGS_PAGE) });
    if (cursor) q.set("cursor", cursor);
    const result = await busy(button, status, "Loading your listings…", () => api(`/me/properties?${q}`));
    if (!result) return;
    for (const p of result.properties) list.append(listingCard(p, bookings));
    const shown = list.children.length;
    status.replaceChildren(shown ? `${shown} listing${shown === 1 ? "" : "s"}${result.next_cursor ? " shown; more below" : ""}.`
      : h("p", {}, "No listings yet: add one to start taking bookings."));
    const next = /** @type {HTMLButtonElement} */ (h("button", { type: "button" }, "Show more listings"));
    next.addEventListener("click", () => page(result.next_cursor, next));
    more.replaceChildren(...(result.next_cursor ? [next] : []));
  };
  await page(null, null);
}

/**
 * The listing form: every field when creating; what may change when editing.
 * @param {any | null} p the listing being edited
 */
function listingForm(p) {
  const currency = p ? p.nightly_price.currency : "EUR";
  const has = new Set(p ? p.amenities : ["wifi", "kitchen"]);
  return /** @type {HTMLFormElement} */ (h("form", { class: "panel", "aria-label": p ? "Edit listing" : "New listing" },
    h("div", { class: "fields" },
      field("Title", { id: "title", name: "title", value: p?.title || "", required: true, wide: true, maxlength: 120 }),
      field("Description", { tag: "textarea", id: "description", name: "description", rows: 3, wide: true, required: true }),
      !p && field("City", { id: "city", name: "city", required: true, value: "Lisbon" }),
      !p && field("Country", { id: "country", name: "country", required: true, value: "PT", maxlength: 2 }, "Two letters, such as PT"),
      !p && field("Latitude", { id: "lat", name: "lat", type: "number", step: "any", required: true, value: "38.71" }),
      !p && field("Longitude", { id: "lon", name: "lon", type: "number", step: "any", required: true, value: "-9.14" }),
      field("Guests at most", { id: "max_guests", name: "max_guests", type: "number", min: 1, required: true, value: p?.max_guests ?? 4 }),
      field("Bedrooms", { id: "bedrooms", name: "bedrooms", type: "number", min: 0, required: true, value: p?.bedrooms ?? 2 }),
      !p && field("Currency", { tag: "select", id: "currency", name: "currency", value: currency, options: [["EUR", "EUR"], ["GBP", "GBP"], ["USD", "USD"]] }),
      field(`Price a night${p ? ` (${currency})` : ""}`, { id: "nightly_price", name: "nightly_price", type: "number", min: 0, step: "any", required: true, value: p ? toMajor(p.nightly_price) : "120" }),
      field(`Cleaning fee${p ? ` (${currency})` : ""}`, { id: "cleaning_fee", name: "cleaning_fee", type: "number", min: 0, step: "any", required: true, value: p ? toMajor(p.cleaning_fee) : "30" }),
      field("Fewest nights", { id: "min_nights", name: "min_nights", type: "number", min: 1, required: true, value: p?.min_nights ?? 2 }),
      field("Most nights", { id: "max_nights", name: "max_nights", type: "number", min: 1, required: true, value: p?.max_nights ?? 30 }),
      field("Cancellation policy", { tag: "select", id: "cancellation_policy", name: "cancellation_policy", value: p?.cancellation_policy || "moderate", options: POLICIES, wide: true }),
      h("fieldset", { class: "choices" }, h("legend", {}, "Amenities"),
        h("div", { class: "options" }, AMENITIES.map(([key, text]) =>
          h("label", {}, h("input", { type: "checkbox", name: "amenities", value: key, checked: has.has(key) }), text))))),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, p ? "Save changes" : "Create listing")),
    h("div", { class: "out", "aria-live": "polite" })));
}

/** @param {HTMLFormElement} form @param {string} currency */
function listingBody(form, currency) {
  const number = (/** @type {string} */ name) => Number(value(form, name));
  return {
    title: value(form, "title"),
    description: value(form, "description"),
    max_guests: number("max_guests"),
    bedrooms: number("bedrooms"),
    amenities: [...form.querySelectorAll("input[name=amenities]:checked")].map((e) => /** @type {HTMLInputElement} */ (e).value),
    nightly_price: { amount: toMinor(value(form, "nightly_price"), currency), currency },
    cleaning_fee: { amount: toMinor(value(form, "cleaning_fee"), currency), currency },
    min_nights: number("min_nights"),
    max_nights: number("max_nights"),
    cancellation_policy: value(form, "cancellation_policy"),
  };
}

/** @param {import("../main.js").PageContext} context */
export function newListingPage({ main, go }) {
  const form = listingForm(null);
  /** @type {HTMLTextAreaElement} */ (form.querySelector("#description")).value = "";
  main.append(h("h1", {}, "New listing"), form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const currency = value(form, "currency");
    const body = { ...listingBody(form, currency), city: value(form, "city"), country: value(form, "country").toUpperCase(),
      location: { lat: Number(value(form, "lat")), lon: Number(value(form, "lon")) } };
    const created = await busy(form.querySelector("button[type=submit]"), /** @type {HTMLElement} */ (form.querySelector(".out")),
      "Creating your listing…", () => api("/properties", { method: "POST", body }));
    if (created) {
      go(`/host/listings/${encodeURIComponent(created.id)}`);
    }
  });
}

/**
 * One night of the host's calendar, in words: free, held or booked by a
 * guest, blocked, or closed by another site's calendar (and a conflict when
 * both a guest and another site have it).
 * @param {string} date
 * @param {any} night its entry in GET /properties/{id}/calendar, if taken
 * @param {{bookings: Map<string, any>, conflicted: Set<string>, feeds: Map<string, string>}} known
 */
function hostDay(date, night, known) {
  if (!night) return { date, status: date < today() ? "past" : "free", label: "free" };
  if (night.state === "BLOCKED") return { date, status: "blocked", label: "blocked" };
  if (night.state === "IMPORTED") {
    return { date, status: "imported", label: `closed by ${known.feeds.get(night.feed_id) || "another site's calendar"}` };
  }
  const booking = known.bookings.get(night.booking_id);
  const who = `${night.state === "HELD" ? "held" : "booked"} by ${booking ? `${booking.guest_id} (${booking.status.toLowerCase()})` : "a guest"}`;
  return known.conflicted.has(date) ? { date, status: "booked conflict", label: `${who}; another site closed it too: a conflict` }
    : { date, status: "booked", label: who };
}

/**
 * The host's calendar: each night free, booked (by whom), blocked, or
 * closed by another site's calendar (GET /properties/{id}/calendar).
 * @param {string} id
 * @param {string} month first day of the first month shown
 * @param {any[]} bookings
 * @param {(date: string) => void} pick
 */
async function hostCalendar(id, month, bookings, pick) {
  const { from, to } = calendarRange(month);
  const [taken, conflicts, feeds] = await Promise.all([
    api(`/properties/${encodeURIComponent(id)}/calendar?from=${from}&to=${to}`), conflictsOf(id), feedNamesOf(id)]);
  /** @type {Map<string, any>} */
  const nights = new Map(taken.nights.map((/** @type {any} */ n) => [n.date, n]));
  const known = { bookings: new Map(bookings.map((b) => [b.id, b])), conflicted: new Set(conflicts.map((c) => c.date)), feeds };
  const days = [];
  for (let date = from; date < to; date = addDays(date, 1)) days.push(hostDay(date, nights.get(date), known));
  const shown = new Set(days.map((d) => d.status));
  /** @type {[string, string][]} */
  const meanings = [["free", "Free"], ["blocked", "Blocked"], ["booked", "Booked by a guest"],
    ["imported", "Closed by another site's calendar"], ["booked conflict", "Booked here, closed by another site: a conflict"]];
  return h("div", {},
    months(days, (day) => h("button", { type: "button", class: `day ${day.status}`, "data-date": day.date, onclick: () => pick(day.date) },
      h("span", { "aria-hidden": "true" }, String(Number(day.date.slice(8)))),
      h("span", { class: "visually-hidden" }, `${longDate(day.date)}: ${day.label}`))),
    legend(meanings.filter(([status], i) => i < 3 || shown.has(status))));
}

/** @param {string} id @param {any[]} bookings */
function bookingTable(id, bookings) {
  const mine = bookings.filter((b) => b.property_id === id);
  if (!mine.length) return h("p", {}, "No bookings yet.");
  return scroller("Bookings", h("table", {},
    h("thead", {}, h("tr", {}, ["Guest", "Nights", "Status", "Total"].map((t) => h("th", { scope: "col", class: t === "Total" ? "num" : "" }, t)))),
    h("tbody", {}, mine.map((b) => h("tr", {},
      h("td", {}, b.guest_id), h("td", {}, `${longDate(b.check_in)} – ${longDate(b.check_out)}`),
      h("td", {}, b.status), h("td", { class: "num" }, formatMoney(b.total)))))));
}

/** @param {import("../main.js").PageContext} context */
export async function listingPage({ main, params, query, go }) {
  const [id] = params;
  main.append(waiting("Loading the listing…"));
  const [p, bookings] = await Promise.all([api(`/properties/${encodeURIComponent(id)}`), hostBookings()]);
  const month = query.get("month") || `${today().slice(0, 7)}-01`;
  const range = /** @type {HTMLFormElement} */ (h("form", { class: "panel", "aria-labelledby": "block-title" },
    h("h3", { id: "block-title" }, "Block or free nights"),
    h("p", { class: "hint" }, "Pick the first and the last night on the calendar, or type the dates."),
    h("div", { class: "fields" },
      field("First night", { id: "from", name: "from", type: "date", required: true }),
      field("Last night", { id: "last", name: "last", type: "date", required: true })),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", value: "block" }, "Block these nights"),
      h("button", { type: "submit", value: "unblock" }, "Free these nights")),
    h("div", { class: "out", "aria-live": "polite" })));
  const set = (/** @type {string} */ name, /** @type {string} */ v) => { /** @type {HTMLInputElement} */ (range.elements.namedItem(name)).value = v; };
  /** Marks the nights between the two dates picked, as the form holds them. */
  const mark = () => {
    const from = value(range, "from");
    const last = value(range, "last") || from;
    for (const button of main.querySelectorAll("button.day")) {
      const date = button.getAttribute("data-date") || "";
      button.setAttribute("aria-pressed", String(Boolean(from) && date >= from && date <= last));
    }
  };
  const pick = (/** @type {string} */ date) => {
    const from = value(range, "from");
    if (!from || value(range, "last") || date < from) { set("from", date); set("last", ""); } else set("last", date);
    mark();
  };
  range.addEventListener("input", mark);
  const calendarBox = h("div", {}, await hostCalendar(id, month, bookings, pick));
  const shift = (/** @type {number} */ by) => {
    const d = new Date(`${month}T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() + by);
    go(`/host/listings/${encodeURIComponent(id)}?month=${d.toISOString().slice(0, 10)}`);
  };
  const edit = listingForm(p);
  /** @type {HTMLTextAreaElement} */ (edit.querySelector("#description")).value = p.description;
  main.replaceChildren(h("h1", {}, p.title),
    h("p", {}, h("a", { href: `/stays/${encodeURIComponent(id)}`, "data-link": true }, "See it as a guest")),
    h("section", { "aria-labelledby": "calendar-title" }, h("h2", { id: "calendar-title" }, "Calendar"),
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => shift(-1) }, "Earlier months"),
        h("button", { type: "button", onclick: () => shift(1) }, "Later months")),
      calendarBox, range),
    h("section", { "aria-labelledby": "bookings-title" }, h("h2", { id: "bookings-title" }, "Bookings"), bookingTable(id, bookings)),
    await pricingSection(id, p.nightly_price.currency).catch((e) => h("section", {}, h("h2", {}, "Pricing"), problem(e))),
    ...(await extras(id)),
    h("section", { "aria-labelledby": "edit-title" }, h("h2", { id: "edit-title" }, "Details"), edit));
  range.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submitter = /** @type {HTMLButtonElement} */ (/** @type {SubmitEvent} */ (event).submitter);
    const body = { from: value(range, "from"), to: addDays(value(range, "last") || value(range, "from"), 1), blocked: submitter.value === "block" };
    const out = /** @type {HTMLElement} */ (range.querySelector(".out"));
    const done = await busy(submitter, out, "Saving the calendar…", () => api(`/properties/${encodeURIComponent(id)}/calendar`, { method: "PUT", body }));
    if (done === undefined) return;
    calendarBox.replaceChildren(await hostCalendar(id, month, bookings, pick));
    out.replaceChildren(h("p", { class: "notice" }, `${body.blocked ? "Blocked" : "Freed"} ${longDate(body.from)} to ${longDate(addDays(body.to, -1))}.`));
  });
  edit.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = /** @type {HTMLElement} */ (edit.querySelector(".out"));
    const saved = await busy(edit.querySelector("button[type=submit]"), out, "Saving…",
      () => api(`/properties/${encodeURIComponent(id)}`, { method: "PATCH", body: listingBody(edit, p.nightly_price.currency) }));
    if (saved) out.replaceChildren(h("p", { class: "notice" }, "Saved."));
  });
}
