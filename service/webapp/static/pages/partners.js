// A school's partners: what each enterprise's offers gave the school over a year (the same
// figures as the enterprise's impact), and for each enterprise its contribution months: the
// figures a confirmation freezes are shown in the month's row, beside the button that confirms.

import * as api from "../api.js";
import { add, number, t } from "../i18n.js";
import { actionButton, banner, field, h, heading, put, select } from "../ui.js";
import { dataTable, failure } from "../workspace.js";
import { today } from "../time.js";
import {
  ZONE, hours, money, monthName, percent, statementTable, statusText,
} from "./returns-parts.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    partners_title: "Partners",
    partners_intro: "What the enterprises' offers gave {org}, and the months of their "
      + "contribution for you to confirm.",
    partners_year: "Year",
    partners_gave: "What each partner gave in {year}",
    partners_enterprise: "Enterprise", partners_util: "Booked of offered",
    partners_sessions: "Sessions", partners_no_shows: "No-shows",
    partners_outcomes: "Outcomes recorded",
    partners_none: "No enterprise offered equipment to your school in {year}.",
    partners_months: "{name}: contribution months in {year}",
    partners_months_none: "Nothing to confirm from {name} in {year}.",
    partners_to_confirm: "Each month's confirmation",
    partners_freezes: "Confirming freezes these figures: offered {offered} h, booked {booked} "
      + "h, used {used} h, declared value of hours used {value}.",
    partners_confirm: "Confirm {month}",
    partners_confirmed_done: "{month} of {name} is confirmed; its figures are frozen.",
  },
  zh: {
    partners_title: "合作企业",
    partners_intro: "各企业的共享为{org}提供的资源，以及待您确认的贡献月份。",
    partners_year: "年份",
    partners_gave: "{year} 年各合作企业提供的资源",
    partners_enterprise: "企业", partners_util: "预约占提供比例",
    partners_sessions: "课程次数", partners_no_shows: "未到场",
    partners_outcomes: "已记录成果",
    partners_none: "{year} 年没有企业向贵校共享设备。",
    partners_months: "{name}：{year} 年的贡献月份",
    partners_months_none: "{year} 年 {name} 没有需要确认的月份。",
    partners_to_confirm: "各月确认",
    partners_freezes: "确认后将冻结以下数据：提供 {offered} 小时，预约 {booked} 小时，使用 {used} 小时，使用时长的申报价值 {value}。",
    partners_confirm: "确认 {month}",
    partners_confirmed_done: "{name} 的 {month} 已确认，数据已冻结。",
  },
});

function gaveTable(report, year) {
  return report.rows.length ? dataTable({
    caption: t("partners_gave", { year }), testid: "partners-gave",
    columns: [
      { key: "group_name", label: t("partners_enterprise") },
      ...[["hours_offered", "rp_offered"], ["hours_booked", "rp_booked"],
        ["hours_used", "rp_used"]].map(([key, label]) => ({ key, label: t(label),
        numeric: true, cell: (r) => hours(r[key]) })),
      { key: "utilisation", label: t("partners_util"), numeric: true,
        cell: (r) => percent(r.utilisation) },
      ...[["sessions", "partners_sessions"], ["no_shows", "partners_no_shows"],
        ["outcomes_received", "partners_outcomes"]].map(([key, label]) => ({ key,
        label: t(label), numeric: true, cell: (r) => number(r[key], 0) })),
    ],
    rows: report.rows,
    rowAttrs: (r) => ({ testid: "partner-row", dataset: { enterpriseId: r.enterprise_id } }),
  }) : h("p", { class: "muted", testid: "partners-none" }, t("partners_none", { year }));
}

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "returns.css");
  const thisYear = Number(today(ZONE).slice(0, 4));
  const asked = Number(ctx.query.get("year"));
  // By default the year of the last month that ended: in January, December is what waits.
  const lastEnded = today(ZONE).slice(5, 7) === "01" ? thisYear - 1 : thisYear;
  let year = asked >= 1970 && asked <= thisYear ? asked : lastEnded;
  const yearPick = select(Array.from({ length: 4 }, (_, i) => [String(thisYear - i),
    String(thisYear - i)]), { testid: "partners-year", value: String(year) });
  const notice = h("div", { "aria-live": "polite", testid: "partners-notice" });
  const body = h("div");

  // One enterprise's months: the statement, then each ended month's figures (what a
  // confirmation freezes) with its confirm button, or who confirmed it.
  function monthsSection(enterprise, statement) {
    const region = h("div", { "aria-live": "polite" });
    const section = h("section", { class: "card heading-captions", testid: "partner-months",
      dataset: { enterpriseId: enterprise.id } });
    const monthItem = (row) => {
      const month = monthName(row.month);
      if (row.status === "confirmed") {
        return h("li", { class: "month", testid: "month-confirmed", dataset: { month: row.month,
          schoolId: row.school_id } }, h("strong", {}, month), " · ",
        h("span", { class: "confirm confirmed" }, statusText(row)));
      }
      return h("li", { class: "month", testid: "month-to-confirm", dataset: {
        month: row.month, schoolId: row.school_id } },
      h("strong", {}, month),
      h("p", { class: "muted", testid: "month-figures", dataset: { month: row.month } },
        t("partners_freezes", { offered: hours(row.hours_offered),
          booked: hours(row.hours_booked), used: hours(row.hours_used),
          value: money(row.valued_hours_used) })),
      actionButton(t("partners_confirm", { month }), async () => {
        await api.post(`/organisations/${enterprise.id}/contribution/confirmations`,
          { month: row.month, school_id: row.school_id });
        const again = await api.get(`/organisations/${enterprise.id}/contribution`, { year });
        section.replaceWith(monthsSection(enterprise, again));
        put(notice, banner(t("partners_confirmed_done", { month, name: enterprise.name }),
          { kind: "ok", testid: "month-confirmed-notice" }));
      }, { region, attrs: { testid: "confirm-month", dataset: { month: row.month } } }));
    };
    const ended = statement.rows.filter((r) => r.status !== "running");
    put(section, h("h2", {}, t("partners_months", { name: enterprise.name, year })),
      statement.rows.length ? statementTable(statement, { testid: "partner-statement",
        caption: t("partners_months", { name: enterprise.name, year }) })
        : h("p", { class: "muted" }, t("partners_months_none", { name: enterprise.name, year })),
      ended.length ? [h("h3", {}, t("partners_to_confirm")),
        h("ul", { class: "list months" }, ended.map(monthItem))] : null,
      region);
    return section;
  }

  async function draw() {
    const [report, offers] = await Promise.all([
      api.get("/reports/partner-equipment", { group_by: "enterprise", from: `${year}-01-01`,
        to: `${year + 1}-01-01` }),
      api.all("/offers"),
    ]);
    // The partners: enterprises with figures this year, and any whose offer reached us.
    const enterprises = new Map(report.rows.map((r) => [r.enterprise_id, r.group_name]));
    for (const o of offers) {
      if (["approved", "withdrawn", "expired"].includes(o.status)
        && !enterprises.has(o.enterprise_id)) enterprises.set(o.enterprise_id, o.enterprise_name);
    }
    const statements = await Promise.all([...enterprises].map(async ([id, name]) => ({
      enterprise: { id, name },
      statement: await api.get(`/organisations/${id}/contribution`, { year }),
    })));
    put(body, h("section", { class: "card heading-captions" },
      h("h2", {}, t("partners_gave", { year })),
      gaveTable(report, year)),
    statements.map(({ enterprise, statement }) => monthsSection(enterprise, statement)));
  }

  yearPick.addEventListener("change", async () => {
    year = Number(yearPick.value);
    history.replaceState(null, "", `/partners?year=${year}`);
    put(notice);
    try {
      await draw();
    } catch (error) {
      put(notice, failure(error));
    }
  });
  await draw();
  put(main, heading(t("partners_title")),
    h("p", {}, t("partners_intro", { org: ctx.me.organisation_name || "" })),
    h("div", { class: "filters" }, field(t("partners_year"), yearPick)), notice, body);
  return unlink;
}
