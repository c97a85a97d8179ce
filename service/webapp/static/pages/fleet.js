// The enterprise's fleet: every item it owns, its status, how much of its open hours were booked
// in the last four whole weeks, whether an approved offer shares it, and the idle flag with a
// draft offer to a school one click away.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { banner, h, heading, put, select } from "../ui.js";
import { dataTable } from "../workspace.js";
import { addDays, mondayOf, today } from "../time.js";
import { useStylesheet } from "./teach.js";
import { ZONE, dayName, hours, percent } from "./returns-parts.js";

add({
  en: {
    fleet_title: "Fleet",
    fleet_intro: "Every item of {org}. Utilisation is the share of its open hours booked in the "
      + "four whole weeks from {from} to {to}.",
    fleet_item: "Item", fleet_tag: "Asset tag", fleet_base: "Base", fleet_status: "Status",
    fleet_util: "Utilisation", fleet_booked: "Booked (h)", fleet_offered: "Offered",
    fleet_idle: "Idle", fleet_action: "Action",
    fleet_offered_to: "To {schools}", fleet_not_offered: "Not offered",
    fleet_idle_yes: "Idle: {free} h free", fleet_idle_no: "–",
    fleet_edit: "Edit", fleet_edit_label: "Edit {name}",
    fleet_school: "School", fleet_school_label: "School to offer {name} to",
    fleet_draft: "Draft an offer", fleet_draft_label: "Draft an offer of {name}",
    fleet_caption: "The fleet, {count} items",
    fleet_idle_count: "{count} idle items could be offered to a school.",
    eq_active: "in service", eq_maintenance: "maintenance", eq_retired: "retired",
  },
  zh: {
    fleet_title: "设备总览",
    fleet_intro: "{org} 的全部设备。使用率为 {from} 至 {to} 四个完整周内开放时间中被预约的比例。",
    fleet_item: "设备", fleet_tag: "资产编号", fleet_base: "基地", fleet_status: "状态",
    fleet_util: "使用率", fleet_booked: "预约（小时）", fleet_offered: "共享",
    fleet_idle: "闲置", fleet_action: "操作",
    fleet_offered_to: "共享给 {schools}", fleet_not_offered: "未共享",
    fleet_idle_yes: "闲置：空闲 {free} 小时", fleet_idle_no: "–",
    fleet_edit: "编辑", fleet_edit_label: "编辑 {name}",
    fleet_school: "学校", fleet_school_label: "将 {name} 共享给的学校",
    fleet_draft: "起草共享", fleet_draft_label: "起草 {name} 的共享",
    fleet_caption: "设备总览，共 {count} 台",
    fleet_idle_count: "{count} 台闲置设备可以共享给学校。",
    eq_active: "在用", eq_maintenance: "维护中", eq_retired: "已退役",
  },
});

// The last four whole ISO weeks before this one, in the enterprise's zone.
function lastWeeks(zone) {
  const to = mondayOf(today(zone));
  return { from: addDays(to, -28), to };
}

function sumByItem(rows) {
  const sums = new Map();
  for (const row of rows) {
    const s = sums.get(row.group_id) || { available: 0, booked: 0 };
    s.available += row.available_hours;
    s.booked += row.booked_hours;
    sums.set(row.group_id, s);
  }
  return sums;
}

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "returns.css");
  const { me, navigate } = ctx;
  const items = await api.all("/equipment", { sort: "name" });
  const zone = items[0]?.timezone || ZONE;
  const weeks = lastWeeks(zone);
  const [utilisation, idle, offers, schools] = await Promise.all([
    api.get("/reports/utilisation", { group_by: "item", granularity: "week", ...weeks }),
    api.get("/reports/idle"),
    api.all("/offers"),
    api.all("/organisations", { kind: "school" }),
  ]);
  const sums = sumByItem(utilisation.rows);
  const findings = new Map(idle.items.map((f) => [f.equipment_id, f]));
  const offeredTo = new Map();
  for (const offer of offers.filter((o) => o.status === "approved")) {
    for (const item of offer.items) {
      offeredTo.set(item.equipment_id, [...(offeredTo.get(item.equipment_id) || []),
        offer.school_name]);
    }
  }
  const rows = items.map((item) => {
    const s = sums.get(item.id);
    return { ...item, utilisation: s && s.available > 0 ? s.booked / s.available : null,
      booked: s ? s.booked : null, offered: offeredTo.get(item.id) || [],
      finding: findings.get(item.id) || null };
  });

  const draftCell = (row) => {
    const edit = h("a", { href: `/equipment/${row.id}/edit`, testid: "fleet-edit",
      "aria-label": t("fleet_edit_label", { name: row.name }) }, t("fleet_edit"));
    if (!row.finding) return edit;
    const school = select(schools.map((s) => [String(s.id), s.name]), {
      testid: "fleet-school", "aria-label": t("fleet_school_label", { name: row.name }) });
    const draft = h("button", { type: "button", testid: "fleet-draft-offer",
      "aria-label": t("fleet_draft_label", { name: row.name }) }, t("fleet_draft"));
    draft.addEventListener("click", () => {
      if (!school.value) return;
      navigate(`/offers/new?from_finding=${row.finding.id}&school_id=${school.value}`);
    });
    return h("div", { class: "fleet-actions" }, edit, school, draft);
  };

  const table = dataTable({
    caption: t("fleet_caption", { count: rows.length }), testid: "fleet",
    columns: [
      { key: "name", label: t("fleet_item"), cell: (r) => h("strong", {}, r.name) },
      { key: "asset_tag", label: t("fleet_tag") },
      { key: "base_name", label: t("fleet_base") },
      { key: "status", label: t("fleet_status"), cell: (r) => t(`eq_${r.status}`) },
      { key: "utilisation", label: t("fleet_util"), numeric: true,
        cell: (r) => percent(r.utilisation) },
      { key: "booked", label: t("fleet_booked"), numeric: true, cell: (r) => hours(r.booked) },
      { key: "offered", label: t("fleet_offered"), value: (r) => r.offered.length,
        cell: (r) => (r.offered.length ? t("fleet_offered_to", { schools: r.offered.join(", ") })
          : h("span", { class: "muted" }, t("fleet_not_offered"))) },
      { key: "idle", label: t("fleet_idle"), value: (r) => (r.finding ? 1 : 0),
        cell: (r) => (r.finding ? h("span", { class: "flag idle", testid: "fleet-idle" },
          t("fleet_idle_yes", { free: hours(r.finding.free_hours) })) : t("fleet_idle_no")) },
      { key: "action", label: t("fleet_action"), sortable: false, cell: draftCell },
    ],
    rows,
    rowAttrs: (r) => ({ testid: "fleet-row", dataset: { equipmentId: r.id,
      idle: String(Boolean(r.finding)), offered: String(r.offered.length > 0) } }),
  });

  const idleCount = rows.filter((r) => r.finding).length;
  put(main, heading(t("fleet_title")),
    h("p", {}, t("fleet_intro", { org: me.organisation_name || "", from: dayName(weeks.from),
      to: dayName(addDays(weeks.to, -1)) })),
    idleCount ? banner(t("fleet_idle_count", { count: idleCount }),
      { kind: "info", testid: "fleet-idle-count" }) : null,
    h("section", { class: "card" }, table));
  return unlink;
}
