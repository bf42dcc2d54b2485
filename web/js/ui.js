// Small DOM helpers shared by the pages: building elements, money and
// dates, waiting and error messages, and the month calendar.

/**
 * @typedef {import("./api.js").Money} Money
 * @typedef {string | Node | null | undefined | false} Child
 */

/**
 * Creates an element: attributes (`on*` become listeners), then children.
 * @param {string} tag
 * @param {Record<string, any>} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** @param {Money} money */
export function formatMoney(money) {
  const format = new Intl.NumberFormat("en", { style: "currency", currency: money.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amount / 10 ** digits);
}

/**
 * Major units typed by a person (e.g. "120.50") → minor units.
 * @param {string} text
 * @param {string} currency
 */
export function toMinor(text, currency) {
  const digits =
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return Math.round(Number(text) * 10 ** digits);
}

/** @param {Money} money @returns {string} major units for an input */
export function toMajor(money) {
  const digits =
    new Intl.NumberFormat("en", { style: "currency", currency: money.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  return (money.amount / 10 ** digits).toFixed(digits);
}

/** @param {Date} date @returns {string} YYYY-MM-DD in UTC, as the API's dates */
export function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

/** @param {string} iso @param {number} days */
export function addDays(iso, days) {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDate(date);
}

/** @param {string} iso */
export function longDate(iso) {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`).toLocaleDateString("en-GB", {
    weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  });
}

/** @param {string} timestamp */
export function dateTime(timestamp) {
  return new Date(timestamp).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
}

export function today() {
  return isoDate(new Date());
}

/** @param {string} text */
export function waiting(text) {
  return h("p", { class: "waiting", role: "status" }, text);
}

/** @param {unknown} error */
export function problem(error) {
  const text = error instanceof Error ? error.message : String(error);
  return h("div", { class: "problem", role: "alert" }, text);
}

/** @param {string} text */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (region) region.textContent = text;
}

/**
 * Runs `work` with `button` disabled and a message while it waits; shows
 * the API's words in `out` when it fails.
 * @template T
 * @param {HTMLButtonElement | null} button
 * @param {HTMLElement} out
 * @param {string} message
 * @param {() => Promise<T>} work
 * @returns {Promise<T | undefined>}
 */
export async function busy(button, out, message, work) {
  if (button) button.disabled = true;
  out.replaceChildren(waiting(message));
  try {
    const result = await work();
    out.replaceChildren();
    return result;
  } catch (error) {
    out.replaceChildren(problem(error));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * A labelled form field.
 * @param {string} label
 * @param {Record<string, any>} input attributes of the input (id and name required)
 * @param {string} [hint]
 */
export function field(label, input, hint) {
  const control = input.tag === "select" || input.tag === "textarea" ? input.tag : "input";
  const { tag: _tag, options, ...attributes } = input;
  const hintId = hint ? `${input.id}-hint` : undefined;
  const element =
    control === "select"
      ? h("select", { ...attributes, "aria-describedby": hintId },
          (options || []).map((/** @type {[string, string]} */ [value, text]) =>
            h("option", { value, selected: value === attributes.value }, text)))
      : h(control, { ...attributes, "aria-describedby": hintId });
  return h("div", { class: `field${input.wide ? " wide" : ""}` },
    h("label", { for: input.id }, label), element, hint && h("p", { class: "hint", id: hintId }, hint));
}

/**
 * @param {HTMLFormElement} form
 * @param {string} name
 */
export function value(form, name) {
  const element = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
  return element ? element.value.trim() : "";
}

/**
 * @typedef {{date: string, status: string, label?: string}} Day
 */

/**
 * Month grids of days, Monday first. `status` is a class (free, taken,
 * blocked, booked, past) and a word read to screen readers.
 * @param {Day[]} days consecutive days
 * @param {(day: Day) => HTMLElement} [cell] a control for a day (default: text)
 */
export function months(days, cell) {
  /** @type {Map<string, Day[]>} */
  const byMonth = new Map();
  for (const day of days) {
    const key = day.date.slice(0, 7);
    byMonth.set(key, [...(byMonth.get(key) || []), day]);
  }
  const names = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
  const full = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
  return h("div", { class: "months" }, [...byMonth.entries()].map(([key, list]) => {
    const title = new Date(`${key}-01T00:00:00Z`).toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
    const first = (new Date(`${list[0].date}T00:00:00Z`).getUTCDay() + 6) % 7;
    /** @type {(Day | null)[]} */
    const slots = [...Array(first).fill(null), ...list];
    const rows = [];
    for (let i = 0; i < slots.length; i += 7) rows.push(slots.slice(i, i + 7));
    return h("table", { class: "month" },
      h("caption", {}, title),
      h("thead", {}, h("tr", {}, names.map((n, i) => h("th", { scope: "col" }, h("abbr", { title: full[i] }, n))))),
      h("tbody", {}, rows.map((row) => h("tr", {}, row.map((day) =>
        h("td", {}, day && (cell ? cell(day) : h("span", { class: `day ${day.status}`, "data-date": day.date, title: day.label || day.status },
          h("span", { "aria-hidden": "true" }, String(Number(day.date.slice(8)))),
          h("span", { class: "visually-hidden" }, `${longDate(day.date)}: ${day.label || day.status}`)))))))));
  }));
}

/** @param {[string, string][]} entries class and meaning */
export function legend(entries) {
  return h("ul", { class: "legend", "aria-label": "Legend" },
    entries.map(([status, meaning]) => h("li", {}, h("span", { class: `day ${status}`, "aria-hidden": "true" }), meaning)));
}

/**
 * A wide table that scrolls sideways on a narrow screen (focusable, so a
 * keyboard can scroll it too).
 * @param {string} label
 * @param {HTMLElement} table
 */
export function scroller(label, table) {
  return h("div", { class: "scroller", role: "region", "aria-label": label, tabindex: 0 }, table);
}
