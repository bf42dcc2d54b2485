// Talking to Berth's API: the runtime config, the bearer token, and
// problem+json (RFC 9457) errors turned into messages a person can read.

/**
 * @typedef {{kind: "local"} | {kind: "none"} | {kind: "cognito", domain: string, client_id: string, scopes?: string}} AuthConfig
 * @typedef {{api: string, auth: AuthConfig}} Config
 * @typedef {{amount: number, currency: string}} Money
 */

/** @type {Config | null} */
let config = null;
/** @type {() => string | null} */
let tokenSource = () => null;

/** Reads /config.json once: where the API is and how people sign in. */
export async function loadConfig() {
  if (config) return config;
  const response = await fetch("/config.json", { cache: "no-cache" });
  if (!response.ok) throw new Error("Berth's configuration (/config.json) could not be read.");
  config = /** @type {Config} */ (await response.json());
  return config;
}

/** @returns {Config} */
export function currentConfig() {
  if (!config) throw new Error("the configuration is not loaded yet");
  return config;
}

/** @param {() => string | null} source */
export function useToken(source) {
  tokenSource = source;
}

/** An answer from the API that was not a success. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} detail what went wrong, in words for a person
   * @param {string | undefined} field the request field at fault, if one is
   */
  constructor(status, detail, field) {
    super(detail);
    this.status = status;
    this.field = field;
  }
}

/** @param {Response} response */
async function failure(response) {
  let detail = `The server answered ${response.status} ${response.statusText}.`;
  /** @type {string | undefined} */
  let field;
  const type = response.headers.get("content-type") || "";
  if (type.includes("json")) {
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
      field = problem.field;
    } catch {
      // A broken body keeps the status line as the message.
    }
  }
  if (response.status === 401) detail = `Please sign in again: ${detail}`;
  if (response.status === 429) detail = `Berth is busy right now; try again in a moment. (${detail})`;
  return new ApiError(response.status, detail, field);
}

/**
 * Calls the API and answers its JSON body; throws ApiError otherwise.
 * @param {string} path
 * @param {{method?: string, body?: unknown, headers?: Record<string, string>}} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options = {}) {
  const { api: base } = currentConfig();
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json", ...options.headers };
  const token = tokenSource();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(base + path, {
      method: options.method || "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, "Berth cannot be reached. Check your connection and try again.", undefined);
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

/** @type {Promise<Set<string>> | null} */
let routes = null;

/**
 * Whether the API has a route, by the OpenAPI document served beside the app
 * (`GET /openapi.json`, e.g. "GET /properties/{id}/pricing"). Pages for
 * features other work adds (pricing, calendar feeds) appear once it does.
 * @param {string} method
 * @param {string} path
 */
export async function serves(method, path) {
  routes ||= fetch("/openapi.json")
    .then((r) => (r.ok ? r.json() : { paths: {} }))
    .then((doc) => {
      const found = new Set();
      for (const [p, ops] of Object.entries(doc.paths || {})) {
        for (const m of Object.keys(/** @type {object} */ (ops))) found.add(`${m.toUpperCase()} ${p}`);
      }
      return found;
    })
    .catch(() => new Set());
  return (await routes).has(`${method} ${path}`);
}
