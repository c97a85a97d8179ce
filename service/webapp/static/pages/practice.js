// My practice hours per equipment category, month by month over the last year (no chart
// library: a table a screen reader reads too).

import * as api from "../api.js";
import { add, number, t } from "../i18n.js";
import { addDays, localDate, now } from "../time.js";
import { banner, h, heading, loading, put } from "../ui.js";

add({
  en: {
    p_title: "My practice", p_intro: "Hours you practised per category, the last 12 months.",
    p_category: "Category", p_month: "Month", p_hours: "Hours", p_sessions: "Sessions",
    p_total: "{hours} h in {sessions} sessions", p_none: "No practice recorded yet.",
  },
  zh: {
    p_title: "我的实训", p_intro: "近 12 个月各类别的实训时长。",
    p_category: "类别", p_month: "月份", p_hours: "小时", p_sessions: "次数",
    p_total: "共 {hours} 小时，{sessions} 次", p_none: "暂无实训记录。",
  },
});

const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export async function render(main) {
  put(main, heading(t("p_title")), h("p", { class: "muted" }, t("p_intro")), loading());
  const today = localDate(now(), LOCAL_ZONE);
  // Whole months, at most REPORTS_MAX_DAYS (366) days: this one and the eleven before.
  const from = `${addDays(today, -334).slice(0, 7)}-01`;
  let answer;
  let categories = [];
  try {
    [answer, categories] = await Promise.all([
      api.get("/reports/practice", { granularity: "month", from, to: addDays(today, 1) }),
      api.all("/equipment-categories", {}, 300).catch(() => []),
    ]);
  } catch (error) {
    main.lastChild.replaceWith(banner(error));
    return;
  }
  const names = new Map(categories.map((c) => [c.code, c.name]));
  const groups = new Map();
  for (const row of answer.rows) {
    if (!groups.has(row.category)) groups.set(row.category, []);
    groups.get(row.category).push(row);
  }
  const month = (d) => new Intl.DateTimeFormat(document.documentElement.lang, {
    timeZone: "UTC", year: "numeric", month: "long" }).format(new Date(`${d}T00:00:00Z`));
  const sections = [...groups].map(([code, rows]) => {
    const hours = rows.reduce((sum, r) => sum + r.hours, 0);
    const sessions = rows.reduce((sum, r) => sum + r.sessions, 0);
    return h("section", { class: "card", testid: "practice-category", dataset: { category: code } },
      h("h2", {}, names.get(code) || code),
      h("p", { testid: "practice-total" }, t("p_total", { hours: number(hours), sessions })),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("p_month")),
        h("th", { scope: "col" }, t("p_hours")), h("th", { scope: "col" }, t("p_sessions")))),
      h("tbody", {}, rows.map((r) => h("tr", {}, h("th", { scope: "row" }, month(r.period_start)),
        h("td", {}, number(r.hours)), h("td", {}, String(r.sessions)))))));
  });
  main.lastChild.replaceWith(sections.length ? h("div", { testid: "practice" }, sections)
    : h("p", { testid: "practice-none" }, t("p_none")));
}
