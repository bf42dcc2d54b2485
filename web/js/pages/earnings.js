// A host's earnings over a period, month by month: a bar chart of what
// stays after refunds, and the same numbers as a table. Each month is one
// GET /reports/earnings over that month.

import { api } from "../api.js";
import { busy, field, formatMoney, h, scroller, today, value } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {string} [text]
 */
function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, v] of Object.entries(attributes)) element.setAttribute(name, String(v));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** @param {string} month YYYY-MM @param {number} by */
function addMonths(month, by) {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + by);
  return d.toISOString().slice(0, 7);
}

/** @param {string} month */
function monthName(month) {
  return new Date(`${month}-01T00:00:00Z`).toLocaleDateString("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
}

/**
 * @typedef {{month: string, currency: string, gross: number, refunds: number, net: number, bookings: number}} Row
 */

/** @param {Row[]} rows one currency's months */
function chart(rows) {
  const width = 640, height = 240, left = 70, bottom = 30, top = 24;
  const max = Math.max(1, ...rows.map((r) => r.net));
  const slot = (width - left) / rows.length;
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `chart-${rows[0].currency}` });
  picture.append(svg("title", { id: `chart-${rows[0].currency}` },
    `Net earnings in ${rows[0].currency} by month: ` + rows.map((r) => `${monthName(r.month)} ${formatMoney({ amount: r.net, currency: r.currency })}`).join(", ")));
  picture.append(svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width, y2: height - bottom }));
  picture.append(svg("text", { x: left - 8, y: top + 4, "text-anchor": "end" }, formatMoney({ amount: max, currency: rows[0].currency })));
  picture.append(svg("text", { x: left - 8, y: height - bottom, "text-anchor": "end" }, formatMoney({ amount: 0, currency: rows[0].currency })));
  rows.forEach((r, i) => {
    const barHeight = Math.max(0, (r.net / max) * (height - bottom - top));
    const x = left + i * slot + slot * 0.15;
    picture.append(svg("rect", { class: "bar", x, y: height - bottom - barHeight, width: slot * 0.7, height: barHeight }));
    if (r.net) {
      picture.append(svg("text", { class: "value", x: x + slot * 0.35, y: height - bottom - barHeight - 4, "text-anchor": "middle" },
        formatMoney({ amount: r.net, currency: r.currency })));
    }
    picture.append(svg("text", { x: x + slot * 0.35, y: height - 10, "text-anchor": "middle" }, monthName(r.month)));
  });
  return h("figure", { class: "chart" }, picture, h("figcaption", { class: "hint" }, `Net earnings (after refunds) in ${rows[0].currency}, by month.`));
}

/** @param {Row[]} rows */
function table(rows) {
  const money = (/** @type {Row} */ r, /** @type {number} */ amount) => formatMoney({ amount, currency: r.currency });
  return scroller("Earnings by month", h("table", {},
    h("caption", { class: "visually-hidden" }, "Earnings by month"),
    h("thead", {}, h("tr", {}, ["Month", "Bookings", "Gross", "Refunds", "Net"].map((t, i) => h("th", { scope: "col", class: i ? "num" : "" }, t)))),
    h("tbody", {}, rows.map((r) => h("tr", {},
      h("th", { scope: "row" }, `${monthName(r.month)} (${r.currency})`), h("td", { class: "num" }, String(r.bookings)),
      h("td", { class: "num" }, money(r, r.gross)), h("td", { class: "num" }, money(r, r.refunds)), h("td", { class: "num" }, money(r, r.net)))))));
}

/** @param {string} last YYYY-MM @param {number} count @returns {Promise<Row[]>} */
async function report(last, count) {
  const monthsWanted = Array.from({ length: count }, (_, i) => addMonths(last, i - count + 1));
  const answers = await Promise.all(monthsWanted.map((m) =>
    api(`/reports/earnings?from=${m}-01&to=${addMonths(m, 1)}-01`).then((r) => ({ month: m, earnings: r.earnings }))));
  const currencies = [...new Set(answers.flatMap((a) => a.earnings.map((/** @type {any} */ e) => e.currency)))];
  return currencies.flatMap((currency) => answers.map((a) => {
    const e = a.earnings.find((/** @type {any} */ x) => x.currency === currency);
    return { month: a.month, currency, gross: e?.gross || 0, refunds: e?.refunds || 0, net: e?.net || 0, bookings: e?.bookings || 0 };
  }));
}

/** @param {import("../main.js").PageContext} context */
export async function earningsPage({ main, query, go }) {
  const last = query.get("to") || today().slice(0, 7);
  const count = Math.min(12, Math.max(1, Number(query.get("months") || 6)));
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "panel", "aria-label": "Period" },
    h("div", { class: "fields" },
      field("Last month", { id: "to", name: "to", type: "month", value: last, required: true }),
      field("Months", { tag: "select", id: "months", name: "months", value: String(count), options: [["3", "3"], ["6", "6"], ["12", "12"]] })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Show"))));
  const out = h("section", { "aria-live": "polite" });
  main.append(h("h1", {}, "Earnings"), form, out);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`/host/earnings?to=${value(form, "to")}&months=${value(form, "months")}`);
  });
  const rows = await busy(null, out, "Reading the ledger…", () => report(last, count));
  if (!rows) return;
  if (!rows.length) {
    out.append(h("p", {}, "No earnings in this period yet."));
    return;
  }
  for (const currency of [...new Set(rows.map((r) => r.currency))]) out.append(chart(rows.filter((r) => r.currency === currency)));
  out.append(table(rows));
}
