// The PKCE pieces of web/js/auth.js against RFC 7636's own example
// (Appendix B): the verifier from its 32 octets, and its S256 challenge.
//
//   node web/tests/pkce.mjs

import assert from "node:assert/strict";
import { base64url, codeChallenge, codeVerifier } from "../js/auth.js";

const OCTETS = new Uint8Array([116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
  22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121]);
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

assert.equal(codeVerifier(OCTETS), VERIFIER, "the verifier of RFC 7636, Appendix B");
assert.equal(await codeChallenge(VERIFIER), CHALLENGE, "its S256 challenge");

// Base64url: no padding, "-" and "_" for "+" and "/" (RFC 7636, Appendix A).
assert.equal(base64url(new Uint8Array([0xfb, 0xff])), "-_8");
assert.equal(base64url(new Uint8Array([])), "");

// A fresh verifier: 43 characters of the unreserved set, different each time
// (section 4.1: 43 to 128 characters, [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~").
const fresh = codeVerifier();
assert.match(fresh, /^[A-Za-z0-9\-._~]{43}$/);
assert.notEqual(codeVerifier(), fresh);

console.log("PKCE (RFC 7636 test vector): passed");
