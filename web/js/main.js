// Berth's web app: loads the runtime config, then routes each path to its
// page. Pages live under their own first path segments (/stays, /trips,
// /host, /sign-in, /auth), apart from the API's, so `berth serve` and
// CloudFront can answer a reload with index.html without hiding an API route.

import { loadConfig, useToken } from "./api.js";
import { isHost, session, signOut } from "./auth.js";
import { h, problem } from "./ui.js";

/**
 * @typedef {{main: HTMLElement, params: string[], query: URLSearchParams, go: (path: string, replace?: boolean) => void}} PageContext
 * @typedef {{path: RegExp, title: string, render: (context: PageContext) => Promise<void> | void, signedIn?: boolean}} Route
 */

// Each page's module loads when it is first opened, so the first page
// fetches only its own code (the search page: ui.js and search.js).
/** @type {Route[]} */
const ROUTES = [
  { path: /^\/$/, title: "Find a stay", render: async (c) => (await import("./pages/search.js")).searchPage(c) },
  { path: /^\/stays\/([^/]+)$/, title: "A stay", render: async (c) => (await import("./pages/stay.js")).stayPage(c) },
  { path: /^\/trips$/, title: "My trips", render: async (c) => (await import("./pages/trips.js")).tripsPage(c), signedIn: true },
  { path: /^\/trips\/([^/]+)$/, title: "Your booking", render: async (c) => (await import("./pages/trips.js")).tripPage(c), signedIn: true },
  { path: /^\/host$/, title: "My listings", render: async (c) => (await import("./pages/host.js")).listingsPage(c), signedIn: true },
  { path: /^\/host\/new$/, title: "New listing", render: async (c) => (await import("./pages/host.js")).newListingPage(c), signedIn: true },
  { path: /^\/host\/listings\/([^/]+)$/, title: "Listing", render: async (c) => (await import("./pages/host.js")).listingPage(c), signedIn: true },
  { path: /^\/host\/listings\/([^/]+)\/calendars$/, title: "Calendars", render: async (c) => (await import("./pages/feeds.js")).feedsPage(c), signedIn: true },
  { path: /^\/host\/earnings$/, title: "Earnings", render: async (c) => (await import("./pages/earnings.js")).earningsPage(c), signedIn: true },
  { path: /^\/sign-in$/, title: "Sign in", render: async (c) => (await import("./pages/signin.js")).signInPage(c) },
  { path: /^\/auth\/callback$/, title: "Signing in", render: async (c) => (await import("./pages/signin.js")).callbackPage(c) },
];

const main = /** @type {HTMLElement} */ (document.getElementById("main"));

function showSession() {
  const who = session();
  document.body.classList.toggle("is-host", isHost());
  const box = /** @type {HTMLElement} */ (document.getElementById("session"));
  box.replaceChildren(
    ...(who
      ? [
          h("span", {}, `Signed in as ${who.sub}${isHost() ? " (host)" : ""}`),
          h("button", { type: "button", onclick: () => {
            const away = signOut();
            if (away) location.assign(away);
            else go("/");
          } }, "Sign out"),
        ]
      : [h("a", { href: `/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, "data-link": true }, "Sign in")]),
  );
  for (const link of document.querySelectorAll("#nav a")) {
    const href = link.getAttribute("href") || "";
    const here = href === "/" ? location.pathname === "/" || location.pathname.startsWith("/stays")
      : location.pathname === href || (href === "/trips" && location.pathname.startsWith("/trips/"))
        || (href === "/host" && /^\/host\/(new|listings)/.test(location.pathname));
    if (here) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

let rendering = 0;

async function render() {
  const turn = ++rendering;
  const route = ROUTES.find((r) => r.path.test(location.pathname));
  showSession();
  main.replaceChildren();
  if (!route) {
    document.title = "Not found · Berth";
    main.append(h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/", "data-link": true }, "Search for a stay")));
    return;
  }
  document.title = `${route.title} · Berth`;
  if (route.signedIn && !session()) {
    go(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, true);
    return;
  }
  const params = (location.pathname.match(route.path) || []).slice(1).map(decodeURIComponent);
  try {
    await route.render({ main, params, query: new URLSearchParams(location.search), go });
  } catch (error) {
    if (turn === rendering) main.append(problem(error));
  }
  if (turn !== rendering) return;
  const heading = main.querySelector("h1");
  if (heading && heading.textContent) document.title = `${heading.textContent} · Berth`;
}

/**
 * Opens `path` in the app (no page load); focus moves to the new page.
 * @param {string} path
 * @param {boolean} [replace]
 */
export function go(path, replace = false) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  render().then(() => main.focus());
}

document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-link]") : null;
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  go(link.getAttribute("href") || "/");
});
window.addEventListener("popstate", () => render());

useToken(() => session()?.token || null);
loadConfig()
  .then(() => render())
  .catch((error) => main.replaceChildren(h("h1", {}, "Berth could not start"), problem(error)));
