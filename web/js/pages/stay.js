// A property: its description, two months of availability, the quote's
// full breakdown for the chosen stay, and booking it with a card.

import { api, ApiError } from "../api.js";
import { session } from "../auth.js";
import { addDays, busy, field, formatMoney, h, legend, longDate, months, today, value } from "../ui.js";

/** @type {[string, string][]} */
const CARDS = [
  ["pm_card_visa", "Test Visa card (pays)"],
  ["pm_card_chargeDeclined", "Test card that is declined"],
];

/** Months shown: the check-in's month and the next. @param {string} checkIn */
export function calendarRange(checkIn) {
  const start = `${checkIn.slice(0, 7)}-01`;
  const next = new Date(`${start}T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 2);
  return { from: start, to: next.toISOString().slice(0, 10) };
}

/** @param {string} propertyId @param {string} checkIn */
export async function availability(propertyId, checkIn) {
  const { from, to } = calendarRange(checkIn);
  const answer = await api(`/properties/${encodeURIComponent(propertyId)}/availability?from=${from}&to=${to}`);
  return /** @type {{date: string, status: string}[]} */ (answer.nights);
}

/** @param {string} propertyId @param {string} checkIn */
async function calendar(propertyId, checkIn) {
  const now = today();
  const nights = await availability(propertyId, checkIn);
  const days = nights.map((n) => ({
    date: n.date,
    status: n.date < now ? "past" : n.status === "available" ? "free" : "taken",
    label: n.date < now ? "past" : n.status === "available" ? "free" : "not available",
  }));
  return h("div", {}, months(days), legend([["free", "Free"], ["taken", "Not available"]]));
}

/**
 * The quote's lines: nights, discount, cleaning, fees and taxes (the last
 * three as pricing adds them), and the total.
 * @param {any} quote
 */
export function breakdown(quote) {
  /** @type {[string, import("../api.js").Money, boolean?][]} */
  const lines = [[`${quote.nights} night${quote.nights === 1 ? "" : "s"}`, quote.nightly_total]];
  if (quote.discount && quote.discount.amount) {
    const off = quote.discount.amount;
    lines.push([`Length-of-stay discount (${quote.discount.percent}%)`, { ...off, amount: -Math.abs(off.amount) }]);
  }
  if (quote.cleaning_fee) lines.push(["Cleaning fee", quote.cleaning_fee]);
  for (const fee of quote.fees || []) lines.push([fee.name, fee.amount]);
  for (const tax of quote.taxes || []) lines.push([tax.name, tax.amount]);
  lines.push(["Total", quote.total, true]);
  const prices = quote.night_prices || [];
  const varies = prices.some((/** @type {any} */ p) => p.price.amount !== prices[0].price.amount);
  return h("div", {},
    h("table", { class: "quote" },
      h("caption", { class: "visually-hidden" }, "Price breakdown"),
      h("tbody", {}, lines.map(([name, money, total]) =>
        h("tr", { class: total ? "total" : "" }, h("th", { scope: "row" }, name), h("td", { class: "num" }, formatMoney(money)))))),
    varies && h("details", {}, h("summary", {}, "Price of each night"),
      h("ul", {}, prices.map((/** @type {any} */ p) => h("li", {}, `${longDate(p.date)}: ${formatMoney(p.price)}`)))));
}

/** @param {any} property */
function description(property) {
  return h("section", { "aria-labelledby": "about" },
    h("h2", { id: "about" }, "About this place"),
    h("p", {}, property.description),
    h("p", { class: "meta" }, `${property.city}, ${property.country} · ${property.bedrooms} bedrooms · up to ${property.max_guests} guests · `
      + `${property.min_nights}–${property.max_nights} nights · ${formatMoney(property.nightly_price)} a night · `
      + `${property.cancellation_policy} cancellation`),
    h("ul", { class: "tags", "aria-label": "Amenities" }, (property.amenities || []).map((/** @type {string} */ a) => h("li", {}, a.replace(/_/g, " ")))));
}

/** @param {import("../main.js").PageContext} context */
export async function stayPage({ main, params, query, go }) {
  const [id] = params;
  main.append(h("p", { class: "waiting", role: "status" }, "Loading the stay…"));
  const property = await api(`/properties/${encodeURIComponent(id)}`);
  const checkIn = query.get("check_in") || addDays(today(), 30);
  const stay = { check_in: checkIn, check_out: query.get("check_out") || addDays(checkIn, 3), guests: query.get("guests") || "2" };
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "panel", "aria-labelledby": "your-stay" },
    h("h2", { id: "your-stay" }, "Your stay"),
    h("div", { class: "fields" },
      field("Check-in", { id: "check_in", name: "check_in", type: "date", value: stay.check_in, required: true }),
      field("Check-out", { id: "check_out", name: "check_out", type: "date", value: stay.check_out, required: true }),
      field("Guests", { id: "guests", name: "guests", type: "number", min: 1, max: property.max_guests, value: stay.guests, required: true }),
      field("Payment", { tag: "select", id: "payment_method", name: "payment_method", value: "pm_card_visa", options: CARDS, wide: true }, "Test cards only: no money moves.")),
    h("div", { id: "quote", "aria-live": "polite" }),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "price" }, "Update price"),
      session() ? h("button", { class: "primary", type: "submit" }, "Book and pay")
        : h("a", { href: `/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, "data-link": true }, "Sign in to book")),
    h("div", { id: "booking-out" })));
  const calendarBox = h("section", { "aria-labelledby": "availability" }, h("h2", { id: "availability" }, "Availability"));
  main.replaceChildren(h("h1", {}, property.title),
    h("div", { class: "layout" }, h("div", {}, description(property), calendarBox), form));
  calendarBox.append(await calendar(id, checkIn).catch((e) => h("p", { class: "problem" }, e.message)));

  const quoteBox = /** @type {HTMLElement} */ (form.querySelector("#quote"));
  const bodyOf = () => ({ property_id: id, check_in: value(form, "check_in"), check_out: value(form, "check_out"), guests: Number(value(form, "guests")) });
  const price = async () => {
    const quote = await busy(/** @type {HTMLButtonElement} */ (form.querySelector("#price")), quoteBox, "Pricing your stay…",
      () => api("/quotes", { method: "POST", body: bodyOf() }));
    if (quote) quoteBox.replaceChildren(breakdown(quote));
  };
  /** @type {HTMLElement} */ (form.querySelector("#price")).addEventListener("click", price);
  form.addEventListener("change", (event) => {
    const name = event.target instanceof HTMLInputElement ? event.target.name : "";
    if (["check_in", "check_out", "guests"].includes(name)) price();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = /** @type {HTMLElement} */ (form.querySelector("#booking-out"));
    const booking = await busy(form.querySelector("button[type=submit]"), out, "Starting your booking…", () =>
      api("/bookings", { method: "POST", headers: { "Idempotency-Key": crypto.randomUUID() },
        body: { ...bodyOf(), payment_method: value(form, "payment_method") } }));
    if (booking) go(`/trips/${encodeURIComponent(booking.id)}`);
  });
  await price().catch((/** @type {unknown} */ e) => { if (!(e instanceof ApiError)) throw e; });
}
