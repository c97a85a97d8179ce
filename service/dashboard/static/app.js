// The dashboard: sign in, then the reports API's answers for the filters on the page, each
// figure opening the reservations behind it (drill.js).

import * as api from "/app/static/api.js";
import * as charts from "./charts.js";
import { loadComparisons, totals, writeKpis } from "./compare.js";
import { closeDrill, initDrill, openDrill, redrawDrill } from "./drill.js";
import { drawHeatmap } from "./heatmap.js";
import * as i18n from "./i18n.js";
import { loadIdle, loadImpact } from "./panels.js";
import { itemsTable, itemTotals } from "./table.js";

const { t } = i18n;
i18n.add({
  en: {
    owner: "Owner", items_title: "Every item", fig_booked: "Booked hours",
    fig_used: "Used hours", fig_no_show: "No-shows", fig_cancelled: "Cancellations",
    fig_late_cancellation: "Late cancellations", span: "{from} – {to}",
    click_point: "Click a point for the reservations behind it.",
    click_bar: "Click a bar for the reservations behind it.",
  },
  zh: {
    owner: "所属单位", items_title: "全部设备", fig_booked: "预约小时", fig_used: "使用小时",
    fig_no_show: "爽约", fig_cancelled: "取消", fig_late_cancellation: "迟取消",
    span: "{from} – {to}",
    click_point: "点击数据点可查看其背后的预约。",
    click_bar: "点击柱形可查看其背后的预约。",
  },
});

const REPORTING = ["admin", "enterprise_staff", "operator"];
const $ = (id) => document.getElementById(id);
const CHARTS = ["utilisation", "items", "kind", "heatmap", "rates"];

let me = null;
let latest = {}; // the last answer per figure, redrawn when the language changes
let generation = 0; // answers of an older refresh are dropped
let bases = [];

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
  const f = { granularity: $("granularity").value, from: $("from").value, to: $("to").value,
    base_id: $("base").value, category: $("category").value };
  if (me?.role === "operator") f.owner_id = $("owner").value;
  return f;
}
// The scope every figure shares (the page's filters less the granularity).
function area(f) {
  const { granularity, ...rest } = f;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== ""));
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
  select.value = [...select.options].some((o) => o.value === kept) ? kept : "";
}

// The bases the caller's figures can be about: its own organisation's (run or co-built), not
// the partners' that /training-bases also lists; for the operator, the chosen owner's.
function fillBases() {
  const org = me.role === "operator" ? Number($("owner").value) || null : me.organisation_id;
  const own = bases.filter((b) => org === null || b.organisation_id === org
    || (b.co_owner_ids || []).includes(org));
  fill($("base"), own, (b) => b.id, (b) => b.name);
}

async function loadFilterLists() {
  const operator = me.role === "operator";
  $("owner-field").hidden = !operator;
  const [all, categories, owners] = await Promise.all([
    api.all("/training-bases", { sort: "name" }),
    api.all("/equipment-categories", { sort: "name" }),
    operator ? api.all("/organisations", { sort: "name" }) : [],
  ]);
  bases = all;
  fillBases();
  fill($("category"), categories, (c) => c.code, (c) => c.name);
  if (operator) fill($("owner"), owners, (o) => o.id, (o) => o.name);
}

function writeWho() {
  if (!me) return;
  $("who").textContent = t("signed_in_as", { name: me.full_name, org: me.organisation_name });
  $("scope").textContent = me.role === "operator" ? t("scope_all")
    : t("scope_own", { org: me.organisation_name });
}

const lastDay = (to) => {
  const date = new Date(`${to}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
};
const span = (from, to) => t("span", { from: i18n.day(from), to: i18n.day(lastDay(to)) });

// Drill-downs: the page's scope plus the figure's own.
function openItem(item, figure) {
  const f = latest.filters;
  openDrill({ ...area(f), equipment_id: item.id, figure },
    () => `${t(`fig_${figure}`)} · ${item.name} · ${span(f.from, f.to)}`);
}
function openPeriod(index, figure) {
  const f = latest.filters;
  const rows = latest.school;
  const from = rows[index].period_start < f.from ? f.from : rows[index].period_start;
  const to = rows[index + 1]?.period_start ?? f.to;
  openDrill({ ...area(f), from, to, figure },
    () => `${t(`fig_${figure}`)} · ${span(from, to)}`);
}
function openCell(weekday, hour) {
  const f = latest.filters;
  const when = `${t("weekdays_long")[weekday - 1]} ${String(hour).padStart(2, "0")}:00–`
    + `${String(hour + 1).padStart(2, "0")}:00`;
  openDrill({ ...area(f), weekday, hour },
    () => `${t("fig_booked")} · ${when} · ${span(f.from, f.to)}`);
}

function drawFigure(name) {
  const answer = latest[name];
  const element = $(`chart-${name}`);
  if (answer === undefined) return;
  if (answer instanceof Error) {
    if (name === "heatmap") {
      element.dataset.state = "error";
      element.textContent = answer.message;
    } else charts.failed(element, answer.message);
    if (name === "items") charts.failed($("chart-spread"), answer.message);
    return;
  }
  if (name === "utilisation") charts.drawUtilisation(element, answer, openPeriod);
  if (name === "rates") charts.drawRates(element, answer, openPeriod);
  if (name === "kind") charts.drawKind(element, answer);
  if (name === "heatmap") drawHeatmap(element, answer, $("heat-unit"), openCell);
  if (name === "items") {
    const items = itemTotals(answer);
    $("items-table-wrap").replaceChildren(itemsTable(items, openItem));
    $("items-note").textContent = charts.itemsNote(charts.drawItems(element, items, openItem));
    charts.drawSpread($("chart-spread"), items);
  }
}

function drawKpis() {
  if (!Array.isArray(latest.school)) return;
  writeKpis($("kpis"), totals(latest.school), latest.comparisons || null);
}

async function refresh() {
  const f = filters();
  const key = api.query(f);
  const mine = ++generation;
  document.body.dataset.loaded = "";
  latest = { filters: f };
  closeDrill();
  for (const name of CHARTS) charts.loading($(`chart-${name}`), key);
  const scope = area(f);
  const utilisation = (group_by) => api.get("/reports/utilisation", { ...f, group_by })
    .then((answer) => answer.rows);
  // A school's admin sees its own equipment (kind "school") against the partner equipment
  // offered to it, which its people booked: /reports/partner-equipment, per period.
  const partner = me.role === "admin"
    ? api.get("/reports/partner-equipment", { from: f.from, to: f.to,
      granularity: f.granularity, group_by: "enterprise" }).then((answer) => answer.rows)
    : Promise.resolve(null);
  // Keep each answer (or its error) and draw it, unless a newer refresh has begun meanwhile.
  const settle = (promise, names, also = null) => promise.then(
    (answer) => {
      if (mine !== generation) return;
      for (const n of names) latest[n] = answer;
      if (also) latest[also] = answer;
    },
    (error) => {
      if (mine !== generation) return;
      for (const n of names) latest[n] = error;
    },
  ).then(() => { if (mine === generation) names.forEach(drawFigure); });
  const done = [
    settle(utilisation("school"), ["utilisation", "rates"], "school").then(drawKpis),
    settle(utilisation("item"), ["items"]),
    settle(Promise.all([utilisation("kind"), partner])
      .then(([rows, partnerRows]) => ({ rows, partner: partnerRows })), ["kind"]),
    settle(api.get("/reports/heatmap", scope), ["heatmap"]),
    loadComparisons(f).then((c) => {
      if (mine !== generation) return;
      latest.comparisons = c;
      drawKpis();
    }),
    loadIdle(me, { base_id: f.base_id, category: f.category, owner_id: f.owner_id || "" }),
  ];
  if (me.role === "enterprise_staff") done.push(loadImpact(me, f.from, f.to));
  await Promise.all(done);
  if (mine !== generation) return;
  const failures = CHARTS.map((n) => latest[n]).filter((a) => a instanceof Error);
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
  await refresh();
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
  if (!me || !REPORTING.includes(me.role) || !latest.filters) return;
  CHARTS.forEach(drawFigure);
  drawKpis();
  redrawDrill();
  const f = latest.filters;
  loadIdle(me, { base_id: f.base_id, category: f.category, owner_id: f.owner_id || "" });
  if (me.role === "enterprise_staff") loadImpact(me, f.from, f.to);
}

let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 150);
}

async function downloadCsv() {
  const f = filters();
  try {
    await api.download("/reports/utilisation.csv", { ...area(f), granularity: f.granularity,
      group_by: "item" }, `utilisation-${f.granularity}-${f.from}-${f.to}.csv`);
    banner(null);
  } catch (error) {
    banner(error);
  }
}

function start() {
  i18n.apply();
  initDrill();
  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("lang-switch").addEventListener("click", switchLanguage);
  $("csv").addEventListener("click", downloadCsv);
  for (const id of ["granularity", "from", "to", "base", "category"]) {
    $(id).addEventListener("change", refreshSoon);
  }
  $("owner").addEventListener("change", () => {
    fillBases();
    refreshSoon();
  });
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
