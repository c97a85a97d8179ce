// The charts: each turns an API answer into the figures it plots, draws them with plotly.js,
// and leaves those figures on its container (data-plotted, JSON) for anyone to check against
// the API. The page's language is read at drawing time, so a switch redraws in place.

import { t } from "./i18n.js";

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

function draw(element, plotted, traces, extra) {
  element.dataset.plotted = JSON.stringify(plotted);
  element.classList.remove("failed");
  if (!traces.length) {
    window.Plotly.purge(element);
    element.textContent = t("no_data");
  } else {
    if (!element.querySelector(".plot-container")) element.textContent = "";
    window.Plotly.react(element, traces, layout(extra), config());
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

export function drawUtilisation(element, rows) {
  const f = utilisationFigures(rows);
  const traces = rows.length ? [
    { type: "scatter", mode: "lines+markers", name: t("utilisation"), x: f.x,
      y: f.utilisation.map(pct) },
    { type: "scatter", mode: "lines+markers", name: t("usage"), x: f.x, y: f.usage.map(pct),
      line: { dash: "dot" } },
  ] : [];
  draw(element, f, traces, { xaxis: DATES,
    yaxis: { title: { text: t("percent") }, rangemode: "tozero" } });
}

// Item rows (group_by=item) summed over the periods, hours first, then divided; items with
// nothing available are left out. The five least and the five most used.
export function itemFigures(rows, count = 5) {
  const items = new Map();
  for (const r of rows) {
    const item = items.get(r.group_id) ||
      { id: r.group_id, name: r.group_name || `#${r.group_id}`, booked: 0, available: 0 };
    item.booked += r.booked_hours;
    item.available += r.available_hours;
    items.set(r.group_id, item);
  }
  const ranked = [...items.values()].filter((i) => i.available > 0)
    .map((i) => ({ ...i, utilisation: i.booked / i.available }))
    .sort((a, b) => a.utilisation - b.utilisation || a.id - b.id);
  // Few items: the lower half are the least used, the upper half the most.
  const least = ranked.slice(0, Math.min(count, Math.floor(ranked.length / 2)));
  const most = ranked.slice(Math.max(least.length, ranked.length - count)).reverse();
  return { least, most };
}

const short = (name) => (narrow() && name.length > 18 ? `${name.slice(0, 17)}…` : name);

export function drawItems(element, rows) {
  const f = itemFigures(rows);
  const bar = (list, name, color) => ({
    type: "bar", orientation: "h", name, marker: { color },
    y: list.map((i) => short(i.name)), x: list.map((i) => pct(i.utilisation)),
    hovertext: list.map((i) => i.name),
    text: list.map((i) => `${pct(i.utilisation)} %`), textposition: "outside", cliponaxis: false,
  });
  const traces = f.least.length + f.most.length
    ? [bar(f.least, t("least"), "#d9822b"), bar(f.most, t("most"), "#2b7bd9")] : [];
  draw(element, f, traces, {
    height: 380, margin: { l: narrow() ? 110 : 190, r: 40, t: 16, b: 56 },
    xaxis: { title: { text: t("percent") } },
    yaxis: { automargin: true, autorange: "reversed" },
  });
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

// The heat map: booked hours by ISO weekday (rows, Monday first) and local hour (columns).
export function heatmapFigures(answer) {
  const z = Array.from({ length: 7 }, () => Array(24).fill(0));
  for (const cell of answer.cells) z[cell.weekday - 1][cell.hour] = cell.booked_hours;
  return { z, booked_hours: answer.booked_hours };
}

export function drawHeatmap(element, answer) {
  const f = heatmapFigures(answer);
  const traces = [{
    type: "heatmap", z: f.z, x: [...Array(24).keys()], y: t("weekdays"),
    colorscale: "YlGnBu", reversescale: true, hoverongaps: false,
    hovertemplate: `%{y} %{x}:00 · %{z:.1f} h<extra></extra>`,
  }];
  draw(element, f, traces, {
    xaxis: { title: { text: t("hour") }, dtick: 2 }, yaxis: { autorange: "reversed" },
  });
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

export function drawRates(element, rows) {
  const f = rateFigures(rows);
  const bar = (key, color) => ({ type: "bar", name: t(key), x: f.x, y: f[key],
    marker: { color } });
  const traces = rows.length ? [bar("no_shows", "#c23b3b"), bar("cancellations", "#9aa5b1"),
    bar("late_cancellations", "#d9822b")] : [];
  draw(element, f, traces, { barmode: "group", xaxis: DATES,
    yaxis: { title: { text: t("count") } } });
}

// Headline figures over the whole filtered range, from the school-wide rows.
export function totals(rows) {
  const sum = (key) => rows.reduce((total, r) => total + r[key], 0);
  const available = sum("available_hours");
  const booked = sum("booked_hours");
  const cancellations = sum("cancellations");
  return {
    utilisation: available > 0 ? booked / available : null,
    no_shows_per_100_hours: booked > 0 ? (100 * sum("no_shows")) / booked : null,
    late_share: cancellations > 0 ? sum("late_cancellations") / cancellations : null,
  };
}
