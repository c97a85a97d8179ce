// What the offers' pages share: their words (statuses, terms, refusals of the offers API in the
// user's language), weekday names in the page's locale and the list of bookings a change or a
// withdrawal touches.

import { add, language, locale, t } from "../i18n.js";
import { banner, h } from "../ui.js";
import { formatSpan } from "../time.js";
import { failure as staleBanner } from "../workspace.js";

add({
  en: {
    status_draft: "draft", status_submitted: "submitted", status_approved: "approved",
    status_withdrawn: "withdrawn", status_expired: "expired",
    offers_status_all: "Any status",
    offers_term_budget: "Weekly hours (for the school in total)",
    offers_term_approval: "Each booking needs our approval",
    offers_term_approval_hours: "Hours we take to decide",
    offers_term_supervisor: "A supervisor is on site",
    offers_term_contact: "How to reach the supervisor",
    offers_term_uses: "Allowed uses or courses",
    offers_term_notice: "Withdrawal notice (days)",
    offers_term_asks_back: "What we ask back",
    offers_asks_outcome_per_session: "An outcome after each session",
    offers_asks_monthly_summary: "A monthly summary",
    offers_budget_value: "{hours} h a week",
    offers_approval_value: "Yes, decided within {hours} h",
    offers_notice_value: "{days} days",
    offers_affected_caption: "Bookings it touches",
    offers_fate_cancelled: "will be cancelled", offers_fate_kept: "kept (within the notice)",
    offers_fate_done_cancelled: "cancelled", offers_fate_done_kept: "kept",
    offers_affected_who: "{name}, {school}",
    rc_offer_span_off_grid: "A span of window {window} ({opens}–{closes}) is off an item's "
      + "{slot_minutes}-minute slot grid: move it onto the grid.",
    rc_effective_date_in_past: "The change cannot take effect before today.",
    rc_offer_ended: "The offer's windows are over: withdraw it instead, or add a window "
      + "still to come.",
    rc_offer_item_retired: "An item of the offer has been retired: take it out of the items "
      + "first.",
    rc_bookings_affected: "Some bookings under the offer no longer fit these terms.",
    rc_offer_exists: "You already have a live offer to this school (offer {offer_id}): edit "
      + "or withdraw it.",
    rc_invalid_offer_windows: "The windows are not valid: each ends on or after its start, "
      + "holds at least one span and no longer than allowed.",
    rc_not_a_school: "An offer is addressed to a school.",
    rc_unknown_equipment: "An item of the offer no longer exists.",
    rc_duplicate_item: "An item is offered once per offer.",
    rc_supervisor_contact_required: "Say how to reach the supervisor on site.",
    rc_not_offer_owner: "Only the owning enterprise's staff offer its equipment.",
    rc_school_equipment_not_offered: "A school's equipment is not offered.",
    rc_unknown_idle_finding: "That idle item is no longer in the list.",
    rc_not_your_equipment: "An item belongs to another organisation.",
    rc_offers_off_new_grid: "A live offer's spans would fall off the item's new slot grid.",
  },
  zh: {
    status_draft: "草稿", status_submitted: "待审核", status_approved: "已批准",
    status_withdrawn: "已撤回", status_expired: "已过期",
    offers_status_all: "全部状态",
    offers_term_budget: "每周小时数（学校合计）",
    offers_term_approval: "每次预约须经我方批准",
    offers_term_approval_hours: "我方决定所需小时数",
    offers_term_supervisor: "现场有指导人员",
    offers_term_contact: "指导人员联系方式",
    offers_term_uses: "允许的用途或课程",
    offers_term_notice: "撤回提前通知（天）",
    offers_term_asks_back: "希望获得的回报",
    offers_asks_outcome_per_session: "每次实训后的成果记录",
    offers_asks_monthly_summary: "每月总结",
    offers_budget_value: "每周 {hours} 小时",
    offers_approval_value: "是，{hours} 小时内决定",
    offers_notice_value: "{days} 天",
    offers_affected_caption: "受影响的预约",
    offers_fate_cancelled: "将被取消", offers_fate_kept: "保留（在通知期内）",
    offers_fate_done_cancelled: "已取消", offers_fate_done_kept: "已保留",
    offers_affected_who: "{name}，{school}",
    rc_offer_span_off_grid: "时段窗口 {window} 中的一段（{opens}–{closes}）未对齐设备的 "
      + "{slot_minutes} 分钟时间格：请将其移到时间格上。",
    rc_effective_date_in_past: "变更不能早于今天生效。",
    rc_offer_ended: "该共享的时段已全部结束：请撤回，或添加一个尚未开始的时段。",
    rc_offer_item_retired: "共享中的某台设备已报废：请先将其从设备中移除。",
    rc_bookings_affected: "该共享下的部分预约不再符合新的条件。",
    rc_offer_exists: "您已向该学校提供了一个有效共享（编号 {offer_id}）：请修改或撤回它。",
    rc_invalid_offer_windows: "时段窗口无效：结束日期不得早于开始日期，至少包含一个时段，且不得超过允许的长度。",
    rc_not_a_school: "共享只能提供给学校。",
    rc_unknown_equipment: "共享中的某台设备已不存在。",
    rc_duplicate_item: "每台设备在一个共享中只能出现一次。",
    rc_supervisor_contact_required: "请填写现场指导人员的联系方式。",
    rc_not_offer_owner: "只有设备所属企业的员工才能共享该设备。",
    rc_school_equipment_not_offered: "学校的设备不通过共享提供。",
    rc_unknown_idle_finding: "该闲置设备已不在列表中。",
    rc_not_your_equipment: "某台设备属于其他机构。",
    rc_offers_off_new_grid: "有效共享的时段将不再对齐设备的新时间格。",
  },
});

// A refusal banner (or the stale edit's explanation): the offers API's list members are flattened first (the first span off the
// grid), so explain() can fill its sentence from them. Windows count from 1 for people.
export function failure(error, options = {}) {
  if (error?.stale) return staleBanner(error);
  const body = error?.body;
  if (body?.code === "offer_span_off_grid" && Array.isArray(body.off_grid) && body.off_grid[0]) {
    const first = body.off_grid[0];
    error.body = { ...body, ...first, window: Number(first.window) + 1 };
  }
  return banner(error, options);
}

// "Monday" / "Mon" / "周一" for an ISO weekday (1 = Monday) in the page's locale.
export function weekdayName(isoWeekday, style = "long") {
  // 2024-01-01 was a Monday.
  return new Intl.DateTimeFormat(locale(), { weekday: style, timeZone: "UTC" })
    .format(new Date(Date.UTC(2024, 0, isoWeekday)));
}

// "Mon 09:00–12:00, 13:00–17:00" per weekday from a window's spans, Monday first.
export function spansByWeekday(spans) {
  const lines = [];
  for (let day = 1; day <= 7; day += 1) {
    const mine = spans.filter((s) => s.weekday === day)
      .sort((a, b) => a.opens.localeCompare(b.opens));
    if (mine.length) {
      lines.push([day, mine.map((s) => `${s.opens}–${s.closes}`)
        .join(language() === "zh" ? "，" : ", ")]);
    }
  }
  return lines;
}

// The bookings a change or a withdrawal touches: item, time in its zone, holder (as text) and
// what happens to it. `done`: the answer after the fact (cancelled/kept, not "will be").
export function affectedList(rows, { itemName = (id) => `#${id}`, done = false,
  testid = "withdraw-affected" } = {}) {
  return h("ul", { class: "list affected", "aria-label": t("offers_affected_caption") },
    ...rows.map((r) => h("li", { testid, dataset: {
      reservationId: r.id, fate: r.fate } },
    h("strong", {}, itemName(r.equipment_id)), " · ",
    formatSpan(r.starts_at, r.ends_at, r.timezone), h("br"),
    t("offers_affected_who", { name: r.holder_name, school: r.school_name }), " · ",
    h("span", { class: `fate ${r.fate}` },
      t(`offers_fate_${done ? "done_" : ""}${r.fate}`)))));
}

export const STATUSES = ["draft", "submitted", "approved", "rejected", "withdrawn", "expired"];

// The offer's status as a badge with the contract's test id.
export function offerStatus(status) {
  return h("span", { class: `status offer-${status}`, testid: "offer-status",
    dataset: { status } }, t(`status_${status}`));
}
