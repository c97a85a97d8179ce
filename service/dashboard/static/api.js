// The API, as the page uses it: a bearer token kept in sessionStorage, JSON in and out,
// problem+json errors turned into an ApiError whose message a person can read.

import { t } from "./i18n.js";

const BASE = "/api/v1";
const TOKEN = "benchshare.token";

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.code = body && body.code;
    this.body = body;
  }
}

// "Title: detail (field: message; ...)" from a problem+json body.
function describe(status, body) {
  if (!body || typeof body !== "object") return `HTTP ${status}`;
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

export function token() { return sessionStorage.getItem(TOKEN); }
export function forget() { sessionStorage.removeItem(TOKEN); }

let onExpired = () => {};
export function whenExpired(callback) { onExpired = callback; }

async function send(path, { method = "GET", body, accept = "application/json" } = {}) {
  const headers = { Accept: accept };
  const kept = token();
  if (kept) headers.Authorization = `Bearer ${kept}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(BASE + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, { title: t("network"), detail: String(error.message || error) });
  }
  if (response.ok) return response;
  let problem = null;
  try { problem = await response.json(); } catch { /* not JSON: the status says enough */ }
  if (response.status === 401 && kept && path !== "/auth/token") {
    forget();
    onExpired();
  }
  throw new ApiError(response.status, problem);
}

export async function get(path, params = {}) {
  const response = await send(path + query(params));
  return response.json();
}

export async function post(path, body) {
  const response = await send(path, { method: "POST", body });
  return response.status === 204 ? null : response.json();
}

export async function signIn(email, password) {
  const answer = await post("/auth/token", { email, password });
  sessionStorage.setItem(TOKEN, answer.access_token);
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

// Every item of a paged collection (the catalogue's bases, the schools).
export async function all(path, params = {}) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const answer = await get(path, { ...params, page, page_size: 100 });
    items.push(...answer.items);
    if (items.length >= answer.total || answer.items.length === 0) return items;
  }
}
