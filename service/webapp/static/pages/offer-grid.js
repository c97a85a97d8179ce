// The weekly grid of an offer's window: 7 days x the day's cells on the items' slot grid, in the
// base's zone; a cell is a toggle button (aria-pressed) set by click, drag or keyboard (arrow
// keys move, Space or Enter toggles), and the marked cells are read back as the API's weekly
// spans, adjacent cells merged.

import { add, t } from "../i18n.js";
import { h } from "../ui.js";
import { weekdayName } from "./offer-words.js";

add({
  en: {
    grid_caption: "Hours offered each week ({zone})",
    grid_hint: "Click or drag over the hours to offer them. On a cell, the arrow keys move and "
      + "Space or Enter marks or clears it.",
    grid_cell: "{day} {from}–{to}",
    grid_rounded: "Some hours of this window were not on the items' {minutes}-minute grid; "
      + "the grid shows the whole cells inside them. Saving offers exactly what it shows.",
    grid_time: "Time",
    grid_clear: "Clear the week",
  },
  zh: {
    grid_caption: "每周开放时间（{zone}）",
    grid_hint: "点击或拖动选择开放的时段。在单元格上，用方向键移动，空格或回车键选中或取消。",
    grid_cell: "{day} {from}–{to}",
    grid_rounded: "该时段窗口中有部分时间未对齐设备的 {minutes} 分钟时间格；网格只显示其中完整的单元格。保存后将按网格显示的时间开放。",
    grid_time: "时间",
    grid_clear: "清空本周",
  },
});

const DAY = 24 * 60;
const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const minutes = (text) => {
  const [hh, mm] = text.split(":").map(Number);
  return hh * 60 + mm;
};

// The grid's cell: the least common multiple of the items' slots (a span must sit on every
// item's grid), 60 minutes when no item is chosen, at most a day.
export function cellMinutes(slots) {
  const gcd = (a, b) => (b ? gcd(b, a % b) : a);
  const kept = slots.filter((s) => s > 0);
  if (!kept.length) return 60;
  return Math.min(kept.reduce((a, b) => (a * b) / gcd(a, b)), DAY);
}

// Spans -> marked cells ("weekday|minute") and whether some span was not whole cells.
function cellsOf(spans, cell) {
  const marked = new Set();
  let rounded = false;
  for (const span of spans) {
    const opens = minutes(span.opens);
    const closes = minutes(span.closes);
    if (opens % cell || (closes % cell && closes !== DAY)) rounded = true;
    for (let m = Math.ceil(opens / cell) * cell; m < closes; m += cell) {
      if (Math.min(m + cell, DAY) <= closes) marked.add(`${span.weekday}|${m}`);
    }
  }
  return { marked, rounded };
}

// Marked cells -> [{weekday, opens, closes}], adjacent cells of a day merged into one span.
export function spansOf(marked, cell) {
  const spans = [];
  for (let day = 1; day <= 7; day += 1) {
    const starts = [...marked].filter((key) => key.startsWith(`${day}|`))
      .map((key) => Number(key.split("|")[1])).sort((a, b) => a - b);
    let open = null;
    let end = null;
    for (const m of starts) {
      if (open !== null && m === end) {
        end = Math.min(m + cell, DAY);
        continue;
      }
      if (open !== null) spans.push({ weekday: day, opens: hhmm(open), closes: hhmm(end) });
      open = m;
      end = Math.min(m + cell, DAY);
    }
    if (open !== null) spans.push({ weekday: day, opens: hhmm(open), closes: hhmm(end) });
  }
  return spans;
}

// The rows shown: 07:00-20:00 at least, widened to every span, on the cell grid.
function rowsFor(spans, cell) {
  let first = 7 * 60;
  let last = 20 * 60;
  for (const span of spans) {
    first = Math.min(first, minutes(span.opens));
    last = Math.max(last, minutes(span.closes));
  }
  first = Math.floor(first / cell) * cell;
  const rows = [];
  for (let m = first; m < Math.min(last, DAY); m += cell) rows.push(m);
  return rows;
}

// weekGrid({spans, cell, zone, onChange}) -> {element, spans(), setCell(minutes)}.
export function weekGrid({ spans = [], cell = 60, zone = "", onChange = () => {} }) {
  let size = cell;
  let marked = new Set();
  let rows = [];
  let focus = { row: 0, day: 1 };
  const hintId = `grid-hint-${Math.random().toString(36).slice(2, 8)}`;
  const notice = h("p", { class: "hint", "aria-live": "polite", testid: "grid-rounded" });
  const table = h("table", { class: "offer-grid", testid: "window-grid",
    "aria-describedby": hintId });
  // Starting again from an empty week is one press, not one per marked cell.
  const clear = h("button", { type: "button", class: "secondary", testid: "window-clear",
    onclick: () => {
      marked.clear();
      for (const cell of table.querySelectorAll("button.cell")) {
        cell.setAttribute("aria-pressed", "false");
      }
      onChange();
    } }, t("grid_clear"));
  const element = h("div", { class: "grid-box" },
    h("p", { class: "hint", id: hintId }, t("grid_hint")), notice, clear,
    h("div", { class: "grid-scroll" }, table));

  const button = (row, day) => table.querySelector(
    `button[data-weekday="${day}"][data-time="${hhmm(rows[row])}"]`);
  const set = (target, on) => {
    const key = `${target.dataset.weekday}|${minutes(target.dataset.time)}`;
    if (on) marked.add(key);
    else marked.delete(key);
    target.setAttribute("aria-pressed", on ? "true" : "false");
  };
  const moveTo = (row, day, focusIt = true) => {
    const old = button(focus.row, focus.day);
    if (old) old.tabIndex = -1;
    focus = { row: Math.max(0, Math.min(rows.length - 1, row)), day: Math.max(1, Math.min(7, day)) };
    const next = button(focus.row, focus.day);
    next.tabIndex = 0;
    if (focusIt) next.focus();
  };

  function draw(from) {
    const found = cellsOf(from, size);
    marked = found.marked;
    rows = rowsFor(from, size);
    notice.replaceChildren(found.rounded ? t("grid_rounded", { minutes: size }) : "");
    const head = h("tr", {}, h("th", { scope: "col", class: "time" }, t("grid_time")),
      ...[1, 2, 3, 4, 5, 6, 7].map((day) => h("th", { scope: "col",
        "aria-label": weekdayName(day) }, weekdayName(day, "short"))));
    const body = rows.map((m, row) => h("tr", {},
      h("th", { scope: "row", class: "time" }, hhmm(m)),
      ...[1, 2, 3, 4, 5, 6, 7].map((day) => h("td", {}, h("button", {
        type: "button", class: "cell", tabindex: "-1",
        "aria-pressed": marked.has(`${day}|${m}`) ? "true" : "false",
        "aria-label": t("grid_cell", { day: weekdayName(day), from: hhmm(m),
          to: hhmm(Math.min(m + size, DAY)) }),
        dataset: { weekday: day, time: hhmm(m), row } })))));
    table.replaceChildren(h("caption", {}, t("grid_caption", { zone })),
      h("thead", {}, head), h("tbody", {}, ...body));
    focus = { row: Math.min(focus.row, rows.length - 1), day: focus.day };
    const start = button(focus.row, focus.day);
    if (start) start.tabIndex = 0;
  }

  // Drag: the first cell decides whether the stroke marks or clears; every cell the pointer
  // passes over takes that state (found under the pointer: a touch keeps its first target).
  let paint = null;
  const cellAt = (event) => document.elementFromPoint(event.clientX, event.clientY)
    ?.closest?.("button.cell");
  table.addEventListener("pointerdown", (event) => {
    const target = event.target.closest("button.cell");
    if (!target || event.button !== 0) return;
    event.preventDefault();
    paint = target.getAttribute("aria-pressed") !== "true";
    set(target, paint);
    moveTo(Number(target.dataset.row), Number(target.dataset.weekday));
  });
  table.addEventListener("pointermove", (event) => {
    if (paint === null) return;
    const target = cellAt(event);
    if (target && table.contains(target)) set(target, paint);
  });
  const end = () => {
    if (paint === null) return;
    paint = null;
    onChange();
  };
  window.addEventListener("pointerup", end);
  window.addEventListener("pointercancel", end);
  // A click from the keyboard (Space, Enter) or assistive technology has detail 0; a pointer's
  // click was handled on pointerdown.
  table.addEventListener("click", (event) => {
    const target = event.target.closest("button.cell");
    if (!target || event.detail !== 0) return;
    set(target, target.getAttribute("aria-pressed") !== "true");
    onChange();
  });
  table.addEventListener("keydown", (event) => {
    const target = event.target.closest("button.cell");
    if (!target) return;
    const row = Number(target.dataset.row);
    const day = Number(target.dataset.weekday);
    const moves = { ArrowUp: [row - 1, day], ArrowDown: [row + 1, day],
      ArrowLeft: [row, day - 1], ArrowRight: [row, day + 1], Home: [row, 1], End: [row, 7] };
    if (!moves[event.key]) return;
    event.preventDefault();
    moveTo(...moves[event.key]);
  });

  draw(spans);
  return {
    element,
    spans: () => spansOf(marked, size),
    // The items changed: the grid's cell follows their slots, keeping the whole cells marked.
    setCell(next) {
      if (next === size) return;
      const kept = spansOf(marked, size);
      size = next;
      draw(kept);
    },
    // Stop listening on the window (the page's cleanup).
    detach() {
      window.removeEventListener("pointerup", end);
      window.removeEventListener("pointercancel", end);
    },
  };
}
