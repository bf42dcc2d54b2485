// Who is signed in. Locally, POST /local/token issues a token for any user
// id (a guest, or a host in the "hosts" group). In AWS, Cognito's hosted UI
// with the authorization code flow and PKCE (RFC 7636): the browser keeps a
// random verifier, sends its SHA-256 challenge, and trades the returned code
// plus the verifier for tokens. Which one runs comes from /config.json.

import { api, currentConfig } from "./api.js";

const KEY = "berth.session";
const PKCE = "berth.pkce";

/**
 * @typedef {{token: string, sub: string, groups: string[], expires: number}} Session
 */

/** @param {string} token @returns {Session} */
function sessionOf(token) {
  const part = token.split(".")[1] || "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  const claims = JSON.parse(json);
  const groups = claims["cognito:groups"] || [];
  return {
    token,
    sub: claims.username || claims.sub,
    groups: Array.isArray(groups) ? groups : String(groups).split(" "),
    expires: Number(claims.exp || 0) * 1000,
  };
}

/** @returns {Session | null} the signed-in person, while the token lasts */
export function session() {
  const text = localStorage.getItem(KEY);
  if (!text) return null;
  try {
    const found = /** @type {Session} */ (JSON.parse(text));
    return found.expires > Date.now() ? found : null;
  } catch {
    return null;
  }
}

export function isHost() {
  return (session()?.groups || []).includes("hosts");
}

/**
 * Forgets the session. With Cognito, answers where to send the browser so
 * the hosted UI forgets it too (its /logout, back to this origin's "/", a
 * sign-out URL the app client allows); locally, null.
 * @returns {string | null}
 */
export function signOut() {
  localStorage.removeItem(KEY);
  const auth = currentConfig().auth;
  if (auth.kind !== "cognito") return null;
  const query = new URLSearchParams({ client_id: auth.client_id, logout_uri: `${location.origin}/` });
  return `https://${auth.domain}/logout?${query}`;
}

/**
 * Local platform only: sign in as `sub`, a host or a guest.
 * @param {string} sub
 * @param {boolean} host
 */
export async function signInLocally(sub, host) {
  const { token } = await api("/local/token", {
    method: "POST",
    body: { sub, groups: host ? ["hosts"] : [] },
  });
  localStorage.setItem(KEY, JSON.stringify(sessionOf(token)));
}

/**
 * Base64url without padding (RFC 7636, Appendix A).
 * @param {Uint8Array} bytes
 */
export function base64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * A PKCE code verifier from 32 random octets: 43 characters of base64url
 * (RFC 7636, section 4.1).
 * @param {Uint8Array} [octets] the random octets (tests pass RFC 7636's)
 */
export function codeVerifier(octets = crypto.getRandomValues(new Uint8Array(32))) {
  return base64url(octets);
}

/**
 * The S256 code challenge of `verifier`: BASE64URL(SHA256(ASCII(verifier)))
 * (RFC 7636, section 4.2).
 * @param {string} verifier
 */
export async function codeChallenge(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function redirectUri() {
  return `${location.origin}/auth/callback`;
}

/**
 * Cognito: go to the hosted UI; it comes back to /auth/callback.
 * @param {string} returnTo the page to open after signing in
 */
export async function signInWithCognito(returnTo) {
  const auth = currentConfig().auth;
  if (auth.kind !== "cognito") throw new Error("this deployment signs in locally");
  const verifier = codeVerifier();
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, returnTo }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: auth.client_id,
    redirect_uri: redirectUri(),
    scope: auth.scopes || "openid email",
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: "S256",
  });
  location.assign(`https://${auth.domain}/oauth2/authorize?${query}`);
}

/**
 * Cognito's redirect back: checks the state, trades the code for tokens.
 * @returns {Promise<string>} the page to open next
 */
export async function finishCognitoSignIn() {
  const auth = currentConfig().auth;
  const params = new URLSearchParams(location.search);
  const saved = JSON.parse(sessionStorage.getItem(PKCE) || "null");
  sessionStorage.removeItem(PKCE);
  if (params.get("error")) throw new Error(params.get("error_description") || String(params.get("error")));
  if (auth.kind !== "cognito" || !saved || saved.state !== params.get("state")) {
    throw new Error("This sign-in did not start here, or took too long. Please sign in again.");
  }
  const response = await fetch(`https://${auth.domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: auth.client_id,
      code: params.get("code") || "",
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) throw new Error("Cognito did not accept the sign-in. Please try again.");
  const tokens = await response.json();
  localStorage.setItem(KEY, JSON.stringify(sessionOf(tokens.access_token)));
  return saved.returnTo || "/";
}
