// The heat map: occupancy (booked hours as a share of open hours) by local weekday and hour, a
// table of buttons: a closed hour says "closed" (it is not 0 %), every cell is reachable by
// keyboard (one tab stop, arrow keys move) and a click or Enter lists its reservations. From a
// server whose heat map has no open hours yet, it shades booked hours instead and says so.

import { add, number, percent, t } from "./i18n.js";
import { el } from "./table.js";

add({
  en: {
    heat_unit: "Share of the open hours that were booked, in each base's local time. "
      + "{booked} h booked of {open} h open. Closed hours are hatched.",
    heat_unit_booked: "Booked hours in each base's local time ({booked} h in all). This "
      + "server does not report open hours yet, so closed and idle hours look alike.",
    heat_cell: "{day} {from}–{to}: {share} of open hours booked ({booked} of {open} h)",
    heat_cell_closed: "{day} {from}–{to}: closed",
    heat_cell_booked: "{day} {from}–{to}: {booked} h booked",
    heat_hidden: "Hours closed every day are left out: {hours}.",
    heat_closed: "closed", heat_legend: "Legend",
    weekdays_long: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
      "Sunday"],
  },
  zh: {
    heat_unit: "各时段已预约小时占开放小时的比例（各基地当地时间）。共开放 {open} 小时，"
      + "预约 {booked} 小时。斜线为关闭时段。",
    heat_unit_booked: "各时段的预约小时（各基地当地时间，共 {booked} 小时）。此服务器尚未"
      + "提供开放小时，关闭时段与空闲时段无法区分。",
    heat_cell: "{day} {from}–{to}：开放时间的 {share} 已预约（{open} 小时中 {booked} 小时）",
    heat_cell_closed: "{day} {from}–{to}：关闭",
    heat_cell_booked: "{day} {from}–{to}：预约 {booked} 小时",
    heat_hidden: "每天都关闭的时段未显示：{hours}。",
    heat_closed: "关闭", heat_legend: "图例",
    weekdays_long: ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"],
  },
});

const BANDS = [0, 0.2, 0.4, 0.6, 0.8]; // lower bounds of the colour bands (occ-1..occ-5)
const hh = (hour) => `${String(hour).padStart(2, "0")}:00`;

// Whole hours as spans: [0..6, 22, 23] -> "00:00–07:00, 22:00–24:00".
function ranges(hours) {
  const spans = [];
  for (const h of hours) {
    const last = spans[spans.length - 1];
    if (last && last[1] === h) last[1] = h + 1;
    else spans.push([h, h + 1]);
  }
  return spans.map(([a, b]) => `${hh(a)}–${hh(b)}`).join(", ");
}

// The figures from the answer: matrices by weekday (0 = Monday) and hour.
export function heatmapFigures(answer) {
  const grid = () => Array.from({ length: 7 }, () => Array(24).fill(0));
  const z = grid();
  const open = grid();
  const occupancy = grid();
  const withOpen = answer.cells.some((c) => c.open_hours !== undefined);
  for (const c of answer.cells) {
    z[c.weekday - 1][c.hour] = c.booked_hours;
    open[c.weekday - 1][c.hour] = withOpen ? c.open_hours : null;
    occupancy[c.weekday - 1][c.hour] = withOpen
      ? (c.occupancy ?? (c.open_hours > 0 ? c.booked_hours / c.open_hours : null)) : null;
  }
  return { z, booked_hours: answer.booked_hours, unit: answer.unit || "booked_hours",
    open_hours: withOpen ? (answer.open_hours ?? null) : null,
    occupancy: withOpen ? occupancy : null, open: withOpen ? open : null };
}

function band(share) {
  if (share === 0) return "occ-0";
  let level = 1;
  BANDS.forEach((lower, i) => { if (share > lower) level = i + 1; });
  return `occ-${level}`;
}

function legend(withOpen, maxBooked) {
  const swatch = (cls, text) => el("li", {}, el("span", { class: `swatch ${cls}`,
    "aria-hidden": "true" }), text);
  const items = withOpen
    ? [swatch("occ-0", percent(0, 0)),
      ...BANDS.map((lower, i) => swatch(`occ-${i + 1}`, `${percent(lower, 0)}–${percent(
        i === BANDS.length - 1 ? 1 : BANDS[i + 1], 0)}`)),
      swatch("closed", t("heat_closed"))]
    : [swatch("occ-0", "0 h"), swatch("occ-5", `${number(maxBooked, 1)} h`)];
  return el("ul", { class: "legend", "aria-label": t("heat_legend") }, ...items);
}

// Draw into `container`; `open(weekday, hour, label)` lists the cell's reservations.
export function drawHeatmap(container, answer, unitLine, open) {
  const f = heatmapFigures(answer);
  const withOpen = f.occupancy !== null;
  container.dataset.plotted = JSON.stringify(f);
  const days = t("weekdays");
  const long = t("weekdays_long");
  const maxBooked = Math.max(0, ...f.z.flat());
  // With open hours known, hours closed on every day (and never booked) are left out.
  const hours = [...Array(24).keys()].filter((h) => !withOpen
    || f.z.some((row) => row[h] > 0) || f.open.some((row) => row[h] > 0));
  const hidden = [...Array(24).keys()].filter((h) => !hours.includes(h));
  unitLine.textContent = (withOpen
    ? t("heat_unit", { booked: number(f.booked_hours, 1), open: number(f.open_hours ?? 0, 1) })
    : t("heat_unit_booked", { booked: number(f.booked_hours, 1) }))
    + (hidden.length ? ` ${t("heat_hidden", { hours: ranges(hidden) })}` : "");
  const cells = [];
  const cellButton = (d, h) => {
    const booked = f.z[d][h];
    const closed = withOpen && !(f.open[d][h] > 0);
    const share = withOpen ? f.occupancy[d][h] : null;
    const words = { day: long[d], from: hh(h), to: hh(h + 1), booked: number(booked, 1),
      open: withOpen ? number(f.open[d][h], 1) : "", share: percent(share, 0) };
    const label = closed && !booked ? t("heat_cell_closed", words)
      : withOpen ? t("heat_cell", words) : t("heat_cell_booked", words);
    const cls = closed ? "closed" : withOpen ? band(share ?? 0)
      : band(maxBooked ? booked / maxBooked : 0);
    const button = el("button", { type: "button", class: `heat ${cls}`, tabindex: "-1",
      testid: "heat-cell", "aria-label": label, title: label,
      dataset: { weekday: d + 1, hour: h, booked, occupancy: share ?? "",
        state: closed ? "closed" : "open" },
      on: { click: () => { focusCell(d, h); open(d + 1, h, label); } } },
    closed && !booked ? "" : withOpen ? percent(share ?? 0, 0) : number(booked, 0));
    cells.push(button);
    return button;
  };
  const table = el("table", { class: "heatmap", testid: "heatmap-table" },
    el("caption", { class: "visually-hidden" }, unitLine.textContent),
    el("thead", {}, el("tr", {}, el("td"), ...hours.map((h) => el("th", { scope: "col" },
      String(h).padStart(2, "0"))))),
    el("tbody", {}, ...days.map((name, d) => el("tr", {},
      el("th", { scope: "row", title: long[d] }, name),
      ...hours.map((h) => el("td", {}, cellButton(d, h)))))));
  // One tab stop for the grid; the arrow keys move between cells (a roving tabindex).
  let current = cells[0];
  if (current) current.tabIndex = 0;
  function focusCell(d, h) {
    const next = cells.find((c) => Number(c.dataset.weekday) === d + 1
      && Number(c.dataset.hour) === h);
    if (!next) return;
    current.tabIndex = -1;
    next.tabIndex = 0;
    current = next;
    next.focus();
  }
  table.addEventListener("keydown", (event) => {
    const d = Number(current.dataset.weekday) - 1;
    const i = hours.indexOf(Number(current.dataset.hour));
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0],
      ArrowDown: [1, 0], Home: [0, -i], End: [0, hours.length - 1 - i] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const nd = Math.min(6, Math.max(0, d + move[0]));
    const ni = Math.min(hours.length - 1, Math.max(0, i + move[1]));
    focusCell(nd, hours[ni]);
  });
  container.replaceChildren(el("div", { class: "table-wrap", tabindex: "-1" }, table),
    legend(withOpen, maxBooked));
  container.dataset.state = "ready";
}
