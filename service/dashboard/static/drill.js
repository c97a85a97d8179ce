// The drill-down, a dialog: the reservations behind one figure (an item's row, a chart's bar or point, a
// heat-map cell), from GET /reports/reservations, within what the caller may see. Who, when
// (in the item's base zone, with its offset), status and the hours each gives the figure.

import * as api from "/app/static/api.js";
import { add, clock, instant, number, t } from "./i18n.js";
import { el, sortableTable } from "./table.js";

add({
  en: {
    close: "Close", more: "Show more",
    drill_summary: "{count} reservations, {hours} h in all.",
    drill_loading: "Loading the reservations…",
    drill_missing: "This server cannot list the reservations behind a figure yet.",
    drill_when: "When (base time)", drill_item: "Item", drill_base: "Training base",
    drill_holder: "Booked by", drill_org: "Organisation", drill_status: "Status",
    drill_hours: "Hours", drill_caption: "Reservations behind the figure",
    st_requested: "Requested", st_confirmed: "Confirmed", st_checked_in: "Checked in",
    st_completed: "Completed", st_no_show: "No-show", st_cancelled: "Cancelled",
    st_declined: "Declined", st_lapsed: "Lapsed",
  },
  zh: {
    close: "关闭", more: "显示更多",
    drill_summary: "共 {count} 条预约，合计 {hours} 小时。",
    drill_loading: "正在加载预约…",
    drill_missing: "此服务器暂不支持列出数据背后的预约。",
    drill_when: "时间（基地当地）", drill_item: "设备", drill_base: "实训基地",
    drill_holder: "预约人", drill_org: "所属单位", drill_status: "状态",
    drill_hours: "小时", drill_caption: "数据背后的预约",
    st_requested: "待审批", st_confirmed: "已确认", st_checked_in: "已签到",
    st_completed: "已完成", st_no_show: "爽约", st_cancelled: "已取消",
    st_declined: "已拒绝", st_lapsed: "已过期",
  },
});

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 100;
let shown = null; // { params, title, items, answer, page }
let opener = null; // the button that opened the dialog: focus goes back to it
let generation = 0;

function drawRows() {
  const columns = [
    { key: "starts_at", label: t("drill_when"),
      cell: (r) => `${instant(r.starts_at, r.timezone)} – ${clock(r.ends_at, r.timezone)}` },
    { key: "equipment_name", label: t("drill_item") },
    { key: "base_name", label: t("drill_base") },
    { key: "holder_name", label: t("drill_holder") },
    { key: "holder_organisation_name", label: t("drill_org") },
    { key: "status", label: t("drill_status"), value: (r) => t(`st_${r.status}`) },
    { key: "hours", label: t("drill_hours"), numeric: true, cell: (r) => number(r.hours, 2) },
  ];
  $("drill-table-wrap").replaceChildren(sortableTable({ columns, rows: shown.items,
    caption: t("drill_caption"), testid: "drill-table",
    rowAttrs: (r) => ({ testid: "drill-row", dataset: { reservationId: r.id } }) }));
  const { answer } = shown;
  const total = el("strong", { testid: "drill-hours", dataset: { hours: answer.hours } },
    number(answer.hours, 2));
  const summary = $("drill-summary");
  const [before, after] = t("drill_summary", { count: number(answer.total, 0), hours: "\u0000" })
    .split("\u0000");
  summary.replaceChildren(before, total, after);
  $("drill-more").hidden = shown.items.length >= answer.total;
  $("drilldown").dataset.plotted = JSON.stringify({ params: shown.params, hours: answer.hours,
    total: answer.total, ids: shown.items.map((r) => r.id) });
}

async function fetchPage(page) {
  const mine = generation;
  const answer = await api.get("/reports/reservations",
    { ...shown.params, page, page_size: PAGE_SIZE, sort: "starts_at" });
  if (mine !== generation) return;
  shown.answer = answer;
  shown.page = page;
  shown.items = page === 1 ? answer.items : [...shown.items, ...answer.items];
  drawRows();
}

function failed(error) {
  const message = $("drill-error");
  message.textContent = error.status === 404 || error.status === 405 ? t("drill_missing")
    : error.status === 0 ? t("network") : error.message;
  message.hidden = false;
  $("drilldown").dataset.state = "error";
}

// Show the reservations for `params` (the page's filters with the figure's own: equipment_id,
// weekday and hour, figure, a period's from and to) under `title`.
export async function openDrill(params, title) {
  const panel = $("drilldown");
  const query = Object.fromEntries(Object.entries(params)
    .filter(([, v]) => v !== "" && v !== null && v !== undefined));
  generation += 1;
  shown = { params: query, title, items: [], answer: null, page: 1 };
  if (!panel.open) {
    opener = document.activeElement;
    panel.showModal();
  }
  panel.dataset.state = "loading";
  $("drill-title").textContent = title();
  $("drill-summary").textContent = t("drill_loading");
  $("drill-error").hidden = true;
  $("drill-table-wrap").replaceChildren();
  $("drill-more").hidden = true;
  $("drill-close").focus();
  try {
    await fetchPage(1);
    panel.dataset.state = "ready";
  } catch (error) {
    failed(error);
  }
}

export function redrawDrill() {
  if (!shown || !$("drilldown").open) return;
  $("drill-title").textContent = shown.title();
  if (shown.answer) drawRows();
}

export function closeDrill() {
  if ($("drilldown").open) $("drilldown").close();
}

export function initDrill() {
  $("drill-close").addEventListener("click", closeDrill);
  // Closed by the button, Escape or a new refresh: forget it and give focus back.
  $("drilldown").addEventListener("close", () => {
    generation += 1;
    shown = null;
    $("drilldown").dataset.state = "closed";
    if (opener?.isConnected) opener.focus();
    opener = null;
  });
  $("drill-more").addEventListener("click", async () => {
    try {
      await fetchPage(shown.page + 1);
    } catch (error) {
      failed(error);
    }
  });
}
