// Tables: a sortable one that scrolls sideways on a phone (never squeezed), and the per-item
// table built from the utilisation report's item rows, each row opening its reservations.

import { add, locale, number, percent, t } from "./i18n.js";

add({
  en: {
    sort_by: "Sort by {column}", empty: "Nothing to show for these filters.",
    col_item: "Item", col_available: "Available h", col_booked: "Booked h",
    col_used: "Used h", col_utilisation: "Utilisation", col_usage: "Usage",
    col_no_shows: "No-shows", col_late: "Late cancellations", col_details: "Reservations",
    details: "List", details_of: "Reservations of {name}",
  },
  zh: {
    sort_by: "按{column}排序", empty: "当前筛选条件下没有数据。",
    col_item: "设备", col_available: "可用小时", col_booked: "预约小时",
    col_used: "使用小时", col_utilisation: "利用率", col_usage: "使用率",
    col_no_shows: "爽约", col_late: "迟取消", col_details: "预约明细",
    details: "查看", details_of: "{name} 的预约",
  },
});

// An element with attributes (testid -> data-testid, data* -> dataset) and text-only children.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "testid") node.dataset.testid = value;
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "on") Object.entries(value).forEach(([e, f]) => node.addEventListener(e, f));
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === "") continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // blanks last, whatever the order
  if (b === null || b === undefined) return -1;
  return typeof a === "number" && typeof b === "number" ? a - b
    : String(a).localeCompare(String(b), locale());
}

// columns: [{key, label, value?(row), cell?(row) -> Node|string, numeric?, sortable?}].
// The header buttons sort (aria-sort says how); the wrapper is a named, focusable region so a
// keyboard user can scroll it sideways.
export function sortableTable({ columns, rows, caption, testid, rowAttrs = () => ({}),
  sort = null }) {
  let order = sort;
  const table = el("table", { class: "data", testid });
  const head = el("tr");
  const body = el("tbody");
  const valueOf = (column, row) => (column.value ? column.value(row) : row[column.key]);
  const draw = () => {
    const sorted = [...rows];
    if (order) {
      const column = columns.find((c) => c.key === order.key);
      sorted.sort((x, y) => {
        const a = valueOf(column, x);
        const b = valueOf(column, y);
        const blank = a === null || a === undefined || b === null || b === undefined;
        const c = blank ? compare(a, b) : (order.descending ? -compare(a, b) : compare(a, b));
        return c || compare(valueOf(columns[0], x), valueOf(columns[0], y));
      });
    }
    head.replaceChildren(...columns.map((column) => {
      const state = order?.key === column.key
        ? (order.descending ? "descending" : "ascending") : "none";
      const content = column.sortable === false ? column.label : el("button", {
        type: "button", class: "sort", testid: `sort-${column.key}`,
        "aria-label": t("sort_by", { column: column.label }),
        on: { click: () => {
          order = { key: column.key, descending: order?.key === column.key && !order.descending };
          draw();
          table.querySelector(`[data-testid='sort-${column.key}']`)?.focus();
        } },
      }, column.label, el("span", { "aria-hidden": "true" },
        state === "ascending" ? " ▲" : state === "descending" ? " ▼" : ""));
      return el("th", { scope: "col", "aria-sort": column.sortable === false ? null : state,
        class: column.numeric ? "num" : null }, content);
    }));
    body.replaceChildren(...(sorted.length ? sorted.map((row) => el("tr", rowAttrs(row),
      ...columns.map((column) => el("td", { class: column.numeric ? "num" : null },
        column.cell ? column.cell(row) : String(valueOf(column, row) ?? "–")))))
      : [el("tr", {}, el("td", { colspan: String(columns.length), class: "muted" },
        t("empty")))]));
  };
  table.append(el("caption", { class: "visually-hidden" }, caption), el("thead", {}, head),
    body);
  draw();
  return el("div", { class: "table-wrap", tabindex: "0", role: "region",
    "aria-label": caption }, table);
}

// Item rows (group_by=item, one per item and period) summed per item: hours first, then the
// ratios divided, as the API divides them.
export function itemTotals(rows) {
  const items = new Map();
  for (const r of rows) {
    const item = items.get(r.group_id) || { id: r.group_id, name: r.group_name || `#${r.group_id}`,
      available: 0, booked: 0, used: 0, no_shows: 0, late_cancellations: 0 };
    item.available += r.available_hours;
    item.booked += r.booked_hours;
    item.used += r.used_hours;
    item.no_shows += r.no_shows;
    item.late_cancellations += r.late_cancellations;
    items.set(r.group_id, item);
  }
  return [...items.values()].map((i) => ({ ...i,
    utilisation: i.available > 0 ? i.booked / i.available : null,
    usage: i.available > 0 ? i.used / i.available : null }));
}

// The per-item table; `open(item, figure)` shows the reservations behind a figure.
export function itemsTable(items, open) {
  const hours = (key) => ({ key, numeric: true, label: t(`col_${key}`),
    cell: (i) => number(i[key], 1) });
  const linked = (key, figure, label) => ({ key, numeric: true, label: t(label),
    cell: (i) => (i[key] ? el("button", { type: "button", class: "link",
      testid: `item-${figure}`, "aria-label": `${t(label)}: ${t("details_of", { name: i.name })}`,
      on: { click: () => open(i, figure) } }, number(i[key], 0)) : "0") });
  const columns = [
    { key: "name", label: t("col_item") },
    hours("available"), hours("booked"), hours("used"),
    { key: "utilisation", numeric: true, label: t("col_utilisation"),
      cell: (i) => percent(i.utilisation) },
    { key: "usage", numeric: true, label: t("col_usage"), cell: (i) => percent(i.usage) },
    linked("no_shows", "no_show", "col_no_shows"),
    linked("late_cancellations", "late_cancellation", "col_late"),
    { key: "details", label: t("col_details"), sortable: false,
      cell: (i) => el("button", { type: "button", class: "small", testid: "item-details",
        "aria-label": t("details_of", { name: i.name }),
        on: { click: () => open(i, "booked") } }, t("details")) },
  ];
  return sortableTable({ columns, rows: items, caption: t("items_title"), testid: "items-table",
    sort: { key: "utilisation", descending: false },
    rowAttrs: (i) => ({ testid: "item-row", dataset: { equipmentId: i.id } }) });
}
