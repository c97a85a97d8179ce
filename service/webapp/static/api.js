// The public API as the app and the dashboard use it (one module for both): a bearer token in
// localStorage (a QR scan opens a new tab that must stay signed in), JSON in and out, problem+json
// turned into an ApiError, an Idempotency-Key on every POST, and the server's clock from `Date`.

const BASE = "/api/v1";
const TOKEN = "benchshare.token";
const RETURN = "benchshare.return";

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.code = (body && body.code) || (status === 0 ? "network" : null);
    this.body = body || { status, code: this.code };
  }
}

// "Title: detail (field: message; ...)" from a problem+json body: the fallback text only,
// pages explain refusals in the user's language with refusals.js.
function describe(status, body) {
  if (!body || typeof body !== "object") return status ? `HTTP ${status}` : "Network error";
  let text = body.title || `HTTP ${status}`;
  if (body.detail) text += `: ${body.detail}`;
  const errors = body.errors && typeof body.errors === "object" ? body.errors : null;
  if (errors) {
    const parts = Object.entries(errors).map(([field, messages]) =>
      `${field}: ${[].concat(messages).join(" ")}`);
    if (parts.length) text += ` (${parts.join("; ")})`;
  }
  return text;
}

export function token() { return localStorage.getItem(TOKEN); }
export function forget() {
  localStorage.removeItem(TOKEN);
  sessionStorage.removeItem(TOKEN); // older dashboards kept it here
}

let onExpired = () => {};
// What the page does when a signed-in call answers 401: show its sign-in, then come back.
export function whenExpired(callback) { onExpired = callback; }

// Where the user was when the session ended (or before signing in), to go back there after.
export function rememberReturn(path) { sessionStorage.setItem(RETURN, path); }
export function takeReturn() {
  const path = sessionStorage.getItem(RETURN);
  sessionStorage.removeItem(RETURN);
  return path;
}

// Server time minus the browser's, from each answer's Date header (whole seconds): the
// check-in window is the server's, whatever the phone's clock says.
let skew = 0;
export function serverNow() { return Date.now() + skew; }

// A fresh key for one user action; pass it again (post(path, body, {key})) to retry that action.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0")).join("");
}

async function send(path, { method = "GET", body, accept = "application/json", key, extra } = {}) {
  const headers = { Accept: accept, ...extra };
  const kept = token();
  if (kept) headers.Authorization = `Bearer ${kept}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers["Idempotency-Key"] = key;
  let response;
  try {
    response = await fetch(BASE + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, { title: "Network error", detail: String(error.message || error),
      code: "network", status: 0 });
  }
  const date = Date.parse(response.headers.get("Date") || "");
  if (!Number.isNaN(date)) skew = date + 500 - Date.now(); // the header truncates to the second
  if (response.ok) return response;
  let problem = null;
  try { problem = await response.json(); } catch { /* not JSON: the status says enough */ }
  if (response.status === 401 && kept && path !== "/auth/token") {
    forget();
    rememberReturn(location.pathname + location.search);
    onExpired();
  }
  throw new ApiError(response.status, problem);
}

export async function get(path, params = {}) {
  const response = await send(path + query(params));
  return response.json();
}

// A resource with its ETag, for an edit that sends it back as If-Match (a stale edit is 412).
export async function getWithEtag(path, params = {}) {
  const response = await send(path + query(params));
  return { body: await response.json(), etag: response.headers.get("ETag") };
}

// A response whose body the caller reads itself (an SVG, a CSV), with the bearer token.
export async function raw(path, params = {}, accept = "*/*") {
  return send(path + query(params), { accept });
}

async function write(method, path, body, key, ifMatch) {
  const response = await send(path, { method, body, key,
    extra: ifMatch ? { "If-Match": ifMatch } : {} });
  return response.status === 204 ? null : response.json();
}

// POST with an Idempotency-Key: one per user action (give `key` to reuse it when the user
// retries); a network failure is retried once with the same key, so it never acts twice.
// `ifMatch` sends the ETag the user's page was drawn from (the offers' lifecycle honours it).
export async function post(path, body, { key, ifMatch } = {}) {
  const used = key || newKey();
  try {
    return await write("POST", path, body, used, ifMatch);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 0) throw error;
    return write("POST", path, body, used, ifMatch);
  }
}

export async function patch(path, body, { ifMatch } = {}) {
  const response = await send(path, { method: "PATCH", body,
    extra: ifMatch ? { "If-Match": ifMatch } : {} });
  return response.json();
}

export async function del(path, { ifMatch } = {}) {
  return write("DELETE", path, undefined, undefined, ifMatch);
}

// Keep a token got another way than a password (a set-password link, the school's sign-on).
export function useToken(accessToken) { localStorage.setItem(TOKEN, accessToken); }

export async function signIn(email, password) {
  const response = await send("/auth/token", { method: "POST", body: { email, password } });
  const answer = await response.json();
  localStorage.setItem(TOKEN, answer.access_token);
  return answer;
}

export async function signOut() {
  try { await send("/auth/token", { method: "DELETE" }); } finally { forget(); }
}

// Fetch a CSV with the bearer token and hand it to the browser as a download.
export async function download(path, params, fallbackName) {
  const response = await send(path + query(params), { accept: "text/csv" });
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") || "";
  const named = /filename="?([^";]+)"?/.exec(disposition);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = named ? named[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// "?a=1&b=2" without the empty values.
export function query(params) {
  const kept = Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined);
  return kept.length ? `?${new URLSearchParams(kept)}` : "";
}

// Every item of a paged collection (at most `limit` items).
export async function all(path, params = {}, limit = 2000) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const answer = await get(path, { ...params, page, page_size: 100 });
    items.push(...answer.items);
    if (items.length >= answer.total || answer.items.length === 0 || items.length >= limit) {
      return items;
    }
  }
}
