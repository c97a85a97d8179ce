// An enterprise's impact over a year (per offer: hours offered, booked and used, sessions,
// students, outcomes, top skills) and its contribution statement with each month's
// confirmation, printable as a clean document (returns.css's print rules) and as CSV.

import * as api from "../api.js";
import { add, language, number, t } from "../i18n.js";
import { actionButton, field, h, heading, put, select } from "../ui.js";
import { dataTable, failure } from "../workspace.js";
import { today } from "../time.js";
import { useStylesheet } from "./teach.js";
import { ZONE, hours, money, statementTable, totalsFacts } from "./returns-parts.js";

add({
  en: {
    impact_title: "Impact and contribution",
    impact_year: "Year",
    impact_heading: "Impact in {year}",
    impact_offer: "Offer", impact_school: "School", impact_status: "Status",
    impact_offer_name: "Offer {id}",
    impact_sessions: "Sessions", impact_students: "Students trained",
    impact_no_shows: "No-shows", impact_outcomes: "Outcomes received",
    impact_top_skills: "Most recorded skills", impact_none_skills: "None yet",
    impact_offers_caption: "Impact per offer in {year}",
    impact_no_offers: "No offer of yours was open to a school in {year}.",
    statement_title: "Contribution statement",
    statement_of: "{org} · {year}",
    statement_caption: "Each month's contribution per school, {year}",
    statement_totals: "Totals for {year}",
    statement_print: "Print the statement", statement_csv: "Download CSV",
    statement_note: "Hours are counted as defined in BenchShare's reports: offered within the "
      + "base's opening hours, booked and used under the offer. A confirmed month's figures "
      + "are frozen as the school confirmed them.",
    offer_status_approved: "approved", offer_status_withdrawn: "withdrawn",
    offer_status_expired: "expired", offer_status_submitted: "submitted",
    offer_status_draft: "draft", offer_status_rejected: "rejected",
  },
  zh: {
    impact_title: "影响与贡献",
    impact_year: "年份",
    impact_heading: "{year} 年的影响",
    impact_offer: "共享", impact_school: "学校", impact_status: "状态",
    impact_offer_name: "共享 {id}",
    impact_sessions: "课程次数", impact_students: "受训学生",
    impact_no_shows: "未到场", impact_outcomes: "收到的成果",
    impact_top_skills: "记录最多的技能", impact_none_skills: "暂无",
    impact_offers_caption: "{year} 年各共享的影响",
    impact_no_offers: "{year} 年您没有向学校开放的共享。",
    statement_title: "贡献证明",
    statement_of: "{org} · {year} 年",
    statement_caption: "{year} 年每月对各学校的贡献",
    statement_totals: "{year} 年合计",
    statement_print: "打印证明", statement_csv: "下载 CSV",
    statement_note: "各项时长按 BenchShare 报表的定义计算：在基地开放时间内提供的时长，以及在共享下预约和使用的时长。"
      + "已确认月份的数据按学校确认时的数值冻结。",
    offer_status_approved: "已批准", offer_status_withdrawn: "已撤回",
    offer_status_expired: "已到期", offer_status_submitted: "已提交",
    offer_status_draft: "草稿", offer_status_rejected: "已拒绝",
  },
});

function impactSection(impact, year, skillLabel) {
  const totals = impact.totals;
  const fact = (label, value) => [h("dt", {}, label), h("dd", {}, value)];
  const facts = h("dl", { class: "facts", testid: "impact-totals" },
    fact(t("rp_offered"), hours(totals.hours_offered)),
    fact(t("rp_booked"), hours(totals.hours_booked)),
    fact(t("rp_used"), hours(totals.hours_used)),
    fact(t("impact_sessions"), number(totals.sessions, 0)),
    fact(t("impact_students"), number(totals.students_trained, 0)),
    fact(t("impact_no_shows"), number(totals.no_shows, 0)),
    fact(t("impact_outcomes"), number(totals.outcomes_received, 0)),
    fact(t("rp_valued_used"), money(totals.valued_hours_used)),
    fact(t("impact_top_skills"), totals.top_skills.length ? totals.top_skills
      .map((s) => `${skillLabel(s.tag)} (${number(s.count, 0)})`).join(", ")
      : t("impact_none_skills")));
  const table = impact.offers.length ? dataTable({
    caption: t("impact_offers_caption", { year }), testid: "impact-offers",
    columns: [
      { key: "offer_id", label: t("impact_offer"),
        cell: (o) => h("a", { href: `/offers/${o.offer_id}` },
          t("impact_offer_name", { id: o.offer_id })) },
      { key: "school_name", label: t("impact_school") },
      { key: "status", label: t("impact_status"), cell: (o) => t(`offer_status_${o.status}`) },
      ...[["hours_offered", "rp_offered"], ["hours_booked", "rp_booked"],
        ["hours_used", "rp_used"]].map(([key, label]) => ({ key, label: t(label),
        numeric: true, value: (o) => o.totals[key], cell: (o) => hours(o.totals[key]) })),
      ...[["sessions", "impact_sessions"], ["students_trained", "impact_students"],
        ["outcomes_received", "impact_outcomes"]].map(([key, label]) => ({ key,
        label: t(label), numeric: true, value: (o) => o.totals[key],
        cell: (o) => number(o.totals[key], 0) })),
    ],
    rows: impact.offers,
    rowAttrs: (o) => ({ testid: "impact-offer", dataset: { offerId: o.offer_id } }),
  }) : h("p", { class: "muted" }, t("impact_no_offers", { year }));
  return h("section", { class: "card no-print", testid: "impact" },
    h("h2", {}, t("impact_heading", { year })), facts, table);
}

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "returns.css");
  const org = ctx.me.organisation_id;
  const thisYear = Number(today(ZONE).slice(0, 4));
  const asked = Number(ctx.query.get("year"));
  let year = asked >= 1970 && asked <= thisYear ? asked : thisYear;
  const skills = await api.all("/skills").catch(() => []);
  const labels = new Map(skills.map((s) => [s.tag, language() === "zh" ? s.label_zh
    : s.label_en]));
  const skillLabel = (tag) => labels.get(tag) || tag;
  const years = Array.from({ length: 4 }, (_, i) => thisYear - i);
  const yearPick = select(years.map((y) => [String(y), String(y)]),
    { testid: "impact-year", value: String(year) });
  const body = h("div");
  const region = h("div", { "aria-live": "polite", class: "no-print" });

  async function draw() {
    const [impact, statement] = await Promise.all([
      api.get(`/organisations/${org}/impact`, { from: `${year}-01-01`, to: `${year + 1}-01-01` }),
      api.get(`/organisations/${org}/contribution`, { year }),
    ]);
    const print = h("button", { type: "button", testid: "statement-print" },
      t("statement_print"));
    print.addEventListener("click", () => window.print());
    const csv = actionButton(t("statement_csv"), () => api.download(
      `/organisations/${org}/contribution`, { year }, `contribution-${org}-${year}.csv`),
    { region, attrs: { testid: "statement-csv", class: "secondary" } });
    const document_ = h("article", { class: "card statement", testid: "statement",
      "aria-labelledby": "statement-title" },
    h("h2", { id: "statement-title" }, t("statement_title")),
    h("p", { class: "statement-of", testid: "statement-of" },
      t("statement_of", { org: statement.enterprise_name, year: statement.year })),
    h("div", { class: "actions" }, print, csv),
    statementTable(statement, { caption: t("statement_caption", { year }) }),
    h("h3", {}, t("statement_totals", { year })),
    totalsFacts(statement.totals),
    h("p", { class: "muted statement-note" }, t("statement_note")));
    put(body, impactSection(impact, year, skillLabel), document_);
  }

  yearPick.addEventListener("change", async () => {
    year = Number(yearPick.value);
    history.replaceState(null, "", `/impact?year=${year}`);
    try {
      await draw();
    } catch (error) {
      put(region, failure(error));
    }
  });
  await draw();
  put(main, heading(t("impact_title"), { class: "no-print" }),
    h("div", { class: "filters no-print" }, field(t("impact_year"), yearPick)), region, body);
  return unlink;
}
