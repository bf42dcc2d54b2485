// A guest's bookings: one booking followed live as the workflow runs
// (PENDING → HELD → PAID → CONFIRMED, or FAILED with its reason), and
// "my trips" with cancelling and the refund the policy gives, shown first.

import { api } from "../api.js";
import { busy, dateTime, formatMoney, h, longDate, problem, waiting } from "../ui.js";

const STEPS = ["PENDING", "HELD", "PAID", "CONFIRMED"];
const STEP_NAMES = { PENDING: "Requested", HELD: "Nights held", PAID: "Paid", CONFIRMED: "Confirmed" };
const SETTLED = ["CONFIRMED", "FAILED", "CANCELLED", "EXPIRED"];

/** @type {Record<string, string>} */
const REASONS = {
  NIGHTS_UNAVAILABLE: "Someone else took some of those nights while you were booking. You were not charged.",
  PAYMENT_DECLINED: "Your card was declined. You were not charged, and the nights are free again.",
  PAYMENT_UNAVAILABLE: "The payment service could not be reached. You were not charged; please try again later.",
  HOLD_EXPIRED: "The nights were held for you, but payment did not finish in time. You were not charged.",
  INVALID_STAY: "This stay does not fit the listing's rules (number of guests or of nights). You were not charged.",
  SYSTEM_ERROR: "Berth could not finish this booking. You were not charged.",
};

/** @param {any} booking */
export function failureText(booking) {
  return REASONS[booking.failure_reason] || `The booking failed (${booking.failure_reason || "no reason given"}).`;
}

/** @type {Map<string, Promise<any>>} */
const properties = new Map();
/** @param {string} id */
function property(id) {
  if (!properties.has(id)) properties.set(id, api(`/properties/${encodeURIComponent(id)}`).catch(() => null));
  return /** @type {Promise<any>} */ (properties.get(id));
}

/** @param {string} status */
function badge(status) {
  return h("span", { class: `status ${status}` }, status);
}

/** @param {any} booking */
function progress(booking) {
  const at = STEPS.indexOf(booking.status);
  const settled = SETTLED.includes(booking.status);
  return h("div", {},
    h("ol", { class: "steps", "aria-label": "Booking progress" }, STEPS.map((step, i) =>
      h("li", { class: i < at || booking.status === "CONFIRMED" ? "done" : i === at ? "now" : "" }, /** @type {any} */ (STEP_NAMES)[step]))),
    !settled && h("progress", { max: STEPS.length - 1, value: Math.max(at, 0), "aria-label": "Booking progress" }));
}

/** @param {any} booking @param {any} home */
function summary(booking, home) {
  return h("p", {}, `${home ? home.title + " · " : ""}${longDate(booking.check_in)} to ${longDate(booking.check_out)} · `
    + `${booking.guests} guest${booking.guests === 1 ? "" : "s"} · ${formatMoney(booking.total)}`);
}

/**
 * Follows a booking until it settles: quick polls first, then slower, for
 * at most two minutes (the workflow normally settles in well under a second).
 * @param {string} id
 * @param {(booking: any) => void} show
 */
async function follow(id, show) {
  let delay = 150;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const booking = await api(`/bookings/${encodeURIComponent(id)}`);
    show(booking);
    if (SETTLED.includes(booking.status)) return booking;
    if (Date.now() > deadline) throw new Error("The booking is taking longer than usual. It will finish on its own: check My trips in a minute.");
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

/** @param {import("../main.js").PageContext} context */
export async function tripPage({ main, params }) {
  const [id] = params;
  const state = h("div", { "aria-live": "polite" }, waiting("Loading your booking…"));
  main.append(h("h1", {}, "Your booking"), state);
  const first = await api(`/bookings/${encodeURIComponent(id)}`);
  const home = await property(first.property_id);
  await follow(id, (booking) => {
    const settled = SETTLED.includes(booking.status);
    state.replaceChildren(h("div", {},
      h("p", {}, "Status: ", badge(booking.status)),
      summary(booking, home),
      !["FAILED", "EXPIRED", "CANCELLED"].includes(booking.status) && progress(booking),
      !settled && waiting(booking.status === "PAID" ? "Confirming…" : booking.status === "HELD" ? "Taking payment…" : "Holding your nights…"),
      booking.status === "CONFIRMED" && h("p", { class: "notice" }, "Booked. Have a good stay! It is listed under ", h("a", { href: "/trips", "data-link": true }, "My trips"), "."),
      booking.status === "FAILED" && h("div", { class: "problem", role: "alert" }, h("strong", {}, "Not booked. "), failureText(booking)),
      booking.status === "EXPIRED" && h("div", { class: "problem", role: "alert" }, REASONS.HOLD_EXPIRED),
      settled && h("p", {}, h("a", { href: `/stays/${encodeURIComponent(booking.property_id)}?check_in=${booking.check_in}&check_out=${booking.check_out}&guests=${booking.guests}`, "data-link": true }, "Back to the stay"))));
  }).catch((error) => state.append(problem(error)));
}

/** @param {any} booking */
function refundText(booking) {
  const terms = booking.cancellation;
  if (!terms) return `The ${booking.cancellation_policy} cancellation policy decides the refund.`;
  const until = dateTime(terms.refund_until);
  return terms.refund.amount > 0
    ? `If you cancel now you get ${formatMoney(terms.refund)} back (the ${booking.cancellation_policy} policy refunds until ${until}).`
    : `The ${booking.cancellation_policy} policy's refund window closed on ${until}: cancelling now refunds nothing.`;
}

/**
 * Asks before cancelling, with the refund the policy gives now.
 * @param {any} booking
 * @param {() => void} done
 */
function cancelDialog(booking, done) {
  const out = h("div", { "aria-live": "polite" }, waiting("Working out your refund…"));
  const confirm = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "danger", disabled: true }, "Cancel the booking"));
  const keep = h("button", { type: "button" }, "Keep it");
  const dialog = /** @type {HTMLDialogElement} */ (h("dialog", { "aria-labelledby": "cancel-title" },
    h("h2", { id: "cancel-title" }, "Cancel this booking?"), out, h("div", { class: "actions" }, confirm, keep)));
  keep.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  confirm.addEventListener("click", async () => {
    const result = await busy(confirm, out, "Cancelling…", () => api(`/bookings/${encodeURIComponent(booking.id)}/cancel`, { method: "POST" }));
    if (!result) return;
    dialog.close();
    done();
  });
  document.body.append(dialog);
  dialog.showModal();
  api(`/bookings/${encodeURIComponent(booking.id)}`)
    .then((fresh) => { out.replaceChildren(h("p", {}, refundText(fresh))); confirm.disabled = false; })
    .catch((error) => out.replaceChildren(problem(error)));
}

/** @param {import("../main.js").PageContext} context */
export async function tripsPage({ main, go }) {
  const list = h("ul", { class: "trips" });
  const status = h("div", { role: "status" }, waiting("Loading your trips…"));
  main.append(h("h1", {}, "My trips"), status, list);
  const { bookings } = await api("/bookings?role=guest&limit=50");
  status.replaceChildren(bookings.length ? "" : h("p", {}, "No trips yet. ", h("a", { href: "/", "data-link": true }, "Find a stay"), "."));
  for (const booking of bookings) {
    const home = await property(booking.property_id);
    list.append(h("li", { class: "card" },
      h("h2", {}, h("a", { href: `/trips/${encodeURIComponent(booking.id)}`, "data-link": true }, home ? home.title : booking.property_id)),
      h("p", {}, badge(booking.status)),
      summary(booking, null),
      booking.status === "FAILED" && h("p", { class: "meta" }, failureText(booking)),
      booking.refund && h("p", { class: "notice" }, `Refunded ${formatMoney(booking.refund)}.`),
      booking.status === "CONFIRMED" && h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => cancelDialog(booking, () => go("/trips", true)) }, "Cancel…"))));
  }
}
