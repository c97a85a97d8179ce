// The week grid's keyboard and its key: one tab stop for the whole grid (not one per free hour,
// some 100 presses of Tab before the booking form), arrow keys between its free times, and a
// legend in the cells' own colours with a line saying what choosing a cell does.

import { add, t } from "../i18n.js";
import { h } from "../ui.js";

add({
  en: {
    ig_hint: "Choose a free time to fill in the booking form below; the arrow keys move between free times.",
  },
  zh: {
    ig_hint: "选择一个空闲时间即可填入下方的预约表单；可用方向键在空闲时间之间移动。",
  },
});

const FREE = "button[data-testid='free-cell']";

export function legend() {
  return [
    h("p", { class: "muted", id: "grid-hint", testid: "grid-hint" }, t("ig_hint")),
    h("div", { class: "legend", "aria-hidden": "true" }, ["free", "busy", "closed"].map((kind) =>
      h("span", {}, h("span", { class: `swatch ${kind}` }), t(`i_${kind}`)))),
  ];
}

// The free cell above or below `current` in its column (the other slot of a repeated hour first).
function vertical(current, down) {
  const inCell = [...current.closest("td").querySelectorAll(FREE)];
  const sibling = inCell[inCell.indexOf(current) + (down ? 1 : -1)];
  if (sibling) return sibling;
  const column = current.closest("td").cellIndex;
  for (let row = current.closest("tr"); row;) {
    row = down ? row.nextElementSibling : row.previousElementSibling;
    const found = row ? [...(row.cells[column]?.querySelectorAll(FREE) || [])] : [];
    if (found.length) return down ? found[0] : found[found.length - 1];
  }
  return null;
}

// Roving focus over the grid's free cells: Tab reaches the first, arrows, Home and End move.
export function rove(table) {
  const cells = [...table.querySelectorAll(FREE)];
  cells.forEach((cell, i) => {
    cell.tabIndex = i === 0 ? 0 : -1;
    cell.setAttribute("aria-describedby", "grid-hint");
  });
  table.addEventListener("keydown", (event) => {
    const current = event.target.closest(FREE);
    if (!current) return;
    const i = cells.indexOf(current);
    const next = { ArrowRight: cells[i + 1], ArrowLeft: cells[i - 1], Home: cells[0],
      End: cells[cells.length - 1], ArrowDown: "down", ArrowUp: "up" }[event.key];
    if (next === undefined && !["ArrowRight", "ArrowLeft"].includes(event.key)) return;
    event.preventDefault();
    const target = typeof next === "string" ? vertical(current, next === "down") : next;
    if (!target) return;
    current.tabIndex = -1;
    target.tabIndex = 0;
    target.focus();
  });
}
