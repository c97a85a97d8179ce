// The app's shell: the route table, the sign-in page, the header (nav by role, language, sign
// out), and the page modules loaded by dynamic import() into <main id="main">.

import * as api from "./api.js";
import * as i18n from "./i18n.js";
import { banner, field, h, heading } from "./ui.js";

const { t } = i18n;
const ALL = null; // every signed-in role
const STAFF = ["instructor", "admin"];
const ENTERPRISE = ["enterprise_staff"];
const ADMIN = ["admin"];
const OWNERS = ["admin", "enterprise_staff"]; // who keeps bases, equipment and people
const WORKSPACE = ["admin", "enterprise_staff", "operator"];
const BOOKING = ["student", "instructor", "admin"]; // who books in the app

// ISSUE 22's table: path pattern, page module (static/pages/<module>.js), who may open it.
export const ROUTES = [
  { path: "/", module: "home", roles: ALL },
  { path: "/signin", module: null, roles: ALL },
  { path: "/find", module: "find", roles: ALL },
  { path: "/equipment/:id", module: "item", roles: ALL },
  { path: "/bookings/:id", module: "booking", roles: ALL },
  { path: "/notifications", module: "notifications", roles: ALL },
  { path: "/practice", module: "practice", roles: ["student"] },
  { path: "/calendar", module: "calendar", roles: ALL },
  { path: "/class", module: "class", roles: ["instructor"] },
  { path: "/approvals", module: "approvals", roles: [...STAFF, ...ENTERPRISE] },
  { path: "/qualifications", module: "qualifications", roles: STAFF },
  { path: "/outcomes/new/:reservation_id", module: "outcome", roles: ALL },
  { path: "/attendance/:reservation_id", module: "attendance", roles: ["instructor", "admin"] },
  { path: "/labels/:base_id", module: "labels", roles: ["admin"] },
  // ISSUE 23's workspaces (docs/workspaces.md).
  { path: "/work", module: "work", roles: WORKSPACE },
  { path: "/offers", module: "offers", roles: OWNERS },
  { path: "/offers/new", module: "offer-edit", roles: ENTERPRISE },
  { path: "/offers/:id", module: "offer", roles: OWNERS },
  { path: "/offers/:id/edit", module: "offer-edit", roles: ENTERPRISE },
  { path: "/fleet", module: "fleet", roles: ENTERPRISE },
  { path: "/received", module: "received", roles: ENTERPRISE },
  { path: "/impact", module: "impact", roles: ENTERPRISE },
  { path: "/partners", module: "partners", roles: ADMIN },
  { path: "/bases", module: "bases", roles: OWNERS },
  { path: "/bases/:id", module: "base", roles: OWNERS },
  { path: "/equipment/:id/edit", module: "equipment-edit", roles: OWNERS },
  { path: "/people", module: "people", roles: OWNERS },
  { path: "/quotas", module: "quotas", roles: ADMIN },
  { path: "/organisations", module: "organisations", roles: ["operator"] },
  { path: "/vocabulary", module: "vocabulary", roles: ["operator"] },
  // ISSUE 24: going live at a school (docs/going-live.md). `public` pages open signed out.
  { path: "/password", module: "password", roles: ALL, public: true },
  { path: "/password/forgot", module: "password-forgot", roles: ALL, public: true },
  { path: "/signin/complete", module: "sign-on-complete", roles: ALL, public: true },
  { path: "/people/import", module: "import", roles: OWNERS },
  { path: "/classes", module: "classes", roles: STAFF },
  { path: "/classes/:id", module: "school-class", roles: STAFF },
  { path: "/sign-on", module: "sign-on-settings", roles: OWNERS },
  { path: "/settings", module: "settings", roles: ALL },
];

// The nav per role: [path, string key].
const NAV = [
  ["/", "nav_home", BOOKING],
  ["/work", "nav_work", WORKSPACE],
  ["/find", "nav_find", BOOKING],
  ["/class", "nav_class", ["instructor"]],
  ["/offers", "nav_offers", ENTERPRISE],
  ["/approvals", "nav_approvals", [...STAFF, ...ENTERPRISE]],
  ["/qualifications", "nav_qualifications", ["instructor"]],
  ["/practice", "nav_practice", ["student"]],
  ["/calendar", "nav_calendar", BOOKING],
  ["/notifications", "nav_notifications", ALL],
  ["/dashboard", "nav_dashboard", WORKSPACE],
  ["/settings", "nav_settings", ALL],
];

const VERSION = new URL(import.meta.url).searchParams.get("v") || "";
const $ = (id) => document.getElementById(id);
const main = () => $("main");

let me = null;
let cleanup = null;
let generation = 0;
let unread = null;

function match(pathname) {
  for (const route of ROUTES) {
    const names = [];
    const pattern = new RegExp(`^${route.path.replace(/:(\w+)/g, (_, name) => {
      names.push(name);
      return "(\\d+)";
    })}/?$`);
    const found = pattern.exec(pathname === "/" ? "/" : pathname.replace(/\/$/, ""));
    if (found) {
      const params = Object.fromEntries(names.map((name, i) => [name, found[i + 1]]));
      return { route, params };
    }
  }
  return null;
}

const allowed = (roles) => roles === ALL || (me && roles.includes(me.role));

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  return render();
}

// The count shown beside "Notifications" (pages call setUnread after marking read).
export function setUnread(count) {
  unread = count;
  const badge = document.querySelector("[data-testid='nav-unread']");
  if (badge) {
    badge.textContent = String(count ?? "");
    badge.hidden = !count;
    badge.setAttribute("aria-label", t("unread_count", { count }));
  }
}

function drawHeader() {
  const nav = $("nav");
  nav.setAttribute("aria-label", t("nav_label"));
  $("lang-switch").textContent = t("other_language");
  $("lang-switch").lang = i18n.language() === "en" ? "zh-CN" : "en";
  $("sign-out").hidden = !me;
  nav.hidden = !me;
  if (!me) {
    nav.replaceChildren();
    return;
  }
  const here = location.pathname;
  nav.replaceChildren(...NAV.filter(([, , roles]) => allowed(roles)).map(([path, key]) => {
    const current = path === "/" ? here === "/" : here.startsWith(path);
    const link = h("a", { href: path, testid: `nav-${key.slice(4)}`,
      "aria-current": current ? "page" : null }, t(key));
    if (key === "nav_notifications") {
      link.append(h("span", { class: "count", testid: "nav-unread", hidden: !unread }, String(unread ?? "")));
    }
    return link;
  }));
  setUnread(unread);
}

function signInPage(container, message) {
  const email = h("input", { type: "email", name: "email", autocomplete: "username",
    required: true, testid: "email" });
  const password = h("input", { type: "password", name: "password",
    autocomplete: "current-password", required: true, testid: "password" });
  const error = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card narrow", testid: "signin" },
    heading(t("signin_title")),
    message ? banner(message, { kind: "info", testid: "signin-notice" }) : null,
    field(t("email"), email), field(t("password"), password),
    h("button", { type: "submit", testid: "signin-submit" }, t("signin_button")), error,
    h("p", {}, h("a", { href: "/password/forgot", testid: "forgot-password" },
      t("forgot_password"))));
  // The school's own sign-on (pages/sign-on.js): a button per organisation that has one.
  const providers = h("div", { testid: "sign-on-providers" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.replaceChildren();
    try {
      await api.signIn(email.value.trim(), password.value);
      me = await api.get("/me");
      i18n.adopt(me.language); // language: the person's own, unless chosen in this browser
      await navigate(api.takeReturn() || "/", { replace: true });
    } catch (failure) {
      error.replaceChildren(banner(failure, { testid: "signin-error" }));
    }
  });
  container.replaceChildren(form, providers);
  document.title = `${t("signin_title")} · BenchShare`;
  import(`./pages/sign-on.js${VERSION ? `?v=${VERSION}` : ""}`)
    .then((module) => module.renderProviders(providers))
    .catch((failure) => console.warn(failure)); // password sign-in works without it
}

function notFound(container) {
  container.replaceChildren(h("section", { class: "card", testid: "not-found" },
    heading(t("not_found_title")), h("p", {}, t("not_found_text")),
    h("a", { href: "/" }, t("go_home"))));
}

async function loadUnread() {
  try {
    const answer = await api.get("/me/notifications", { page_size: 1 });
    setUnread(typeof answer.unread === "number" ? answer.unread : null);
  } catch { /* the count is a nicety: the notifications page says what failed */ }
}

export async function render({ focus = true } = {}) {
  const mine = ++generation;
  if (cleanup) {
    try { cleanup(); } catch { /* a page's cleanup must not stop the next page */ }
    cleanup = null;
  }
  const container = main();
  container.replaceChildren();
  delete document.body.dataset.ready;
  const found = match(location.pathname);
  if (found?.route.public) {
    // Links from e-mails and the sign-on's return: for whoever opens them, signed in or not.
    me = null;
    drawHeader();
    await showPage(found, container, mine, focus);
    return;
  }
  if (found?.route.path === "/signin" || (!api.token() && found)) {
    if (found.route.path !== "/signin") {
      api.rememberReturn(location.pathname + location.search);
      history.replaceState(null, "", "/signin");
    }
    me = null;
    drawHeader();
    signInPage(container, sessionStorage.getItem("benchshare.expired") ? t("session_expired") : null);
    sessionStorage.removeItem("benchshare.expired");
    document.body.dataset.ready = "signin";
    return;
  }
  if (!me && api.token()) {
    try {
      me = await api.get("/me");
      i18n.adopt(me.language); // language: the person's own, unless chosen in this browser
      loadUnread();
    } catch (error) {
      if (mine !== generation) return;
      if (error.status === 401) return; // whenExpired has taken the user to sign in
      container.replaceChildren(banner(error));
      return;
    }
  }
  if (mine !== generation) return;
  drawHeader();
  if (!found) {
    notFound(container);
    document.body.dataset.ready = "not-found";
    return;
  }
  // Enterprise staff and operators book nothing: their home is their workspace.
  if (found.route.path === "/" && me && ["enterprise_staff", "operator"].includes(me.role)) {
    history.replaceState(null, "", "/work");
    render({ focus });
    return;
  }
  if (!allowed(found.route.roles)) {
    container.replaceChildren(h("section", { class: "card", testid: "not-for-role" },
      heading(t("not_for_role")), h("a", { href: "/" }, t("go_home"))));
    document.body.dataset.ready = "not-for-role";
    return;
  }
  await showPage(found, container, mine, focus);
}

// Load a route's page module and let it draw into <main>.
async function showPage(found, container, mine, focus) {
  let page;
  try {
    page = await import(`./pages/${found.route.module}.js${VERSION ? `?v=${VERSION}` : ""}`);
  } catch (error) {
    if (mine !== generation) return;
    console.warn(error);
    container.replaceChildren(banner(t("page_failed")));
    document.body.dataset.ready = "failed";
    return;
  }
  if (mine !== generation) return;
  const ctx = {
    me, params: found.params, query: new URLSearchParams(location.search), navigate,
    refresh: () => render({ focus: false }), setUnread, version: VERSION,
  };
  try {
    const result = await page.render(container, ctx);
    if (mine !== generation) {
      if (typeof result === "function") result();
      return;
    }
    if (typeof result === "function") cleanup = result;
  } catch (error) {
    if (mine !== generation) return;
    if (error?.status === 401) return;
    // Another school's item or booking, or an id that never was: the same plain not-found page
    // (never a half-drawn page); any other failure replaces the page's "Loading…".
    if (error?.status === 404) notFound(container);
    else {
      container.querySelectorAll("[data-testid='loading']").forEach((node) => node.remove());
      container.append(banner(error));
    }
  }
  const title = container.querySelector("h1");
  document.title = title ? `${title.textContent} · BenchShare` : "BenchShare";
  if (focus && title) title.focus({ preventScroll: false });
  document.body.dataset.ready = found.route.module;
}

// Same-origin links to app paths move without reloading the page.
function onClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
      event.shiftKey || event.altKey) return;
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !match(url.pathname)) return;
  event.preventDefault();
  if (url.pathname === location.pathname && url.search === location.search) {
    render();
    return;
  }
  navigate(url.pathname + url.search);
}

async function signOut() {
  try { await api.signOut(); } catch { /* the token is forgotten either way */ }
  me = null;
  unread = null;
  navigate("/signin");
}

function start() {
  i18n.apply();
  document.addEventListener("click", onClick);
  window.addEventListener("popstate", () => render());
  $("lang-switch").addEventListener("click", () => {
    i18n.setLanguage(i18n.language() === "en" ? "zh" : "en");
    // language: signed in, the choice is the person's own too (their e-mails and notices).
    if (me && api.token()) {
      const language = i18n.personLanguage();
      api.patch("/me", { language }).then(() => { if (me) me = { ...me, language }; })
        .catch((failure) => console.warn(failure)); // the switch works in this browser anyway
    }
  });
  i18n.onChange(() => render({ focus: false }));
  $("sign-out").addEventListener("click", signOut);
  api.whenExpired(() => {
    me = null;
    sessionStorage.setItem("benchshare.expired", "1");
    history.pushState(null, "", "/signin");
    // After the failing page has handled its error (it may still write into <main>).
    setTimeout(() => render(), 0);
  });
  // Another tab signed in or out: follow it.
  window.addEventListener("storage", (event) => {
    if (event.key === "benchshare.token") {
      me = null;
      render({ focus: false });
    }
  });
  render({ focus: false });
}

start();
