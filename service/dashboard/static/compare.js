// The headline figures of the period beside the previous period of the same length and the
// same days a year before ("no data" where nothing was available then), from the school-wide
// rows of the utilisation report with the page's filters.

import * as api from "/app/static/api.js";
import { add, day, number, percent, t } from "./i18n.js";
import { el } from "./table.js";

add({
  en: {
    kpi_utilisation: "Utilisation (booked / available)",
    kpi_booked: "Booked hours",
    kpi_no_shows: "No-shows per 100 booked hours",
    kpi_late: "Late share of cancellations",
    cmp_previous: "Previous period ({from} – {to})",
    cmp_last_year: "Same period last year ({from} – {to})",
    cmp_no_data: "no data", pts: "{sign}{value} pts",
  },
  zh: {
    kpi_utilisation: "利用率（预约 / 可用）",
    kpi_booked: "预约小时",
    kpi_no_shows: "每 100 预约小时的爽约次数",
    kpi_late: "迟取消占取消的比例",
    cmp_previous: "上一周期（{from} – {to}）",
    cmp_last_year: "去年同期（{from} – {to}）",
    cmp_no_data: "无数据", pts: "{sign}{value} 个百分点",
  },
});

const KPIS = [
  { key: "utilisation", testid: "kpi-utilisation", label: "kpi_utilisation", ratio: true },
  { key: "booked_hours", testid: "kpi-booked", label: "kpi_booked" },
  { key: "no_shows_per_100_hours", testid: "kpi-no-shows", label: "kpi_no_shows" },
  { key: "late_share", testid: "kpi-late", label: "kpi_late", ratio: true },
];

// Headline figures over the whole range, from the school-wide rows; null where undefined.
export function totals(rows) {
  const sum = (key) => rows.reduce((total, r) => total + r[key], 0);
  const available = sum("available_hours");
  const booked = sum("booked_hours");
  const cancellations = sum("cancellations");
  return {
    has_data: available > 0,
    utilisation: available > 0 ? booked / available : null,
    booked_hours: booked,
    no_shows_per_100_hours: booked > 0 ? (100 * sum("no_shows")) / booked : null,
    late_share: cancellations > 0 ? sum("late_cancellations") / cancellations : null,
  };
}

const toDate = (iso) => new Date(`${iso}T00:00:00Z`);
const toIso = (date) => date.toISOString().slice(0, 10);
function shift(iso, { days = 0, years = 0 }) {
  const date = toDate(iso);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() - days);
  return toIso(date);
}

// The two periods to compare with [from, to).
export function periods(from, to) {
  const length = Math.round((toDate(to) - toDate(from)) / 86400000);
  return {
    previous: { from: shift(from, { days: length }), to: from },
    last_year: { from: shift(from, { years: 1 }), to: shift(to, { years: 1 }) },
  };
}

async function figuresFor(filters, period) {
  try {
    const answer = await api.get("/reports/utilisation",
      { ...filters, ...period, group_by: "school" });
    return totals(answer.rows);
  } catch {
    return { has_data: false }; // e.g. before the platform's first day: nothing to compare
  }
}

// The other two periods' figures for the page's filters: { previous, last_year } with periods.
export async function loadComparisons(filters) {
  const p = periods(filters.from, filters.to);
  const [previous, lastYear] = await Promise.all([figuresFor(filters, p.previous),
    figuresFor(filters, p.last_year)]);
  return { previous: { ...previous, ...p.previous }, last_year: { ...lastYear, ...p.last_year } };
}

function format(kpi, value) {
  if (value === null || value === undefined) return "–";
  if (kpi.ratio) return percent(value);
  return number(value, 1);
}

function change(kpi, now, then) {
  if (now === null || then === null || now === undefined || then === undefined) return "";
  const diff = now - then;
  const sign = diff > 0 ? "▲ +" : diff < 0 ? "▼ −" : "= ";
  if (kpi.ratio) return t("pts", { sign, value: number(Math.abs(diff) * 100, 1) });
  return `${sign}${number(Math.abs(diff), 1)}`;
}

function line(kpi, current, other, which) {
  const last = shift(other.to, { days: 1 });
  const title = t(which === "previous" ? "cmp_previous" : "cmp_last_year",
    { from: day(other.from), to: day(last) });
  const text = other.has_data === false ? t("cmp_no_data")
    : `${format(kpi, other[kpi.key])} ${change(kpi, current[kpi.key], other[kpi.key])}`.trim();
  return el("li", { testid: `compare-${which.replace("_", "-")}-${kpi.testid.slice(4)}`,
    dataset: { hasData: other.has_data !== false } }, `${title}: `, el("span", {}, text));
}

// The cards: this period's figure, then the previous period and last year's.
export function writeKpis(container, current, comparisons) {
  container.dataset.plotted = JSON.stringify({ current, ...(comparisons || {}) });
  container.replaceChildren(...KPIS.map((kpi) => el("div", { class: "kpi",
    testid: `${kpi.testid}-card` }, el("span", { class: "kpi-label" }, t(kpi.label)),
  el("strong", { testid: kpi.testid }, format(kpi, current[kpi.key])),
  comparisons ? el("ul", { class: "compare" }, line(kpi, current, comparisons.previous,
    "previous"), line(kpi, current, comparisons.last_year, "last_year")) : "")));
}
