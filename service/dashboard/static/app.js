// The dashboard: sign in, then the reports API's answers for the filters on the page.

import * as api from "/app/static/api.js";
import * as charts from "./charts.js";
import * as i18n from "./i18n.js";
import { loadIdle, loadImpact } from "./panels.js";

const { t } = i18n;
const REPORTING = ["admin", "enterprise_staff", "operator"];
const $ = (id) => document.getElementById(id);
const CHARTS = {
  utilisation: { id: "chart-utilisation", draw: charts.drawUtilisation },
  items: { id: "chart-items", draw: charts.drawItems },
  kind: { id: "chart-kind", draw: charts.drawKind },
  heatmap: { id: "chart-heatmap", draw: charts.drawHeatmap },
  rates: { id: "chart-rates", draw: charts.drawRates },
};

let me = null;
let latest = {}; // the last answer per chart, redrawn when the language changes
let generation = 0; // answers of an older refresh are dropped

function show(view) {
  $("signin").hidden = view !== "signin";
  $("not-reporting").hidden = view !== "not-reporting";
  $("dashboard").hidden = view !== "dashboard";
  $("sign-out").hidden = view === "signin";
  if (view === "signin") $("who").textContent = "";
  document.body.dataset.view = view;
}

function isoDay(date) {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

// The last ten whole weeks (Monday to Monday, closed periods), unless the page already says.
function defaultPeriod() {
  const end = new Date();
  end.setDate(end.getDate() - ((end.getDay() + 6) % 7));
  const start = new Date(end);
  start.setDate(end.getDate() - 70);
  if (!$("from").value) $("from").value = isoDay(start);
  if (!$("to").value) $("to").value = isoDay(end);
}

function filters() {
  return { granularity: $("granularity").value, from: $("from").value, to: $("to").value,
    base_id: $("base").value, category: $("category").value };
}

function banner(error) {
  // A network failure in this page's words; any other error as the API said it.
  $("error").textContent = !error ? "" : error.status === 0 ? t("network") : error.message;
  $("error").hidden = !error;
}

function fill(select, items, value, label) {
  const kept = select.value;
  select.replaceChildren(select.options[0]);
  for (const item of items) select.append(new Option(label(item), value(item)));
  select.value = kept;
}

async function loadFilterLists() {
  const [bases, categories] = await Promise.all([
    api.all("/training-bases", { sort: "name" }),
    api.all("/equipment-categories", { sort: "name" }),
  ]);
  fill($("base"), bases, (b) => b.id, (b) => b.name);
  fill($("category"), categories, (c) => c.code, (c) => c.name);
}

function writeWho() {
  if (!me) return;
  $("who").textContent = t("signed_in_as", { name: me.full_name, org: me.organisation_name });
  $("scope").textContent = me.role === "operator" ? t("scope_all")
    : t("scope_own", { org: me.organisation_name });
}

function writeTotals(rows) {
  const totals = charts.totals(rows);
  $("kpi-utilisation").textContent = i18n.percent(totals.utilisation);
  $("kpi-no-shows").textContent = totals.no_shows_per_100_hours === null ? "–"
    : totals.no_shows_per_100_hours.toFixed(2);
  $("kpi-late").textContent = i18n.percent(totals.late_share);
  $("kpis").dataset.plotted = JSON.stringify(totals);
}

function drawChart(name) {
  const answer = latest[name];
  const element = $(CHARTS[name].id);
  if (answer instanceof Error) charts.failed(element, answer.message);
  else if (answer !== undefined) CHARTS[name].draw(element, answer);
}

async function refresh() {
  const f = filters();
  const key = api.query(f);
  const mine = ++generation;
  document.body.dataset.loaded = "";
  for (const { id } of Object.values(CHARTS)) charts.loading($(id), key);
  const utilisation = (group_by) => api.get("/reports/utilisation", { ...f, group_by })
    .then((answer) => answer.rows);
  const area = { from: f.from, to: f.to, base_id: f.base_id, category: f.category };
  // A school's admin sees its own equipment (kind "school") against the partner equipment
  // offered to it, which its people booked: /reports/partner-equipment, per period.
  const partner = me.role === "admin"
    ? api.get("/reports/partner-equipment", { from: f.from, to: f.to,
      granularity: f.granularity, group_by: "enterprise" }).then((answer) => answer.rows)
    : Promise.resolve(null);
  const asks = {
    school: utilisation("school"),
    items: utilisation("item"),
    kind: Promise.all([utilisation("kind"), partner])
      .then(([rows, partnerRows]) => ({ rows, partner: partnerRows })),
    heatmap: api.get("/reports/heatmap", area),
  };
  // Keep each answer (or its error) for its charts and draw them, unless a newer refresh
  // has begun meanwhile.
  const settle = (promise, names, after) => promise.then(
    (answer) => {
      if (mine !== generation) return;
      for (const n of names) latest[n] = answer;
      after?.(answer);
    },
    (error) => {
      if (mine !== generation) return;
      for (const n of names) latest[n] = error;
    },
  ).then(() => { if (mine === generation) names.forEach(drawChart); });
  const done = [
    settle(asks.school, ["utilisation", "rates"], writeTotals),
    settle(asks.items, ["items"]),
    settle(asks.kind, ["kind"]),
    settle(asks.heatmap, ["heatmap"]),
  ];
  if (me.role === "enterprise_staff") done.push(loadImpact(me, f.from, f.to));
  await Promise.all(done);
  if (mine !== generation) return;
  const failures = Object.values(latest).filter((a) => a instanceof Error);
  banner(failures[0] || null);
  document.body.dataset.loaded = key;
}

async function enter() {
  me = await api.get("/me");
  writeWho();
  if (!REPORTING.includes(me.role)) {
    show("not-reporting");
    return;
  }
  show("dashboard");
  $("impact").hidden = me.role !== "enterprise_staff";
  defaultPeriod();
  try {
    await loadFilterLists();
  } catch (error) {
    banner(error);
  }
  await Promise.all([refresh(), loadIdle(me, {})]);
}

async function signIn(event) {
  event.preventDefault();
  const message = $("signin-error");
  message.hidden = true;
  try {
    await api.signIn($("email").value.trim(), $("password").value);
    $("password").value = "";
    await enter();
  } catch (error) {
    message.textContent = error.message;
    message.hidden = false;
  }
}

async function signOut() {
  try { await api.signOut(); } catch { /* the token is forgotten either way */ }
  me = null;
  latest = {};
  show("signin");
}

function switchLanguage() {
  i18n.toggle();
  writeWho();
  if (!me || !REPORTING.includes(me.role)) return;
  Object.keys(CHARTS).forEach(drawChart);
  if (latest.utilisation && !(latest.utilisation instanceof Error)) {
    writeTotals(latest.utilisation);
  }
  loadIdle(me, {});
  if (me.role === "enterprise_staff") loadImpact(me, $("from").value, $("to").value);
}

let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 150);
}

async function downloadCsv() {
  const f = filters();
  try {
    await api.download("/reports/utilisation.csv", { ...f, group_by: "item" },
      `utilisation-${f.granularity}-${f.from}-${f.to}.csv`);
    banner(null);
  } catch (error) {
    banner(error);
  }
}

function start() {
  i18n.apply();
  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("lang-switch").addEventListener("click", switchLanguage);
  $("csv").addEventListener("click", downloadCsv);
  for (const id of ["granularity", "from", "to", "base", "category"]) {
    $(id).addEventListener("change", refreshSoon);
  }
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  api.whenExpired(() => {
    me = null;
    show("signin");
    $("signin-error").textContent = t("expired");
    $("signin-error").hidden = false;
  });
  if (!api.token()) {
    show("signin");
    return;
  }
  enter().catch(() => {
    api.forget();
    show("signin");
  });
}

start();
