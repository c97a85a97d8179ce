// An offer's windows on a month calendar: the days a window covers with hours offered that
// weekday are marked, one month at a time (previous/next within the windows), and each
// window's weekly spans listed under it.

import { add, locale, t } from "../i18n.js";
import { h } from "../ui.js";
import { addDays, weekday } from "../time.js";
import { spansByWeekday, weekdayName } from "./offer-words.js";

add({
  en: {
    cal_previous: "Previous month", cal_next: "Next month",
    cal_offered: "offered", cal_window: "{from} to {to}",
    cal_legend: "Days with hours offered",
  },
  zh: {
    cal_previous: "上个月", cal_next: "下个月",
    cal_offered: "开放", cal_window: "{from} 至 {to}",
    cal_legend: "有开放时间的日期",
  },
});

const month = (date) => date.slice(0, 7);
const nextMonth = (m, n) => {
  const [y, mm] = m.split("-").map(Number);
  const d = new Date(Date.UTC(y, mm - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
};

// "8 Dec 2026" / "2026年12月8日" of a local date.
export function longDate(date) {
  const [y, m, d] = date.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", day: "numeric", month: "short",
    year: "numeric" }).format(new Date(Date.UTC(y, m - 1, d)));
}

// Whether `date` is offered: inside a window that has spans on its weekday.
function offered(windows, date) {
  const iso = weekday(date) + 1;
  return windows.some((w) => w.starts_on <= date && date <= w.ends_on
    && w.spans.some((s) => s.weekday === iso));
}

// offerCalendar(windows, today) -> the calendar element (test id offer-calendar).
export function offerCalendar(windows, today) {
  const box = h("section", { class: "card calendar", testid: "offer-calendar" });
  if (!windows.length) return box;
  const first = month(windows.map((w) => w.starts_on).sort()[0]);
  const last = month(windows.map((w) => w.ends_on).sort().at(-1));
  let shown = month(today) < first ? first : month(today) > last ? last : month(today);
  const title = h("h3", { "aria-live": "polite", testid: "calendar-month" });
  const previous = h("button", { type: "button", class: "secondary",
    testid: "calendar-previous" }, h("span", { "aria-hidden": "true" }, "‹ "), t("cal_previous"));
  const next = h("button", { type: "button", class: "secondary", testid: "calendar-next" },
    t("cal_next"), h("span", { "aria-hidden": "true" }, " ›"));
  const table = h("table", { class: "month" });

  function draw() {
    const [y, m] = shown.split("-").map(Number);
    title.textContent = new Intl.DateTimeFormat(locale(), { timeZone: "UTC", month: "long",
      year: "numeric" }).format(new Date(Date.UTC(y, m - 1, 1)));
    previous.disabled = shown <= first;
    next.disabled = shown >= last;
    const start = `${shown}-01`;
    const rows = [];
    let day = addDays(start, -weekday(start));
    // Whole weeks, Monday first, until a Monday after the month.
    for (;;) {
      if (weekday(day) === 0) {
        if (month(day) > shown) break;
        rows.push([]);
      }
      rows.at(-1).push(day);
      day = addDays(day, 1);
    }
    table.replaceChildren(h("caption", { class: "sr-only" }, title.textContent),
      h("thead", {}, h("tr", {}, [1, 2, 3, 4, 5, 6, 7].map((d) => h("th", { scope: "col",
        "aria-label": weekdayName(d) }, weekdayName(d, "narrow"))))),
      h("tbody", {}, rows.map((week) => h("tr", {}, week.map((date) => {
        if (month(date) !== shown) return h("td", { class: "other" });
        const on = offered(windows, date);
        return h("td", { class: on ? "on" : null, testid: "calendar-day",
          dataset: { date, offered: on ? "true" : "false" },
          "aria-current": date === today ? "date" : null },
        String(Number(date.slice(8))), on ? h("span", { class: "sr-only" },
          ` ${t("cal_offered")}`) : null);
      })))));
  }
  previous.addEventListener("click", () => { shown = nextMonth(shown, -1); draw(); });
  next.addEventListener("click", () => { shown = nextMonth(shown, 1); draw(); });
  draw();

  const spans = windows.map((w) => h("li", { testid: "calendar-window" },
    h("strong", {}, t("cal_window", { from: longDate(w.starts_on), to: longDate(w.ends_on) })),
    h("ul", { class: "spans" }, spansByWeekday(w.spans).map(([d, text]) =>
      h("li", {}, `${weekdayName(d)}: ${text}`)))));
  box.append(h("div", { class: "row spread" }, previous, title, next), table,
    h("p", { class: "legend" }, h("span", { class: "swatch on", "aria-hidden": "true" }),
      t("cal_legend")), h("ul", { class: "list" }, spans));
  return box;
}
