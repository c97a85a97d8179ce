// A base's opening hours: the week in force today and each change already scheduled, and (for
// those who run the base) an editor of the whole week, several spans a day, with the local
// day it takes effect. Wall times are the base's own zone's.

import { add, t } from "../i18n.js";
import { actionButton, banner, field, h } from "../ui.js";
import { addDays, formatDate, today } from "../time.js";
import { section, weekdayName } from "./school-words.js";

add({
  en: {
    hours_title: "Opening hours", hours_zone: "Times are local to the base ({zone}).",
    hours_today: "In force today ({date})", hours_from: "From {date}",
    hours_closed: "closed", hours_none_scheduled: "No change scheduled.",
    hours_edit: "Change the week", hours_effective_from: "Takes effect on",
    hours_effective_hint: "Days before it keep their hours; changes scheduled after it are "
      + "replaced.",
    hours_opens: "Opens", hours_closes: "Closes", hours_midnight: "Times as HH:MM, 24-hour "
      + "clock; 24:00 closes at midnight at the end of the day.",
    hours_bad_time: "{day}: write times as HH:MM (for example 08:30 or 17:00).",
    hours_add_span: "Add hours on {day}", hours_remove_span: "Remove {day} {opens}–{closes}",
    hours_save: "Save the week", hours_saved: "The new week takes effect on {date}.",
  },
  zh: {
    hours_title: "开放时间", hours_zone: "时间为基地当地时间（{zone}）。",
    hours_today: "今天适用的开放时间（{date}）", hours_from: "自 {date} 起",
    hours_closed: "不开放", hours_none_scheduled: "暂无已安排的变更。",
    hours_edit: "修改每周开放时间", hours_effective_from: "生效日期",
    hours_effective_hint: "此前的日期保持原开放时间；此后已安排的变更将被替换。",
    hours_opens: "开始", hours_closes: "结束", hours_midnight: "时间格式为 HH:MM（24 小时制）；结束时间 24:00 表示当天午夜。",
    hours_bad_time: "{day}：时间请写成 HH:MM（例如 08:30 或 17:00）。",
    hours_add_span: "为{day}添加时段", hours_remove_span: "删除{day} {opens}–{closes}",
    hours_save: "保存每周开放时间", hours_saved: "新的开放时间自 {date} 起生效。",
  },
});

const DAYS = [1, 2, 3, 4, 5, 6, 7];
const spanText = (s) => `${s.opens}–${s.closes}`;
const TIME = /^([01]?[0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;

// One week as a list of weekdays and their spans.
function week(spans, attrs) {
  return h("dl", { class: "hours-week", ...attrs }, DAYS.map((day) => {
    const of = spans.filter((s) => s.weekday === day).sort((a, b) => a.opens.localeCompare(b.opens));
    return h("div", { class: "hours-day", testid: "hours-weekday", dataset: { weekday: day } },
      h("dt", {}, weekdayName(day)),
      h("dd", { class: of.length ? null : "muted" },
        of.length ? of.map(spanText).join(", ") : t("hours_closed")));
  }));
}

// The card: current week, scheduled changes, and the editor when `editable`. `save(body)`
// sends {opening_hours, opening_hours_from}; it throws the refusal for the card's banner.
export function hoursSection(base, { editable, save, region }) {
  const changes = base.opening_hours_changes || [];
  const shown = h("div", { class: "hours-weeks" },
    h("div", { testid: "hours-current" },
      h("h3", {}, t("hours_today", { date: formatDate(base.opening_hours_on) })),
      week(base.opening_hours)),
    ...changes.map((change) => h("div", { testid: "hours-change",
      dataset: { effectiveFrom: change.effective_from } },
    h("h3", {}, t("hours_from", { date: formatDate(change.effective_from) })),
    week(change.opening_hours))));
  const parts = [h("p", { class: "muted" }, t("hours_zone", { zone: base.timezone })), shown,
    changes.length ? null : h("p", { class: "muted", testid: "hours-none-scheduled" },
      t("hours_none_scheduled"))];
  if (editable) parts.push(editor(base, changes, save, region));
  return section("hours-title", t("hours_title"), ...parts);
}

function editor(base, changes, save, region) {
  // Start from the latest week known (the last scheduled change, else today's).
  const latest = changes.length ? changes[changes.length - 1].opening_hours : base.opening_hours;
  const spans = new Map(DAYS.map((d) => [d, latest.filter((s) => s.weekday === d)
    .map((s) => ({ opens: s.opens, closes: s.closes }))]));
  const firstDay = today(base.timezone);
  const from = h("input", { type: "date", testid: "hours-effective-from", required: true,
    min: firstDay, value: addDays(firstDay, 1) });
  const grid = h("div", { class: "hours-editor" });

  const draw = () => grid.replaceChildren(...DAYS.map((day) => {
    const name = weekdayName(day);
    const rows = spans.get(day).map((span, index) => {
      // Text, not <input type=time>: the base's 24-hour wall clock whatever the browser's
      // locale, and 24:00 (midnight at the end of the day) can be written.
      const input = (key, label) => {
        const control = h("input", { type: "text", value: span[key], required: true,
          inputmode: "numeric", maxlength: 5, placeholder: "HH:MM", autocomplete: "off",
          pattern: TIME.source, class: "hhmm", testid: `hours-${key}`,
          "aria-label": `${name} ${t(label)}` });
        control.addEventListener("input", () => { span[key] = control.value.trim(); });
        return control;
      };
      const opens = input("opens", "hours_opens");
      const closes = input("closes", "hours_closes");
      const remove = h("button", { type: "button", class: "secondary", testid: "hours-remove-span",
        "aria-label": t("hours_remove_span", { day: name, opens: span.opens, closes: span.closes }),
      }, "×");
      remove.addEventListener("click", () => { spans.get(day).splice(index, 1); draw(); });
      return h("div", { class: "hours-span", testid: "hours-span" }, opens, h("span", {
        "aria-hidden": "true" }, "–"), closes, remove);
    });
    const more = h("button", { type: "button", class: "secondary", testid: "hours-add-span",
      "aria-label": t("hours_add_span", { day: name }) }, "+");
    more.addEventListener("click", () => {
      spans.get(day).push({ opens: "09:00", closes: "17:00" });
      draw();
      grid.querySelector(`[data-weekday='${day}'] .hours-span:last-of-type input`)?.focus();
    });
    return h("fieldset", { class: "hours-edit-day", testid: "hours-day", dataset: { weekday: day } },
      h("legend", {}, name), rows.length ? rows : h("p", { class: "muted" }, t("hours_closed")),
      more);
  }));
  draw();

  const submit = actionButton(t("hours_save"), async () => {
    const wrong = DAYS.find((day) => spans.get(day).some((s) => !TIME.test(s.opens)
      || !TIME.test(s.closes)));
    if (wrong) {
      region.replaceChildren(banner(t("hours_bad_time", { day: weekdayName(wrong) })));
      return;
    }
    const opening_hours = DAYS.flatMap((day) => spans.get(day).map((s) => ({ weekday: day,
      opens: s.opens.padStart(5, "0"), closes: s.closes.padStart(5, "0") })));
    await save({ opening_hours, opening_hours_from: from.value }, from.value);
  }, { region, attrs: { testid: "hours-save" } });
  return h("div", { class: "hours-form" }, h("h3", {}, t("hours_edit")),
    field(t("hours_effective_from"), from), h("p", { class: "hint" }, t("hours_effective_hint")),
    grid, h("p", { class: "hint" }, t("hours_midnight")), h("div", { class: "actions" }, submit),
    region);
}
