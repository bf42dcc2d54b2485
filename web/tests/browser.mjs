// Berth's web app in a real browser: Debian's Chromium, headless, driven by
// playwright-core against a fresh `berth serve` on 127.0.0.1 (its own data
// directory, a free port, waits on AWS's behalf scaled down 100×).
//
//   node web/tests/browser.mjs <path to the berth binary>
//
// A host lists a flat and blocks nights; a guest finds it, books it with
// pm_card_visa, sees CONFIRMED, finds it under My trips, cancels and sees
// the refund; a declined card ends FAILED with its reason and the nights
// free; the guest books again; the host sees that booking on the calendar
// and reads earnings as a chart. Every page is checked with axe-core (no
// serious or critical violation) and photographed at desktop and phone
// width under target/screenshots/. Prints the search page's weight.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const SHOTS = join(ROOT, "target/screenshots");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Every wait on the app is bounded; nothing waits on time passing. */
const BOUND_MS = 20_000;

/** @param {number} days */
function day(days) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Starts `berth serve` on a free port; resolves with its URL once it listens. */
function serve(berth, dataDir) {
  const child = spawn(berth, ["serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--demo", "60",
    "--time-scale", "0.01", "--rate-limit", "0", "--allow-private-feeds"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "info" } });
  let log = "";
  const url = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`berth serve did not start:\n${log}`)), 60_000);
    const read = (/** @type {Buffer} */ chunk) => {
      log += chunk;
      const found = log.match(/"address":"(127\.0\.0\.1:\d+)"/);
      if (found) {
        clearTimeout(timer);
        ok(`http://${found[1]}`);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => fail(new Error(`berth serve exited (${code}):\n${log}`)));
  });
  return { child, url };
}

/** Runs axe-core on the page; fails on any serious or critical violation. */
async function accessible(page, name) {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    // @ts-ignore injected above
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
  });
  assert.deepEqual(violations, [], `accessibility of ${name}`);
}

/** Photographs the page at desktop and phone width, and checks it with axe. */
async function shoot(page, name) {
  await page.waitForFunction(() => !document.querySelector(".waiting"), null, { timeout: BOUND_MS });
  await accessible(page, name);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name} fits a phone's width (overflows by ${overflow}px)`);
  await accessible(page, `${name} (phone)`);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

async function signIn(page, base, user, host) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("User id", { exact: true }).fill(user);
  await page.getByLabel(host ? "A host" : "A guest").check();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText(`Signed in as ${user}`).waitFor({ timeout: BOUND_MS });
}

/** Measures the KB the browser transfers to load the search page with results. */
async function searchWeight(context, base, query) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
  await page.goto(`${base}/?${query}`);
  await page.locator(".results li").first().waitFor({ timeout: BOUND_MS });
  await page.waitForLoadState("networkidle");
  await page.close();
  return bytes / 1024;
}

async function hostListsAFlat(page, base, stay) {
  await signIn(page, base, "host-ana", true);
  await page.goto(`${base}/host`);
  await page.getByText("No listings yet: add one to start taking bookings.").waitFor({ timeout: BOUND_MS });
  await shoot(page, "host-listings-empty");
  await page.getByRole("link", { name: "Add a listing" }).click();
  await page.getByLabel("Title", { exact: true }).fill("Browser test flat by the river");
  await page.getByLabel("Description", { exact: true }).fill("Two rooms, a balcony and a view of the Tagus.");
  await page.getByLabel("Price a night", { exact: true }).fill("12");
  await page.getByLabel("Cleaning fee", { exact: true }).fill("5");
  await shoot(page, "host-new-listing");
  await page.getByRole("button", { name: "Create listing" }).click();
  await page.getByRole("heading", { level: 1, name: "Browser test flat by the river" }).waitFor({ timeout: BOUND_MS });
  const propertyId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  // Block two nights after the guest's stay: the calendar shows them blocked.
  await page.getByLabel("First night", { exact: true }).fill(stay.blockFrom);
  await page.getByLabel("Last night", { exact: true }).fill(stay.blockLast);
  await page.getByRole("button", { name: "Block these nights" }).click();
  await page.getByText(/^Blocked /).waitFor({ timeout: BOUND_MS });
  return propertyId;
}

/** Lists a property for `host` straight through the API; answers its id. */
async function listThroughApi(request, base, host, title, fields = {}) {
  const { token } = await (await request.post(`${base}/local/token`, { data: { sub: host, groups: ["hosts"] } })).json();
  const created = await request.post(`${base}/properties`, { headers: { Authorization: `Bearer ${token}` }, data: {
    title, description: "Listed by the browser test through the API.", city: "Porto", country: "PT",
    location: { lat: 41.15, lon: -8.61 }, max_guests: 2, bedrooms: 1, amenities: ["wifi"],
    nightly_price: { amount: 9000, currency: "EUR" }, cleaning_fee: { amount: 2000, currency: "EUR" },
    min_nights: 1, max_nights: 30, cancellation_policy: "flexible", ...fields } });
  assert.equal(created.status(), 201, await created.text());
  return (await created.json()).id;
}

/** "My listings" shows exactly the signed-in host's listings, newest first. */
async function hostSeesOnlyOwnListings(page, base) {
  const first = await listThroughApi(page.request, base, "host-duo", "Duo's first flat");
  await listThroughApi(page.request, base, "host-other", "Someone else's flat");
  await listThroughApi(page.request, base, "host-duo", "Duo's second flat");
  await signIn(page, base, "host-duo", true);
  await page.goto(`${base}/host`);
  await page.getByText("2 listings.").waitFor({ timeout: BOUND_MS });
  const titles = await page.getByRole("list", { name: "Your listings" }).getByRole("heading").allInnerTexts();
  assert.deepEqual(titles, ["Duo's second flat", "Duo's first flat"], "exactly the host's two listings, newest first");
  await shoot(page, "host-listings-two");
  return first;
}

/**
 * The host prices a listing with the pricing form (a season, a discount, a
 * fee, a tax); a refused document is explained and saves nothing; the
 * guest's quote then shows every line, from the API's own pricing.
 */
async function hostPricesAListing(page, base, propertyId, stay) {
  await page.goto(`${base}/host/listings/${propertyId}`);
  await page.getByRole("heading", { name: "Pricing" }).waitFor({ timeout: BOUND_MS });
  await page.getByText("Only the base price a night and the cleaning fee apply.").waitFor();
  await page.getByText("Change the pricing").click();
  const form = page.locator("form", { has: page.getByRole("button", { name: "Save pricing" }) });
  await form.getByRole("button", { name: "Add a season" }).click();
  await form.getByLabel("First night").fill(stay.checkOut);
  await form.getByLabel("Ends before").fill(stay.checkIn);
  await form.getByLabel("Price a night (EUR)").fill("15");
  await form.getByRole("button", { name: "Save pricing" }).click();
  await form.getByRole("alert").waitFor({ timeout: BOUND_MS });
  assert.equal(await page.getByText("Pricing saved.").count(), 0, "a refused document is not saved");
  // The field the API names is marked and focused.
  const ends = form.getByLabel("Ends before");
  assert.equal(await ends.getAttribute("aria-invalid"), "true");
  assert.ok(await ends.evaluate((e) => e === document.activeElement), "the refused field has the focus");
  await form.getByLabel("First night").fill(stay.checkIn);
  await form.getByLabel("Ends before").fill(stay.checkOut);
  await form.getByRole("button", { name: "Add a discount" }).click();
  await form.getByLabel("From this many nights").fill("3");
  await form.getByLabel("Percent off the nights").fill("10");
  await form.getByRole("button", { name: "Add a fee" }).click();
  await form.getByLabel("Name").fill("Linen");
  await form.getByLabel("Amount (EUR)").fill("8");
  await form.getByRole("button", { name: "Add a tax" }).click();
  const tax = form.locator("fieldset", { has: page.getByText("Tax 1", { exact: true }) });
  await tax.getByLabel("Name").fill("City tax");
  await tax.getByLabel("Kind").selectOption("per_guest_night");
  await tax.getByLabel("Percent, or amount (EUR)").fill("2");
  await tax.getByLabel("For at most this many nights").fill("7");
  await shoot(page, "host-pricing-form");
  await form.getByRole("button", { name: "Save pricing" }).click();
  await page.getByText("Pricing saved.").waitFor({ timeout: BOUND_MS });
  await page.getByText("City tax: €2.00 per guest per night (at most 7 nights)").waitFor();
  await page.goto(`${base}/stays/${propertyId}?check_in=${stay.checkIn}&check_out=${stay.checkOut}&guests=2`);
  const quote = page.locator("table.quote");
  await quote.waitFor({ timeout: BOUND_MS });
  // 3 nights at the season's €15, 10% off, €20 cleaning, €8 linen, €2 × 2 guests × 3 nights.
  assert.match(await quote.innerText(),
    /3 nights\s+€45\.00\s+Length-of-stay discount \(10%\)\s+-€4\.50\s+Cleaning fee\s+€20\.00\s+Linen\s+€8\.00\s+City tax\s+€12\.00\s+Total\s+€80\.50/);
  await shoot(page, "stay-quote-fees-taxes");
}

/**
 * Searches again until `ready()` holds: the search index follows the
 * outbox, so a new listing appears within a bounded number of searches.
 */
async function searchUntil(page, ready, what) {
  for (let tries = 0; ; tries++) {
    await page.waitForFunction(() => !document.querySelector(".waiting"), null, { timeout: BOUND_MS });
    if (await ready()) return;
    assert.ok(tries < 50, what);
    await page.reload();
  }
}

/** The titles and totals (in cents) of the results shown. */
async function shownResults(page) {
  return page.locator(".results li").evaluateAll((cards) => cards.map((card) => ({
    title: card.querySelector("h3 a")?.textContent || "",
    total: Math.round(Number((card.querySelector(".price")?.textContent || "").replace(/[^0-9.]/g, "")) * 100),
  })));
}

/**
 * Fourteen flats in Faro (where the demo lists nothing), €50 to €63 a night,
 * every other one with a pool. A guest searches the map area around Faro
 * by price: twelve, then "Show more stays" adds the last two, cheapest
 * first, none twice; with a pool and at most €180 for three nights, exactly
 * the six that fit.
 */
async function guestSearchesAMapArea(page, base, stay) {
  const flats = [];
  for (let n = 0; n < 14; n++) {
    const title = `Faro test flat ${n}`;
    flats.push({ title, nightly: 5000 + n * 100, pool: n % 2 === 0 });
    await listThroughApi(page.request, base, "host-faro", title, { city: "Faro", location: { lat: 37.02, lon: -7.93 },
      nightly_price: { amount: 5000 + n * 100, currency: "EUR" }, cleaning_fee: { amount: 0, currency: "EUR" },
      amenities: n % 2 === 0 ? ["wifi", "pool"] : ["wifi"] });
  }
  await page.goto(`${base}/`);
  await page.getByLabel("A map area (latitude and longitude)").check();
  for (const [edge, value] of [["South", "36.9"], ["West", "-8.1"], ["North", "37.1"], ["East", "-7.8"]]) {
    await page.getByLabel(`${edge} edge`, { exact: true }).fill(value);
  }
  await page.getByLabel("Check-in", { exact: true }).fill(stay.checkIn);
  await page.getByLabel("Check-out", { exact: true }).fill(stay.checkOut);
  await page.getByLabel("Sort by", { exact: true }).selectOption("price");
  await page.getByRole("button", { name: "Search" }).click();
  const more = page.getByRole("button", { name: "Show more stays" });
  await searchUntil(page, async () => (await more.count()) > 0 && (await page.getByText("12 stays shown; more below.").count()) > 0,
    "the Faro flats reach search");
  await shoot(page, "search-map-area");
  await more.click();
  await page.getByText("14 stays shown.").waitFor({ timeout: BOUND_MS });
  // The area's map pins every stay shown, numbered as the list is.
  const pins = page.locator(".area-map .pin");
  assert.equal(await pins.count(), 14);
  assert.equal(await pins.first().locator("title").textContent(), "1. Faro test flat 0");
  assert.equal(await more.count(), 0, "no more pages");
  const byPrice = [...flats].sort((a, b) => a.nightly - b.nightly);
  assert.deepEqual(await shownResults(page), byPrice.map((f) => ({ title: f.title, total: f.nightly * 3 })),
    "every flat once, cheapest first, priced for the three nights");

  await page.getByLabel("Highest total", { exact: true }).fill("180");
  await page.getByLabel("Pool", { exact: true }).check();
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByText("6 stays shown.").waitFor({ timeout: BOUND_MS });
  // The bound travels in cents and shows in euros: searching again keeps it.
  assert.equal(await page.getByLabel("Highest total", { exact: true }).inputValue(), "180");
  const fitting = byPrice.filter((f) => f.pool && f.nightly * 3 <= 18000);
  assert.deepEqual((await shownResults(page)).map((r) => r.title), fitting.map((f) => f.title));
  await shoot(page, "search-filtered");

  // Zooming in halves the box around its centre, which still holds Faro;
  // moving it half a box west leaves Faro (-7.93) just east of it.
  await page.getByRole("button", { name: "Zoom in" }).click();
  await page.waitForURL((url) => url.searchParams.get("bbox") === "36.95,-8.025,37.05,-7.875", { timeout: BOUND_MS });
  await page.getByText("6 stays shown.").waitFor({ timeout: BOUND_MS });
  assert.equal(await page.getByLabel("West edge", { exact: true }).inputValue(), "-8.025");
  await page.getByRole("button", { name: "Move west" }).click();
  await page.waitForURL((url) => url.searchParams.get("bbox") === "36.95,-8.1,37.05,-7.95", { timeout: BOUND_MS });
  await page.getByText("No stay is free for those dates and filters.").waitFor({ timeout: BOUND_MS });
  assert.equal(await page.locator(".area-map .pin").count(), 0);
}

async function guestFindsAndBooks(page, base, stay, card) {
  await page.goto(`${base}/`);
  await page.getByLabel("City", { exact: true }).fill("Lisbon");
  await page.getByLabel("Check-in", { exact: true }).fill(stay.checkIn);
  await page.getByLabel("Check-out", { exact: true }).fill(stay.checkOut);
  await page.getByLabel("Guests", { exact: true }).fill("2");
  await page.getByRole("button", { name: "Search" }).click();
  const link = page.getByRole("link", { name: "Browser test flat by the river" });
  await searchUntil(page, async () => (await link.count()) > 0, "the new listing reaches search");
  await link.click();
  await page.locator("table.quote").waitFor({ timeout: BOUND_MS });
  const quote = await page.locator("table.quote").innerText();
  assert.match(quote, /3 nights\s+€36\.00/);
  assert.match(quote, /Cleaning fee\s+€5\.00/);
  assert.match(quote, /Total\s+€41\.00/);
  await page.getByLabel("Payment", { exact: true }).selectOption(card);
  await page.getByRole("button", { name: "Book and pay" }).click();
  await page.waitForURL(/\/trips\/bk_/, { timeout: BOUND_MS });
  await page.locator(".status.CONFIRMED, .status.FAILED").waitFor({ timeout: BOUND_MS });
  return decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
}

/**
 * Calendar sync against the real API: another site's calendar, served on
 * 127.0.0.1 (the server runs with --allow-private-feeds), closes the night a
 * guest has booked. The host imports it, syncs it now, and sees the
 * conflict on the calendars page and marked on the listing's calendar, with
 * the secret export link beside it.
 */
async function calendarSync(page, base, propertyId, stay) {
  const day = (/** @type {string} */ date) => date.replaceAll("-", "");
  const next = new Date(`${stay.checkIn}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const ics = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Other site//EN", "BEGIN:VEVENT", "UID:other-1",
    "DTSTAMP:20261201T000000Z", `DTSTART;VALUE=DATE:${day(stay.checkIn)}`,
    `DTEND;VALUE=DATE:${day(next.toISOString().slice(0, 10))}`, "SUMMARY:Reserved", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
  const other = createServer((_, response) => response.writeHead(200, { "content-type": "text/calendar" }).end(ics));
  await new Promise((ok) => other.listen(0, "127.0.0.1", () => ok(undefined)));
  try {
    const address = /** @type {import("node:net").AddressInfo} */ (other.address());
    await page.goto(`${base}/host/listings/${propertyId}`);
    await page.getByRole("link", { name: "Manage calendars from other sites" }).click();
    await page.getByRole("heading", { name: "Calendars imported from other sites" }).waitFor({ timeout: BOUND_MS });
    await page.getByLabel("Site", { exact: true }).fill("Other site");
    await page.getByLabel("Its iCal link", { exact: true }).fill(`http://127.0.0.1:${address.port}/other.ics`);
    await page.getByRole("button", { name: "Import this calendar" }).click();
    await page.getByRole("button", { name: "Sync Other site now" }).click();
    const conflicts = page.getByRole("region", { name: "Conflicts" });
    await conflicts.getByText(/bk_[0-9a-f]{32}/).waitFor({ timeout: BOUND_MS });
    assert.match(await conflicts.innerText(), /Other site\s+bk_[0-9a-f]{32}/);
    assert.match(await page.getByLabel(/^iCal link \(keep it secret/).inputValue(),
      new RegExp(`/properties/${propertyId}/calendar\\.ics\\?token=`));
    await shoot(page, "host-calendars");
    await page.goto(`${base}/host/listings/${propertyId}?month=${stay.checkIn.slice(0, 7)}-01`);
    await page.locator(`button.day.conflict[data-date="${stay.checkIn}"]`)
      .getByText("booked by guest-bo (confirmed); another site closed it too: a conflict").waitFor({ timeout: BOUND_MS });
  } finally {
    other.close();
  }
}

/** An unsigned JWT: the app only reads its claims (the API checks signatures). */
function token(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "none" })}.${part(claims)}.`;
}

/**
 * Signing in as AWS does, with config.json saying Cognito: the app goes to
 * the hosted UI's /oauth2/authorize with a code flow and an S256 challenge,
 * comes back to /auth/callback, and redeems the code with the verifier whose
 * SHA-256 is that challenge (RFC 7636); signing out goes through /logout.
 * The hosted UI is played by the test (requests to it are answered in the
 * browser, never sent), at a loopback address.
 */
async function cognitoSignIn(context, base) {
  const hosted = "127.0.0.1:9";
  const page = await context.newPage();
  await page.route(`${base}/config.json`, (route) => route.fulfill({ json: {
    api: "", auth: { kind: "cognito", domain: hosted, client_id: "web-client", scopes: "openid email" } } }));
  let challenge = "";
  let state = "";
  await page.route(`https://${hosted}/oauth2/authorize?*`, (route) => {
    const asked = new URL(route.request().url()).searchParams;
    assert.equal(asked.get("response_type"), "code");
    assert.equal(asked.get("client_id"), "web-client");
    assert.equal(asked.get("redirect_uri"), `${base}/auth/callback`);
    assert.equal(asked.get("code_challenge_method"), "S256");
    assert.equal(asked.get("scope"), "openid email");
    challenge = asked.get("code_challenge") || "";
    state = asked.get("state") || "";
    assert.match(challenge, /^[A-Za-z0-9_-]{43}$/);
    return route.fulfill({ status: 302, headers: { location: `${base}/auth/callback?code=the-code&state=${state}` } });
  });
  await page.route(`https://${hosted}/oauth2/token`, (route) => {
    const sent = new URLSearchParams(route.request().postData() || "");
    assert.equal(sent.get("grant_type"), "authorization_code");
    assert.equal(sent.get("code"), "the-code");
    assert.equal(sent.get("client_id"), "web-client");
    assert.equal(sent.get("redirect_uri"), `${base}/auth/callback`);
    const verifier = sent.get("code_verifier") || "";
    assert.equal(createHash("sha256").update(verifier).digest("base64url"), challenge, "the verifier is the challenge's");
    const exp = Math.floor(Date.now() / 1000) + 3600;
    return route.fulfill({ headers: { "access-control-allow-origin": "*" }, json: { token_type: "Bearer", expires_in: 3600,
      access_token: token({ sub: "0f1e2d3c", username: "cognito-ana", "cognito:groups": ["hosts"], exp }), id_token: token({ exp }) } });
  });
  let loggedOut = null;
  await page.route(`https://${hosted}/logout?*`, (route) => {
    loggedOut = new URL(route.request().url()).searchParams;
    return route.fulfill({ status: 302, headers: { location: `${base}/` } });
  });
  await page.goto(`${base}/sign-in?next=/trips`);
  await shoot(page, "sign-in-cognito");
  await page.getByRole("button", { name: "Continue to sign in" }).click();
  await page.getByText("Signed in as cognito-ana (host)").waitFor({ timeout: BOUND_MS });
  await page.waitForURL(`${base}/trips`, { timeout: BOUND_MS });
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("link", { name: "Sign in" }).waitFor({ timeout: BOUND_MS });
  assert.equal(loggedOut?.get("client_id"), "web-client");
  assert.equal(loggedOut?.get("logout_uri"), `${base}/`);

  // A callback that did not start here (another state) is refused, in words.
  await page.goto(`${base}/auth/callback?code=x&state=forged`);
  await page.getByText("This sign-in did not start here, or took too long. Please sign in again.").waitFor({ timeout: BOUND_MS });
  await shoot(page, "sign-in-failed");
  await page.close();
}

async function run(berth) {
  // Only this run's pages: a page no longer photographed leaves no stale picture.
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "berth-web-"));
  const profile = mkdtempSync(join(tmpdir(), "berth-chromium-"));
  const server = serve(berth, dataDir);
  let context;
  try {
    const base = await server.url;
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: DESKTOP,
      // Lets the test inject axe-core past the app's Content-Security-Policy.
      bypassCSP: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"],
    });
    const problems = [];
    context.on("page", (p) => p.on("pageerror", (e) => problems.push(e.message)));
    const page = context.pages()[0] || (await context.newPage());
    page.on("pageerror", (e) => problems.push(e.message));
    const stay = { checkIn: day(30), checkOut: day(33), blockFrom: day(34), blockLast: day(35) };

    const query = new URLSearchParams({ city: "Lisbon", check_in: stay.checkIn, check_out: stay.checkOut, guests: "2", sort: "price" });
    const weight = await searchWeight(context, base, query);

    await page.goto(`${base}/`);
    await shoot(page, "search-empty");
    await page.goto(`${base}/sign-in`);
    await shoot(page, "sign-in");

    const duoFlat = await hostSeesOnlyOwnListings(page, base);
    await hostPricesAListing(page, base, duoFlat, stay);
    const propertyId = await hostListsAFlat(page, base, stay);

    // A guest books with a card that pays, and sees it confirmed.
    await signIn(page, base, "guest-bo", false);
    await page.goto(`${base}/?${query}`);
    await page.locator(".results li").first().waitFor({ timeout: BOUND_MS });
    await shoot(page, "search-results");
    await guestSearchesAMapArea(page, base, stay);
    const first = await guestFindsAndBooks(page, base, stay, "pm_card_visa");
    await page.locator(".status.CONFIRMED").waitFor({ timeout: BOUND_MS });
    await shoot(page, "booking-confirmed");
    await page.goto(`${base}/stays/${propertyId}?check_in=${stay.checkIn}&check_out=${stay.checkOut}&guests=2`);
    await page.locator("table.quote").waitFor({ timeout: BOUND_MS });
    await shoot(page, "stay");

    // My trips: cancel, with the refund shown before confirming and after.
    await page.getByRole("link", { name: "My trips" }).click();
    await page.locator(".trips li").first().waitFor({ timeout: BOUND_MS });
    await shoot(page, "trips");
    const trip = page.locator(".trips li", { has: page.locator(`a[href="/trips/${first}"]`) });
    await trip.getByRole("button", { name: "Cancel…" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this booking?" });
    await dialog.getByText("If you cancel now you get €41.00 back").waitFor({ timeout: BOUND_MS });
    await shoot(page, "trips-cancel");
    await dialog.getByRole("button", { name: "Cancel the booking" }).click();
    await page.locator(".trips li", { has: page.locator(`a[href="/trips/${first}"]`) }).getByText("Refunded €41.00.").waitFor({ timeout: BOUND_MS });
    await shoot(page, "trips-cancelled");

    // A declined card: FAILED with its reason, and the nights free again.
    await guestFindsAndBooks(page, base, stay, "pm_card_chargeDeclined");
    await page.locator(".status.FAILED").waitFor({ timeout: BOUND_MS });
    await page.getByText("Your card was declined. You were not charged, and the nights are free again.").waitFor();
    await shoot(page, "booking-failed");
    await page.getByRole("link", { name: "Back to the stay" }).click();
    await page.locator("table.quote").waitFor({ timeout: BOUND_MS });
    for (const date of [stay.checkIn, day(31), day(32)]) {
      assert.equal(await page.locator(`.day.free[data-date="${date}"]`).count(), 1, `night ${date} is free again after the declined card`);
    }
    await guestFindsAndBooks(page, base, stay, "pm_card_visa");
    await page.locator(".status.CONFIRMED").waitFor({ timeout: BOUND_MS });

    // The host sees the guest's booking on the calendar, and earnings as a chart.
    await signIn(page, base, "host-ana", true);
    await page.goto(`${base}/host`);
    await page.getByRole("link", { name: "Browser test flat by the river" }).waitFor({ timeout: BOUND_MS });
    await shoot(page, "host-listings");
    await page.goto(`${base}/host/listings/${propertyId}?month=${stay.checkIn.slice(0, 7)}-01`);
    await page.getByRole("heading", { name: "Calendar", exact: true }).waitFor({ timeout: BOUND_MS });
    for (const date of [stay.checkIn, day(31), day(32)]) {
      await page.locator(`button.day.booked[data-date="${date}"]`).getByText("booked by guest-bo (confirmed)").waitFor({ timeout: BOUND_MS });
    }
    for (const date of [stay.blockFrom, stay.blockLast]) {
      assert.equal(await page.locator(`button.day.blocked[data-date="${date}"]`).count(), 1, `${date} shows blocked`);
    }
    await shoot(page, "host-listing");
    await page.getByRole("link", { name: "Earnings" }).click();
    await page.locator("figure.chart").waitFor({ timeout: BOUND_MS });
    const bar = Number(await page.locator("figure.chart rect.bar").last().getAttribute("height"));
    assert.ok(bar > 0, "this month's bar shows the net earnings");
    const table = await page.locator("table").innerText();
    // Two confirmed stays of €41.00, one refunded in full: €82.00 gross, €41.00 net.
    assert.match(table, /2\s+€82\.00\s+€41\.00\s+€41\.00/);
    await shoot(page, "host-earnings");

    await calendarSync(page, base, propertyId, stay);
    await page.goto(`${base}/host/no-such-page`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor({ timeout: BOUND_MS });
    await shoot(page, "not-found");
    await cognitoSignIn(context, base);

    assert.deepEqual(problems, [], "no script errors on any page");
    console.log(`search page weight: ${weight.toFixed(1)} KB transferred (cache disabled, results included)`);
    console.log(`screenshots: ${SHOTS}`);
  } finally {
    await context?.close();
    server.child.kill("SIGTERM");
    rmSync(profile, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const berth = process.argv[2];
if (!berth) {
  console.error("usage: node web/tests/browser.mjs <path to berth>");
  process.exit(2);
}
run(resolve(berth)).then(
  () => console.log("web app browser tests: passed"),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
