// What the workspaces' pages share: a sortable table that scrolls sideways on a phone instead of
// squeezing, an edit sent with If-Match (a stale edit is explained and the page redrawn from the
// current version, never overwritten), and their stylesheet.

import * as api from "./api.js";
import { add, locale, t } from "./i18n.js";
import { banner, h } from "./ui.js";

add({
  en: {
    ws_sort_by: "Sort by {column}",
    ws_empty: "Nothing to show.",
    ws_stale: "Someone changed this while you were editing. The page now shows their version: "
      + "check it and make your change again.",
    ws_saved: "Saved.",
  },
  zh: {
    ws_sort_by: "按{column}排序",
    ws_empty: "暂无内容。",
    ws_stale: "您编辑期间已有他人修改了此内容。页面现已显示最新版本：请核对后重新修改。",
    ws_saved: "已保存。",
  },
});

// columns: [{ key, label, value?: row => sortable value, cell?: row => Node|string,
//             numeric?: bool }]; rows: objects. Sorting is by a button in each header (aria-sort
// says the order); `rowAttrs(row)` adds attributes to a row (testid, dataset).
export function dataTable({ columns, rows, caption, testid, rowAttrs = () => ({}),
  sort: initial = null }) {
  let order = initial; // { key, descending }
  const valueOf = (column, row) => (column.value ? column.value(row) : row[column.key]);
  const compare = (a, b) => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1; // blanks last, whatever the order
    if (b === null || b === undefined) return -1;
    return typeof a === "number" && typeof b === "number" ? a - b
      : String(a).localeCompare(String(b), locale());
  };
  const table = h("table", { class: "data", testid });
  const body = h("tbody");
  const head = h("tr");
  const draw = () => {
    const sorted = [...rows];
    if (order) {
      const column = columns.find((c) => c.key === order.key);
      sorted.sort((x, y) => {
        const a = valueOf(column, x);
        const b = valueOf(column, y);
        if (a === null || a === undefined || b === null || b === undefined) return compare(a, b);
        return order.descending ? -compare(a, b) : compare(a, b);
      });
    }
    head.replaceChildren(...columns.map((column) => {
      const state = order?.key === column.key
        ? (order.descending ? "descending" : "ascending") : "none";
      const button = h("button", { type: "button", class: "sort",
        "aria-label": t("ws_sort_by", { column: column.label }),
        testid: `sort-${column.key}` }, column.label,
      h("span", { "aria-hidden": "true" }, state === "ascending" ? " ▲"
        : state === "descending" ? " ▼" : ""));
      button.addEventListener("click", () => {
        order = { key: column.key, descending: order?.key === column.key && !order.descending };
        draw();
        table.querySelector(`[data-testid='sort-${column.key}']`)?.focus();
      });
      return h("th", { scope: "col", "aria-sort": state,
        class: column.numeric ? "num" : null }, column.sortable === false ? column.label : button);
    }));
    body.replaceChildren(...(sorted.length ? sorted.map((row) => h("tr", rowAttrs(row),
      ...columns.map((column) => h("td", { class: column.numeric ? "num" : null },
        column.cell ? column.cell(row) : String(valueOf(column, row) ?? "–")))))
      : [h("tr", {}, h("td", { colspan: String(columns.length), class: "muted" },
        t("ws_empty")))]));
  };
  table.append(caption ? h("caption", {}, caption) : "", h("thead", {}, head), body);
  draw();
  // A keyboard user scrolls the region sideways: it is focusable and named.
  return h("div", { class: "table-scroll", tabindex: "0", role: "region",
    "aria-label": caption || testid || "" }, table);
}

// Load `path` with its ETag: { body, etag }.
export function load(path, params) {
  return api.getWithEtag(path, params);
}

// PATCH (or POST with `method: "post"`) with If-Match. On 412 the page's `reload` runs (it
// redraws from the current version) and the returned promise rejects with an error whose
// banner says what happened; any other refusal is rethrown for the page's banner.
export async function saveWithEtag(path, body, etag, { method = "patch", reload } = {}) {
  try {
    return method === "patch" ? await api.patch(path, body, { ifMatch: etag })
      : await api.post(path, body, { ifMatch: etag });
  } catch (error) {
    if (error?.status === 412 && reload) {
      await reload();
      const stale = new Error(t("ws_stale"));
      stale.stale = true;
      throw stale;
    }
    throw error;
  }
}

// A banner for an error from saveWithEtag: the stale explanation or the refusal's own words.
export function failure(error, context) {
  return error?.stale ? banner(t("ws_stale"), { kind: "info", testid: "stale" })
    : banner(error, { context });
}
