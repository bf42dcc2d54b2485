// Signing in: locally a "sign in as" form (any user id, as a guest or a
// host); in AWS a button to Cognito's hosted UI, and its way back.

import { currentConfig } from "../api.js";
import { finishCognitoSignIn, signInLocally, signInWithCognito } from "../auth.js";
import { busy, field, h, problem, value, waiting } from "../ui.js";

/** @param {import("../main.js").PageContext} context */
export function signInPage({ main, query, go }) {
  const next = query.get("next") || "/";
  const safeNext = next.startsWith("/") && !next.startsWith("//") ? next : "/";
  main.append(h("h1", {}, "Sign in"));
  if (currentConfig().auth.kind === "none") {
    main.append(h("p", { class: "problem" }, "Signing in is not set up for this deployment yet (see docs/deployment.md)."));
    return;
  }
  if (currentConfig().auth.kind === "cognito") {
    const out = h("div", {});
    main.append(h("p", {}, "Berth signs you in on its secure sign-in page."),
      h("div", { class: "actions" }, h("button", { class: "primary", type: "button",
        onclick: () => signInWithCognito(safeNext).catch((e) => out.replaceChildren(problem(e))) }, "Continue to sign in")), out);
    return;
  }
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "panel", "aria-label": "Sign in as" },
    h("p", { class: "hint" }, "This is Berth's local platform: sign in as anyone. In AWS, people sign in with Cognito."),
    h("div", { class: "fields" },
      field("User id", { id: "sub", name: "sub", required: true, autocomplete: "username", value: "guest-1" }, "Letters, digits, - and _"),
      h("fieldset", { class: "choices" }, h("legend", {}, "Sign in as"),
        h("div", { class: "options" },
          h("label", {}, h("input", { type: "radio", name: "role", value: "guest", checked: true }), "A guest"),
          h("label", {}, h("input", { type: "radio", name: "role", value: "host" }), "A host")))),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Sign in")),
    h("div", { class: "out", "aria-live": "polite" })));
  main.append(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const host = /** @type {RadioNodeList} */ (form.elements.namedItem("role")).value === "host";
    const done = await busy(form.querySelector("button[type=submit]"), /** @type {HTMLElement} */ (form.querySelector(".out")),
      "Signing in…", () => signInLocally(value(form, "sub"), host).then(() => true));
    if (done) go(safeNext === "/sign-in" ? "/" : safeNext, true);
  });
}

/** @param {import("../main.js").PageContext} context */
export async function callbackPage({ main, go }) {
  main.append(h("h1", {}, "Signing in"), waiting("Finishing signing in…"));
  try {
    go(await finishCognitoSignIn(), true);
  } catch (error) {
    main.replaceChildren(h("h1", {}, "Sign-in failed"), problem(error), h("p", {}, h("a", { href: "/sign-in", "data-link": true }, "Try again")));
  }
}
