// A listing's pricing, as a form: seasons, weekday prices, length-of-stay
// discounts, fees, taxes and stay rules (GET and PUT
// /properties/{id}/pricing). Money is typed in the listing's currency, in
// major units; the API names any field it refuses.

import { api, ApiError } from "../api.js";
import { busy, field, formatMoney, h, toMajor, toMinor } from "../ui.js";

/** @typedef {import("../api.js").Money} Money */

const DAYS = /** @type {[string, string][]} */ ([["mon", "Monday"], ["tue", "Tuesday"], ["wed", "Wednesday"],
  ["thu", "Thursday"], ["fri", "Friday"], ["sat", "Saturday"], ["sun", "Sunday"]]);
const PER = /** @type {[string, string][]} */ ([["stay", "per stay"], ["night", "per night"], ["guest", "per guest"], ["guest_night", "per guest per night"]]);
const TAX_KINDS = /** @type {[string, string][]} */ ([["percent", "% of the nights' price"], ["per_guest_night", "per guest per night"]]);

/**
 * A list of like rows (seasons, fees, …), each a fieldset, with "Add" and
 * "Remove" buttons; `row(values, n)` builds the fields of row n.
 * @param {string} kind the rows' name, e.g. "season" (ids: season-0-from)
 * @param {string} title
 * @param {any[]} rows the stored values
 * @param {(values: any, prefix: string) => HTMLElement[]} row
 */
function rowList(kind, title, rows, row) {
  const list = h("div", { class: "rows", "data-kind": kind });
  let made = 0;
  const add = (/** @type {any} */ values) => {
    const n = made++;
    const remove = h("button", { type: "button" }, `Remove ${kind} ${n + 1}`);
    const box = h("fieldset", { class: "row", "data-row": kind },
      h("legend", {}, `${title} ${n + 1}`), h("div", { class: "fields" }, row(values, `${kind}-${n}`)), remove);
    remove.addEventListener("click", () => box.remove());
    list.append(box);
  };
  for (const values of rows) add(values);
  const more = h("button", { type: "button" }, `Add a ${kind.replace("_", " ")}`);
  more.addEventListener("click", () => {
    add({});
    /** @type {HTMLElement | null} */ (list.lastElementChild?.querySelector("input, select") || null)?.focus();
  });
  return h("div", {}, list, h("div", { class: "actions" }, more));
}

/** @param {Money | undefined} money */
const major = (money) => (money ? String(toMajor(money)) : "");

/** @param {any} d the pricing document @param {string} currency */
function pricingForm(d, currency) {
  const money = (/** @type {string} */ label) => `${label} (${currency})`;
  return /** @type {HTMLFormElement} */ (h("form", { class: "panel", "aria-labelledby": "pricing", novalidate: true },
    h("h3", {}, "Seasons"),
    h("p", { class: "hint" }, "A season's nightly price replaces the weekday and base prices on its nights."),
    rowList("season", "Season", d.seasons || [], (s, id) => [
      field("First night", { id: `${id}-from`, name: "from", type: "date", value: s.from || "" }),
      field("Ends before", { id: `${id}-to`, name: "to", type: "date", value: s.to || "" }, "The first night no longer in the season"),
      field(money("Price a night"), { id: `${id}-price`, name: "nightly_price", type: "number", min: 0, step: "any", value: major(s.nightly_price) }),
      field("Fewest nights", { id: `${id}-min`, name: "min_nights", type: "number", min: 1, value: s.min_nights ?? "" }, "Optional"),
    ]),
    h("fieldset", { class: "choices" }, h("legend", {}, money("Weekday prices")),
      h("p", { class: "hint" }, "Optional: a price for a day of the week outside seasons."),
      h("div", { class: "fields" }, DAYS.map(([key, name]) =>
        field(name, { id: `weekday-${key}`, name: `weekday-${key}`, type: "number", min: 0, step: "any", value: major(d.weekday_prices?.[key]) })))),
    h("h3", {}, "Length-of-stay discounts"),
    rowList("discount", "Discount", d.length_discounts || [], (x, id) => [
      field("From this many nights", { id: `${id}-nights`, name: "min_nights", type: "number", min: 1, value: x.min_nights ?? "" }),
      field("Percent off the nights", { id: `${id}-percent`, name: "percent", type: "number", min: 1, max: 100, value: x.percent ?? "" }),
    ]),
    h("h3", {}, "Fees"),
    rowList("fee", "Fee", d.fees || [], (f, id) => [
      field("Name", { id: `${id}-name`, name: "name", value: f.name || "" }),
      field(money("Amount"), { id: `${id}-amount`, name: "amount", type: "number", min: 0, step: "any", value: major(f.amount) }),
      field("Charged", { tag: "select", id: `${id}-per`, name: "per", value: f.per || "stay", options: PER }),
    ]),
    h("h3", {}, "Taxes"),
    rowList("tax", "Tax", d.taxes || [], (t, id) => [
      field("Name", { id: `${id}-name`, name: "name", value: t.name || "" }),
      field("Kind", { tag: "select", id: `${id}-kind`, name: "kind", value: t.per_guest_night ? "per_guest_night" : "percent", options: TAX_KINDS }),
      field(`Percent, or amount (${currency})`, { id: `${id}-value`, name: "value", type: "number", min: 0, step: "any",
        value: t.per_guest_night ? major(t.per_guest_night) : t.percent ?? "" }),
      field("For at most this many nights", { id: `${id}-max`, name: "max_nights", type: "number", min: 1, value: t.max_nights ?? "" }, "Optional, per guest per night only"),
    ]),
    h("h3", {}, "Stay rules"),
    h("div", { class: "fields" },
      field("Days of notice", { id: "advance_notice_days", name: "advance_notice_days", type: "number", min: 0, value: d.advance_notice_days ?? "" }, "Optional: how soon before check-in a guest may book"),
      field("Days ahead at most", { id: "booking_window_days", name: "booking_window_days", type: "number", min: 1, value: d.booking_window_days ?? "" }, "Optional: how far ahead a guest may book"),
      ...["check_in_days", "check_out_days"].map((name) =>
        h("fieldset", { class: "choices" }, h("legend", {}, name === "check_in_days" ? "Check-in on" : "Check-out on"),
          h("p", { class: "hint" }, "None ticked: any day."),
          h("div", { class: "options" }, DAYS.map(([key, day]) =>
            h("label", {}, h("input", { type: "checkbox", name, value: key, checked: (d[name] || []).includes(key) }), day)))))),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Save pricing")),
    h("div", { class: "out", "aria-live": "polite" })));
}

/**
 * The rows of one kind, each as the named values of its fields.
 * @param {HTMLFormElement} form @param {string} kind
 * @returns {Record<string, string>[]}
 */
function rowsOf(form, kind) {
  return [...form.querySelectorAll(`[data-row="${kind}"]`)].map((row) => Object.fromEntries(
    [...row.querySelectorAll("input, select")].map((e) => [/** @type {HTMLInputElement} */ (e).name, /** @type {HTMLInputElement} */ (e).value.trim()])));
}

/**
 * The pricing document the form says; blank optional numbers are left out.
 * @param {HTMLFormElement} form @param {string} currency
 */
export function pricingDocument(form, currency) {
  const money = (/** @type {string} */ text) => ({ amount: toMinor(text, currency), currency });
  const whole = (/** @type {string} */ text) => (text === "" ? undefined : Number(text));
  const input = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value.trim();
  const ticked = (/** @type {string} */ name) => {
    const days = [...form.querySelectorAll(`input[name=${name}]:checked`)].map((e) => /** @type {HTMLInputElement} */ (e).value);
    return days.length ? days : undefined;
  };
  return {
    seasons: rowsOf(form, "season").map((s) => ({ from: s.from, to: s.to, nightly_price: money(s.nightly_price), min_nights: whole(s.min_nights) })),
    weekday_prices: Object.fromEntries(DAYS.filter(([key]) => input(`weekday-${key}`) !== "").map(([key]) => [key, money(input(`weekday-${key}`))])),
    length_discounts: rowsOf(form, "discount").map((x) => ({ min_nights: Number(x.min_nights), percent: Number(x.percent) })),
    fees: rowsOf(form, "fee").map((f) => ({ name: f.name, per: f.per, amount: money(f.amount) })),
    taxes: rowsOf(form, "tax").map((t) => (t.kind === "percent" ? { name: t.name, percent: Number(t.value) }
      : { name: t.name, per_guest_night: money(t.value), max_nights: whole(t.max_nights) })),
    advance_notice_days: whole(input("advance_notice_days")),
    booking_window_days: whole(input("booking_window_days")),
    check_in_days: ticked("check_in_days"),
    check_out_days: ticked("check_out_days"),
  };
}

/** The document's field names, as the form's inputs are named where they differ. */
const INPUT_OF = /** @type {Record<string, string>} */ ({ percent: "value", per_guest_night: "value" });
const ROW_OF = /** @type {Record<string, string>} */ ({ seasons: "season", length_discounts: "discount", fees: "fee", taxes: "tax" });

/**
 * The input a refusal names (`seasons[1].to`, `advance_notice_days`), to
 * mark and focus: rows by their order in the form, as in the document.
 * @param {HTMLFormElement} form @param {string} path
 * @returns {HTMLElement | null}
 */
export function inputAt(form, path) {
  const row = path.match(/^(\w+)\[(\d+)\](?:\.(\w+))?/);
  if (!row) {
    const name = path.split(/[.[]/)[0];
    return /** @type {HTMLElement | null} */ (form.querySelector(`[name="${name}"]`));
  }
  const [, list, index, field] = row;
  const box = form.querySelectorAll(`[data-row="${ROW_OF[list] || ""}"]`)[Number(index)];
  if (!box) return null;
  const name = field ? INPUT_OF[field] || field : "";
  return /** @type {HTMLElement | null} */ (box.querySelector(name ? `[name="${name}"]` : "input, select"));
}

/** One line per rule, in words. @param {any} d */
function described(d) {
  const lines = [
    ...(d.seasons || []).map((/** @type {any} */ s) => `${formatMoney(s.nightly_price)} a night from ${s.from} until ${s.to}${s.min_nights ? `, at least ${s.min_nights} nights` : ""}`),
    ...Object.entries(d.weekday_prices || {}).map(([day, price]) => `${formatMoney(/** @type {Money} */ (price))} on ${day}`),
    ...(d.length_discounts || []).map((/** @type {any} */ x) => `${x.percent}% off stays of ${x.min_nights} nights or more`),
    ...(d.fees || []).map((/** @type {any} */ f) => `${f.name}: ${formatMoney(f.amount)} ${(PER.find(([k]) => k === f.per) || ["", f.per])[1]}`),
    ...(d.taxes || []).map((/** @type {any} */ t) => (t.percent != null ? `${t.name}: ${t.percent}% of the nights`
      : `${t.name}: ${formatMoney(t.per_guest_night)} per guest per night${t.max_nights ? ` (at most ${t.max_nights} nights)` : ""}`)),
  ];
  return lines.length ? h("ul", { class: "pricing-summary" }, lines.map((l) => h("li", {}, l)))
    : h("p", {}, "Only the base price a night and the cleaning fee apply.");
}

/**
 * The pricing section of listing `id`, priced in `currency`.
 * @param {string} id @param {string} currency
 */
export async function pricingSection(id, currency) {
  const path = `/properties/${encodeURIComponent(id)}/pricing`;
  const doc = await api(path);
  const form = pricingForm(doc, currency);
  const summary = h("div", {}, described(doc));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = /** @type {HTMLElement} */ (form.querySelector(".out"));
    for (const marked of form.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
    /** @type {string | undefined} */
    let refused;
    const saved = await busy(form.querySelector("button[type=submit]"), out, "Saving pricing…",
      () => api(path, { method: "PUT", body: pricingDocument(form, currency) }).catch((e) => {
        refused = e instanceof ApiError ? e.field : undefined;
        throw e;
      }));
    if (!saved) {
      const input = refused ? inputAt(form, refused) : null;
      input?.setAttribute("aria-invalid", "true");
      input?.focus();
      return;
    }
    out.replaceChildren(h("p", { class: "notice" }, "Pricing saved."));
    summary.replaceChildren(described(saved));
  });
  return h("section", { "aria-labelledby": "pricing" }, h("h2", { id: "pricing" }, "Pricing"), summary,
    h("details", {}, h("summary", {}, "Change the pricing"), form));
}
