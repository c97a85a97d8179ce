// What the enterprise's return pages and the school's partners page share: hours, shares and
// months in the page's locale, the contribution statement's rows as a table, and the refusals
// a confirmation meets in the user's words.

import { add, locale, number, t } from "../i18n.js";
import { h } from "../ui.js";
import { dataTable } from "../workspace.js";

add({
  en: {
    rp_hours: "{hours} h",
    rp_month: "Month", rp_school: "School", rp_offered: "Offered (h)", rp_booked: "Booked (h)",
    rp_used: "Used (h)", rp_valued_booked: "Declared value of hours booked",
    rp_valued_used: "Declared value of hours used", rp_status: "Confirmation",
    rp_running: "Month under way", rp_open: "Not confirmed yet",
    rp_confirmed: "Confirmed by {name} on {when}", rp_confirmed_plain: "Confirmed",
    rp_total: "Total",
    rc_month_not_ended: "Only a month that has ended can be confirmed.",
    rc_already_confirmed: "This month is already confirmed.",
    rc_nothing_to_confirm: "The enterprise gave your school nothing that month: there is "
      + "nothing to confirm.",
    rc_not_your_school: "A school's administrator confirms for their own school only.",
    rc_invalid_period: "The period is not valid.",
    rc_not_reporting: "Your role has no reports.",
    rc_not_school_admin: "Only a school's administrators see what partners gave the school.",
  },
  zh: {
    rp_hours: "{hours} 小时",
    rp_month: "月份", rp_school: "学校", rp_offered: "提供（小时）", rp_booked: "预约（小时）",
    rp_used: "使用（小时）", rp_valued_booked: "预约时长的申报价值",
    rp_valued_used: "使用时长的申报价值", rp_status: "确认状态",
    rp_running: "本月进行中", rp_open: "尚未确认",
    rp_confirmed: "{name} 于 {when} 确认", rp_confirmed_plain: "已确认",
    rp_total: "合计",
    rc_month_not_ended: "只能确认已经结束的月份。",
    rc_already_confirmed: "该月份已经确认过。",
    rc_nothing_to_confirm: "该企业当月没有为贵校提供任何资源，无需确认。",
    rc_not_your_school: "学校管理员只能为本校确认。",
    rc_invalid_period: "时间段无效。",
    rc_not_reporting: "您的角色无权查看报表。",
    rc_not_school_admin: "只有学校管理员可以查看合作企业提供的资源。",
  },
});

// The reader's own zone: a confirmation's instant and "this year" are the reader's (each
// month's figures are the service's, in each item's base zone).
export const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function hours(value) {
  return value === null || value === undefined ? "–" : number(value, 2);
}

export function money(value) {
  return value === null || value === undefined ? "–" : new Intl.NumberFormat(locale(),
    { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

export function percent(ratio) {
  return ratio === null || ratio === undefined ? "–" : new Intl.NumberFormat(locale(),
    { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

// "2026-10" -> "October 2026" / "2026年10月".
export function monthName(month) {
  const [y, m] = month.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", year: "numeric", month: "long" })
    .format(new Date(Date.UTC(y, m - 1, 1)));
}

// "YYYY-MM-DD" -> "7 Dec 2026" / "2026年12月7日".
export function dayName(date) {
  const [y, m, d] = date.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", year: "numeric", month: "short",
    day: "numeric" }).format(new Date(Date.UTC(y, m - 1, d)));
}

export function statusText(row) {
  if (row.status === "confirmed") {
    return row.confirmed_by_name && row.confirmed_at
      ? t("rp_confirmed", { name: row.confirmed_by_name,
        when: new Intl.DateTimeFormat(locale(), { timeZone: ZONE, year: "numeric",
          month: "short", day: "numeric" }).format(new Date(row.confirmed_at)) })
      : t("rp_confirmed_plain");
  }
  return t(row.status === "running" ? "rp_running" : "rp_open");
}

// The statement's rows (one per month and school), each `statement-month` with its month,
// school and whether it is confirmed; `extra(row)` adds a last cell (the partners' confirm).
export function statementTable(statement, { caption, testid = "statement-table", extra } = {}) {
  const columns = [
    { key: "month", label: t("rp_month"), cell: (r) => monthName(r.month) },
    { key: "school_name", label: t("rp_school") },
    { key: "hours_offered", label: t("rp_offered"), numeric: true, cell: (r) => hours(r.hours_offered) },
    { key: "hours_booked", label: t("rp_booked"), numeric: true, cell: (r) => hours(r.hours_booked) },
    { key: "hours_used", label: t("rp_used"), numeric: true, cell: (r) => hours(r.hours_used) },
    { key: "valued_hours_used", label: t("rp_valued_used"), numeric: true,
      cell: (r) => money(r.valued_hours_used) },
    { key: "status", label: t("rp_status"), value: (r) => r.status,
      cell: (r) => h("span", { class: `confirm ${r.status}` }, statusText(r)) },
  ];
  if (extra) columns.push({ key: "action", label: extra.label, sortable: false, cell: extra.cell });
  return dataTable({ columns, rows: statement.rows, caption, testid,
    rowAttrs: (r) => ({ testid: "statement-month", dataset: { month: r.month,
      schoolId: r.school_id, confirmed: String(r.status === "confirmed"), status: r.status } }) });
}

// The statement's totals as a short list of facts.
export function totalsFacts(totals, testid = "statement-totals") {
  const fact = (label, value) => [h("dt", {}, label), h("dd", {}, value)];
  return h("dl", { class: "facts", testid },
    fact(t("rp_offered"), hours(totals.hours_offered)),
    fact(t("rp_booked"), hours(totals.hours_booked)),
    fact(t("rp_used"), hours(totals.hours_used)),
    fact(t("rp_valued_booked"), money(totals.valued_hours_booked)),
    fact(t("rp_valued_used"), money(totals.valued_hours_used)));
}
