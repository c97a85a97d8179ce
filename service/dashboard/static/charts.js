// The charts: each turns an API answer into the figures it plots, draws them with plotly.js,
// and leaves those figures on its container (data-plotted, JSON) for anyone to check against
// the API. The page's language is read at drawing time, so a switch redraws in place.

import { add, number, percent, t } from "./i18n.js";

add({
  en: {
    ties_all: "{count} items share the lowest utilisation, {value}: all of them are shown.",
    ties_more: "{count} items share the lowest utilisation, {value}; {shown} are shown, the "
      + "table above lists them all.",
    without_hours: "{count} items had no available hours in the period and are left out.",
    least_text: "{share} · {booked} of {available} h",
    items_count: "Items",
  },
  zh: {
    ties_all: "{count} 台设备并列最低利用率 {value}，已全部列出。",
    ties_more: "{count} 台设备并列最低利用率 {value}，图中列出 {shown} 台，上方表格列出全部。",
    without_hours: "{count} 台设备在此期间没有可用小时，未计入。",
    least_text: "{share} · {available} 小时中 {booked} 小时",
    items_count: "设备数",
  },
});

const narrow = () => window.innerWidth < 600;
// No tool bar: it sits on the chart, and on a touch screen it never goes away. Hover and
// drag-to-zoom (double click to reset) stay.
const config = () => ({ responsive: true, displaylogo: false, displayModeBar: false });
const DATES = { type: "date", tickformat: "%Y-%m-%d" };

function layout(extra = {}) {
  return {
    height: 320, margin: { l: 56, r: 16, t: 16, b: 56 },
    legend: { orientation: "h", y: -0.22 }, font: { size: 12 },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", ...extra,
  };
}

const pct = (ratio) => (ratio === null ? null : Math.round(ratio * 10000) / 100);

export function loading(element, key) {
  element.dataset.state = "loading";
  element.dataset.query = key;
  element.classList.remove("failed");
}

export function failed(element, message) {
  if (window.Plotly) window.Plotly.purge(element);
  element.dataset.state = "error";
  element.dataset.plotted = "null";
  element.classList.add("failed");
  element.textContent = message;
}

function draw(element, plotted, traces, extra, onClick = null) {
  element.dataset.plotted = JSON.stringify(plotted);
  element.classList.remove("failed");
  if (!traces.length) {
    window.Plotly.purge(element);
    element.textContent = t("no_data");
  } else {
    if (!element.querySelector(".plot-container")) element.textContent = "";
    window.Plotly.react(element, traces, layout(extra), config());
    // react() keeps the element's listeners: replace ours, never add a second.
    element.removeAllListeners?.("plotly_click");
    if (onClick) element.on("plotly_click", (event) => onClick(event.points[0]));
    element.classList.toggle("clickable", Boolean(onClick));
  }
  element.dataset.state = "ready";
}

// School-wide rows (group_by=school): utilisation and usage per period.
export function utilisationFigures(rows) {
  return {
    x: rows.map((r) => r.period_start),
    utilisation: rows.map((r) => r.utilisation),
    usage: rows.map((r) => r.usage),
  };
}

export function drawUtilisation(element, rows, open) {
  const f = utilisationFigures(rows);
  const traces = rows.length ? [
    { type: "scatter", mode: "lines+markers", name: t("utilisation"), x: f.x,
      y: f.utilisation.map(pct) },
    { type: "scatter", mode: "lines+markers", name: t("usage"), x: f.x, y: f.usage.map(pct),
      line: { dash: "dot" } },
  ] : [];
  draw(element, f, traces, { xaxis: DATES,
    yaxis: { title: { text: t("percent") }, rangemode: "tozero" } },
  (point) => open(point.pointIndex, point.curveNumber === 1 ? "used" : "booked"));
}

// The least used items: only items with available hours in the period (the others are counted
// and said), lowest utilisation first, ties by name; at least `count` of them, more when items
// tie with the last one shown (up to `cap`), so no arbitrary few stand for many equals.
export function itemFigures(items, count = 8, cap = 20) {
  const ranked = items.filter((i) => i.available > 0)
    .sort((a, b) => a.utilisation - b.utilisation || a.name.localeCompare(b.name) || a.id - b.id);
  let shown = Math.min(count, ranked.length);
  while (shown < Math.min(cap, ranked.length)
    && ranked[shown].utilisation === ranked[shown - 1].utilisation) shown += 1;
  const lowest = ranked.length ? ranked[0].utilisation : null;
  return {
    least: ranked.slice(0, shown).map(({ id, name, utilisation, booked, available }) =>
      ({ id, name, utilisation, booked, available })),
    ranked: ranked.length,
    without_hours: items.length - ranked.length,
    ties: { value: lowest, count: ranked.filter((i) => i.utilisation === lowest).length },
  };
}

const short = (name) => (narrow() && name.length > 18 ? `${name.slice(0, 17)}…` : name);

// How the items with available hours spread over utilisation bands: how many in each (a count,
// on an integer axis), so the least used are seen against the rest.
const SPREAD = [0, 0.05, 0.15, 0.3, 0.5];
export function spreadFigures(items) {
  const counts = Array(SPREAD.length + 1).fill(0);
  for (const i of items.filter((x) => x.available > 0)) {
    counts[i.utilisation === 0 ? 0 : SPREAD.filter((lower) => i.utilisation > lower).length] += 1;
  }
  const labels = [percent(0, 0), ...SPREAD.map((lower, k) => (k === SPREAD.length - 1
    ? `> ${percent(lower, 0)}` : `${percent(lower, 0)}–${percent(SPREAD[k + 1], 0)}`))];
  return { labels: labels.slice(0, counts.length), counts };
}

export function drawSpread(element, items) {
  const f = spreadFigures(items);
  const traces = f.counts.some((c) => c) ? [{ type: "bar", x: f.labels, y: f.counts,
    marker: { color: "#6fa6e0" }, text: f.counts.map(String), textposition: "outside",
    cliponaxis: false, hovertemplate: `%{x}: %{y}<extra></extra>` }] : [];
  draw(element, f, traces, { height: 220, showlegend: false, margin: { l: 48, r: 16, t: 8, b: 48 },
    xaxis: { title: { text: t("utilisation") }, type: "category" },
    yaxis: { ...countAxis(f.counts), title: { text: t("items_count") } } });
}

// Said under the chart: what was left out and which items tie.
export function itemsNote(f) {
  const parts = [];
  if (f.ties.count > 1) {
    parts.push(t(f.ties.count > f.least.length ? "ties_more" : "ties_all",
      { count: f.ties.count, value: percent(f.ties.value), shown: f.least.length }));
  }
  if (f.without_hours) parts.push(t("without_hours", { count: f.without_hours }));
  return parts.join(" ");
}

export function drawItems(element, items, open) {
  const f = itemFigures(items);
  const traces = f.least.length ? [{
    type: "bar", orientation: "h", name: t("least"), marker: { color: "#d9822b" },
    y: f.least.map((i) => short(i.name)), x: f.least.map((i) => pct(i.utilisation)),
    customdata: f.least.map((i) => [i.name, i.booked, i.available]),
    hovertemplate: `%{customdata[0]}<br>%{x} %<br>${t("booked")}: %{customdata[1]:.1f}`
      + `<br>${t("available")}: %{customdata[2]:.1f}<extra></extra>`,
    // The figure beside each bar, so an item at 0 % is read, not an invisible bar.
    text: f.least.map((i) => t("least_text", { share: percent(i.utilisation),
      booked: number(i.booked, 1), available: number(i.available, 1) })),
    textposition: "outside", cliponaxis: false,
  }] : [];
  const top = Math.max(0, ...f.least.map((i) => pct(i.utilisation)));
  draw(element, f, traces, {
    height: Math.max(260, 60 + 28 * f.least.length), showlegend: false,
    margin: { l: narrow() ? 110 : 190, r: 16, t: 8, b: 48 },
    // Room on the right for the figures written beside the bars.
    xaxis: { title: { text: t("percent") }, range: [0, Math.max(10, top) * 2.2] },
    yaxis: { automargin: true, autorange: "reversed", type: "category", ticksuffix: "  " },
  }, (point) => open(f.least[point.pointIndex]));
  return f;
}

// group_by=kind rows: utilisation per period of school- and enterprise-owned equipment; with
// a school admin's partner-equipment rows, a "partner" series too: per period, the hours its
// people booked of what the partners offered it (summed over the partners, then divided).
export function kindFigures(rows, partner = null) {
  const figures = {};
  for (const r of rows) {
    const kind = r.group_name;
    figures[kind] ||= { x: [], utilisation: [], booked: [], available: [] };
    figures[kind].x.push(r.period_start);
    figures[kind].utilisation.push(r.utilisation);
    figures[kind].booked.push(r.booked_hours);
    figures[kind].available.push(r.available_hours);
  }
  if (partner && partner.length) {
    const periods = new Map();
    for (const r of partner) {
      const p = periods.get(r.period_start) || { booked: 0, offered: 0 };
      p.booked += r.hours_booked;
      p.offered += r.hours_offered;
      periods.set(r.period_start, p);
    }
    const x = [...periods.keys()].sort();
    figures.partner = {
      x,
      utilisation: x.map((k) => {
        const p = periods.get(k);
        return p.offered ? Math.round((p.booked / p.offered) * 10000) / 10000 : null;
      }),
      booked: x.map((k) => periods.get(k).booked),
      available: x.map((k) => periods.get(k).offered),
    };
  }
  return figures;
}

export function drawKind(element, answer) {
  // An answer is {rows, partner} (partner null but for a school's admin), or rows alone.
  const f = Array.isArray(answer) ? kindFigures(answer)
    : kindFigures(answer.rows, answer.partner);
  const colours = { school: "#2b7bd9", enterprise: "#3aa655", partner: "#8e5bd9" };
  const traces = Object.entries(f).map(([kind, s]) => ({
    type: "bar", name: t(kind), x: s.x, y: s.utilisation.map(pct),
    marker: { color: colours[kind] },
    customdata: s.booked.map((b, i) => [b, s.available[i]]),
    hovertemplate: `%{y} %<br>${t("booked")}: %{customdata[0]:.1f}` +
      `<br>${t(kind === "partner" ? "hours_offered" : "available")}: %{customdata[1]:.1f}` +
      `<extra>${t(kind)}</extra>`,
  }));
  draw(element, f, traces, { barmode: "group", showlegend: true, xaxis: DATES,
    yaxis: { title: { text: t("percent") } } });
}

// No-shows, cancellations and late cancellations per period (school-wide rows).
export function rateFigures(rows) {
  return {
    x: rows.map((r) => r.period_start),
    no_shows: rows.map((r) => r.no_shows),
    cancellations: rows.map((r) => r.cancellations),
    late_cancellations: rows.map((r) => r.late_cancellations),
  };
}

// Counts are whole numbers: ticks on integers only (one per unit while the axis is short).
function countAxis(values) {
  const top = Math.max(0, ...values);
  return { title: { text: t("count") }, tickformat: "d", rangemode: "tozero",
    ...(top <= 10 ? { dtick: 1, range: [0, Math.max(1, top) + 0.5] } : {}) };
}

const RATE_FIGURES = ["no_show", "cancelled", "late_cancellation"];

export function drawRates(element, rows, open) {
  const f = rateFigures(rows);
  const bar = (key, color) => ({ type: "bar", name: t(key), x: f.x, y: f[key],
    marker: { color } });
  const traces = rows.length ? [bar("no_shows", "#c23b3b"), bar("cancellations", "#9aa5b1"),
    bar("late_cancellations", "#d9822b")] : [];
  draw(element, f, traces, { barmode: "group", xaxis: DATES,
    yaxis: countAxis([...f.no_shows, ...f.cancellations, ...f.late_cancellations]) },
  (point) => open(point.pointIndex, RATE_FIGURES[point.curveNumber]));
}
