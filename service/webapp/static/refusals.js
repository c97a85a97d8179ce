// A refusal explained in the user's language from its machine `code` and extension members
// (never the English `detail`): explain(problem, {timezone, equipment}) -> a sentence.

import { add, language, number, t } from "./i18n.js";
import { formatInstant } from "./time.js";

add({
  en: {
    r_quota_active: "You already hold {limit} active bookings, your limit. One more is possible after {frees_at}.",
    r_quota_active_nofree: "You already hold {limit} active bookings, your limit.",
    r_quota_weekly: "This would take you past your {limit} hours this week (already booked: {booked} h). The next week starts {frees_at}.",
    r_quota_weekly_category: "This would take you past your {limit} hours of {category} this week (already booked: {booked} h). The next week starts {frees_at}.",
    r_quota_active_category: "You already hold {limit} active bookings of {category}, your limit.",
    r_qualification: "You need a qualification for {category} to book this item.",
    r_qualification_by: "You need a qualification for {category} to book this item. Ask {names} to grant it.",
    r_qualification_attendees: "Not qualified for {category}: {names}.",
    r_conflict: "Someone has booked this item then ({span}). It is free again at {free}.",
    r_conflict_plain: "Someone has already booked this item then.",
    r_horizon: "Too far ahead: this item can be booked at most {days} days ahead (latest start {latest}).",
    r_horizon_plain: "Too far ahead for this item.",
    r_grid: "Start and end must be on the item's {minutes}-minute grid.",
    r_grid_plain: "Start and end must be on the item's time grid.",
    r_duration: "A booking of this item lasts from {min} to {max} minutes.",
    r_duration_plain: "The length is outside this item's limits.",
    r_opening: "The base is not open for the whole of this time.",
    r_closed: "The base is closed on that day.",
    r_offer_window: "This time is outside the hours the enterprise offers this item.",
    r_offer_budget: "This would exceed the {budget} hours a week the enterprise offers (already {counted} h that week).",
    r_invalid_span: "The end must come after the start.",
    r_past: "That time has already begun: pick a later one.",
    r_blacked_out: "The item is out of use then (maintenance or an exam).",
    r_unavailable: "The item is not in service.",
    r_retired: "The item has been retired.",
    r_attendees: "More people than the item allows.",
    r_transition: "This booking cannot make that change now (it is {status}).",
    r_transition_plain: "This booking cannot make that change now.",
    r_checkin_span: "Check-in is open from {opens} to {closes}.",
    r_checkin_window: "Check-in is open from {early} minutes before the start until the grace period ends.",
    r_checkout_early: "You can check out once the session has started.",
    r_hold_expired: "The waitlist offer has expired.",
    r_reason: "Give a reason.",
    r_slot_available: "The time is free: book it instead of waiting.",
    r_not_offered: "The enterprise does not offer this item to your school.",
    r_deadline: "The request was not decided in time.",
    r_series_conflict: "Some dates of the series cannot be booked.",
    r_idem_reused: "That action was already sent with other details. Reload the page and try again.",
    r_idem_flight: "That action is still being processed. Wait a moment.",
    r_network: "The server could not be reached. Check the connection and try again.",
    r_credentials: "The e-mail or the password is wrong.",
    r_disabled: "This account is disabled. Ask your school's admin.",
    r_login_attempts: "Too many failed sign-ins. Wait a while and try again.",
    r_role: "Your role may not do this.",
    r_attendance_ended: "The class ended at {ends}: nobody can be checked in any more.",
    r_attendance_closed: "The class has been checked out: nobody can be checked in any more.",
    r_400: "The request was not understood.",
    r_401: "Please sign in.",
    r_403: "You are not allowed to do that.",
    r_404: "Not found, or not visible to you.",
    r_409: "That clashes with the current state. Reload and try again.",
    r_412: "Someone changed this meanwhile. Reload and try again.",
    r_422: "Some values are not valid: {fields}.",
    f_on: "date", f_from: "from", f_to: "to", f_starts_at: "start", f_ends_at: "end",
    f_purpose: "purpose", f_reason: "reason", f_attendees: "attendees", f_email: "e-mail",
    f_password: "password", f_base_id: "base", f_category: "category", f_equipment_id: "item",
    r_422_plain: "Some values are not valid.",
    r_429: "Too many requests. Wait a moment and try again.",
    r_5xx: "The server failed to answer. Try again later.",
    r_other: "That did not work (error {status}).",
  },
  zh: {
    r_quota_active: "您已有 {limit} 个有效预约，已达上限。{frees_at} 之后可再预约。",
    r_quota_active_nofree: "您已有 {limit} 个有效预约，已达上限。",
    r_quota_weekly: "此预约将超出您每周 {limit} 小时的额度（本周已预约 {booked} 小时）。下一周从 {frees_at} 开始。",
    r_quota_weekly_category: "此预约将超出您每周 {category} {limit} 小时的额度（本周已预约 {booked} 小时）。下一周从 {frees_at} 开始。",
    r_quota_active_category: "您已有 {limit} 个 {category} 的有效预约，已达上限。",
    r_qualification: "预约此设备需要“{category}”资质。",
    r_qualification_by: "预约此设备需要“{category}”资质。请联系 {names} 授予。",
    r_qualification_attendees: "以下人员缺少“{category}”资质：{names}。",
    r_conflict: "该时段已被他人预约（{span}）。{free} 起重新空闲。",
    r_conflict_plain: "该时段已被他人预约。",
    r_horizon: "超出可预约期限：此设备最多可提前 {days} 天预约（开始时间最晚为 {latest}）。",
    r_horizon_plain: "预约时间超出此设备的可预约范围。",
    r_grid: "开始和结束时间须对齐设备的 {minutes} 分钟时间格。",
    r_grid_plain: "开始和结束时间须对齐设备的时间格。",
    r_duration: "此设备每次预约时长为 {min} 至 {max} 分钟。",
    r_duration_plain: "预约时长超出此设备的限制。",
    r_opening: "实训基地在该时段内并非全程开放，请对照开放时间选择。",
    r_closed: "实训基地当天关闭。",
    r_offer_window: "该时段不在企业开放此设备的时间内。",
    r_offer_budget: "将超出企业每周开放的 {budget} 小时（该周已用 {counted} 小时）。",
    r_invalid_span: "结束时间必须晚于开始时间。",
    r_past: "该时间已经开始，请选择更晚的时间。",
    r_blacked_out: "该时段设备停用（维护或考试）。",
    r_unavailable: "设备暂停服务（维护中），暂不可预约。",
    r_retired: "设备已停用报废。",
    r_attendees: "人数超过设备允许的上限。",
    r_transition: "此预约当前（{status}）无法执行该操作。",
    r_transition_plain: "此预约当前无法执行该操作。",
    r_checkin_span: "签到时间为 {opens} 至 {closes}。",
    r_checkin_window: "签到时间为开始前 {early} 分钟至宽限期结束。",
    r_checkout_early: "实训开始后才能签退。",
    r_hold_expired: "候补名额的保留时间已过。",
    r_reason: "请填写原因。",
    r_slot_available: "该时段空闲：请直接预约，无需候补。",
    r_not_offered: "企业未向您的学校开放此设备。",
    r_deadline: "申请未在期限内得到处理。",
    r_series_conflict: "系列中的部分日期无法预约。",
    r_idem_reused: "该操作已以不同内容提交过。请刷新页面后重试。",
    r_idem_flight: "该操作仍在处理中，请稍候。",
    r_network: "无法连接服务器。请检查网络后重试。",
    r_credentials: "邮箱或密码错误。",
    r_disabled: "此账号已停用，请联系学校管理员。",
    r_login_attempts: "登录失败次数过多，请稍后再试。",
    r_role: "您的角色无权执行此操作。",
    r_attendance_ended: "课程已于 {ends} 结束，无法再签到。",
    r_attendance_closed: "课程已签退，无法再为参与人员签到。",
    r_400: "无法理解该请求。",
    r_401: "请登录。",
    r_403: "您无权执行此操作。",
    r_404: "未找到，或您无权查看。",
    r_409: "与当前状态冲突。请刷新后重试。",
    r_412: "内容已被他人修改。请刷新后重试。",
    r_422: "部分填写内容无效：{fields}。",
    f_on: "日期", f_from: "开始时间", f_to: "结束时间", f_starts_at: "开始时间",
    f_ends_at: "结束时间", f_purpose: "用途", f_reason: "原因", f_attendees: "参与人员",
    f_email: "电子邮箱", f_password: "密码", f_base_id: "实训基地", f_category: "类别",
    f_equipment_id: "设备",
    r_422_plain: "部分填写内容无效。",
    r_429: "请求过于频繁，请稍后再试。",
    r_5xx: "服务器未能响应，请稍后再试。",
    r_other: "操作未成功（错误 {status}）。",
  },
});

// "Zhang Min, Li Wei" in English, "Zhang Min、Li Wei" in Chinese.
const names = (people) => (people || []).map((p) => p.full_name).filter(Boolean)
  .join(language() === "zh" ? "、" : ", ");

function when(instant, zone) {
  if (!instant) return "";
  return zone ? formatInstant(instant, zone) : formatInstant(instant, "UTC");
}

// One sentence per code, from the members the API documents for it.
const EXPLAIN = {
  quota_exceeded(p, zone) {
    const frees = when(p.frees_at, zone);
    // A quota on one category (4 h a week of CNC) names it.
    const category = p.category ? (p.category.name || p.category.code) : null;
    if (p.quota === "weekly_hours") {
      return t(category ? "r_quota_weekly_category" : "r_quota_weekly", { limit: number(p.limit),
        booked: number(p.booked_hours ?? 0), frees_at: frees, category });
    }
    if (category) return t("r_quota_active_category", { limit: p.limit, category });
    return t(frees ? "r_quota_active" : "r_quota_active_nofree", { limit: p.limit, frees_at: frees });
  },
  qualification_required(p) {
    const category = p.category_name || p.category_code || "";
    if (p.unqualified && p.unqualified.length) {
      return t("r_qualification_attendees", { category, names: names(p.unqualified) });
    }
    const granters = names(p.granted_by);
    return granters ? t("r_qualification_by", { category, names: granters })
      : t("r_qualification", { category });
  },
  reservation_conflict(p, zone) {
    const span = p.conflicting_span;
    if (!span) return t("r_conflict_plain");
    return t("r_conflict", { span: `${when(span.starts_at, zone)} – ${when(span.ends_at, zone)}`,
      free: when(span.blocked_until || span.ends_at, zone) });
  },
  beyond_booking_horizon(p, zone) {
    return p.booking_horizon_days ? t("r_horizon", { days: p.booking_horizon_days,
      latest: when(p.latest_start, zone) }) : t("r_horizon_plain");
  },
  not_on_slot_grid(p) {
    return p.slot_minutes ? t("r_grid", { minutes: p.slot_minutes }) : t("r_grid_plain");
  },
  duration_out_of_range(p) {
    return p.min_duration_minutes ? t("r_duration", { min: p.min_duration_minutes,
      max: p.max_duration_minutes }) : t("r_duration_plain");
  },
  outside_opening_hours: () => t("r_opening"),
  base_closed: () => t("r_closed"),
  outside_offer_window: () => t("r_offer_window"),
  offer_budget_exceeded(p) {
    return t("r_offer_budget", { budget: number(p.weekly_hours_budget ?? 0),
      counted: number(p.counted_hours ?? 0) });
  },
  invalid_span: () => t("r_invalid_span"),
  starts_in_past: () => t("r_past"),
  equipment_blacked_out: () => t("r_blacked_out"),
  equipment_unavailable: () => t("r_unavailable"),
  equipment_retired: () => t("r_retired"),
  too_many_attendees: () => t("r_attendees"),
  invalid_transition(p) {
    return p.current_status ? t("r_transition", { status: t(`status_${p.current_status}`) })
      : t("r_transition_plain");
  },
  outside_check_in_window(p, zone, context) {
    return p.opens_at ? t("r_checkin_span", { opens: when(p.opens_at, zone),
      closes: when(p.closes_at, zone) }) : t("r_checkin_window", { early: context.early ?? 15 });
  },
  check_out_before_start: () => t("r_checkout_early"),
  hold_expired: () => t("r_hold_expired"),
  reason_required: () => t("r_reason"),
  slot_available: () => t("r_slot_available"),
  not_offered_to_your_school: () => t("r_not_offered"),
  decision_deadline_passed: () => t("r_deadline"),
  series_conflict: () => t("r_series_conflict"),
  idempotency_key_reused: () => t("r_idem_reused"),
  idempotency_key_in_flight: () => t("r_idem_flight"),
  network: () => t("r_network"),
  invalid_credentials: () => t("r_credentials"),
  account_disabled: () => t("r_disabled"),
  too_many_login_attempts: () => t("r_login_attempts"),
  role_not_allowed: () => t("r_role"),
  attendance_closed(p, zone) {
    return p.ends_at ? t("r_attendance_ended", { ends: when(p.ends_at, zone) })
      : t("r_attendance_closed");
  },
};

function byStatus(p) {
  const status = Number(p.status) || 0;
  if (status === 0) return t("r_network");
  if (status === 422) {
    // The API's field names (on, to, starts_at) in the user's words where the app knows them.
    const fields = p.errors && typeof p.errors === "object" ? Object.keys(p.errors)
      .map((name) => (t(`f_${name}`) === `f_${name}` ? name : t(`f_${name}`)))
      .join(language() === "zh" ? "、" : ", ") : "";
    return fields ? t("r_422", { fields }) : t("r_422_plain");
  }
  if ([400, 401, 403, 404, 409, 412, 429].includes(status)) return t(`r_${status}`);
  if (status >= 500) return t("r_5xx");
  return t("r_other", { status });
}

// The sentence for a problem object (or an ApiError's body). context: {timezone, early}.
export function explain(problem, context = {}) {
  const p = problem && typeof problem === "object" ? problem : { status: 0 };
  const zone = p.timezone || context.timezone || null;
  const known = p.code && EXPLAIN[p.code];
  if (known) return known(p, zone, context);
  // A page may add the sentence for a code it meets: add({en: {rc_<code>: "..."}, zh: {...}}),
  // with {member} placeholders filled from the problem's members.
  if (p.code && t(`rc_${p.code}`) !== `rc_${p.code}`) return t(`rc_${p.code}`, p);
  return byStatus(p);
}

// Whether a refusal can be waited for (the span is taken: the waitlist can offer it later).
export function canWait(problem) { return problem?.code === "reservation_conflict"; }
