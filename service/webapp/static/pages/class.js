// Book for a class: an item, a local date and span in the item's zone, and the class picked by
// its name (its students attend) or attendees picked by name from the school's students; a
// refusal names who lacks which qualification and offers to book without them. A weekly series
// is previewed date by date before it is booked.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { explain } from "../refusals.js";
import { actionButton, banner, field, h, heading, select, show } from "../ui.js";
import { checkbox, searchStudents, useStylesheet } from "./teach.js";
import { addDays, formatDate, formatSpan, isoInZone, today, weekday, zonedToInstant }
  from "../time.js";

add({
  en: {
    class_title: "Book for a class",
    class_item: "Equipment", class_date: "Date", class_from: "From", class_to: "To",
    class_purpose: "Purpose (optional)",
    class_find: "Find students by name", class_find_hint: "Type part of a name.",
    class_add: "Add", class_add_name: "Add {name}",
    class_remove: "Remove", class_remove_name: "Remove {name}",
    class_attendees: "Attendees ({count})", class_no_attendees: "No attendees yet.",
    class_no_match: "No student matches.",
    class_book: "Book", class_booked: "Booked: {item}, {span}.",
    class_open_booking: "Open the booking", class_take_attendance: "Take attendance",
    class_unqualified: "Not qualified for {category}:",
    class_remove_unqualified: "Remove them and book",
    class_repeat: "Repeat every week", class_weeks: "Number of weeks",
    class_preview: "Preview the dates",
    class_preview_summary: "{bookable} of {total} dates can be booked; {refused} cannot.",
    class_fits: "free", class_refused: "cannot be booked",
    class_book_skipping: "Book the {count} dates that fit",
    class_book_all_or_none: "Book all dates or none",
    class_series_booked: "Series booked: {count} sessions.",
    class_series_skipped: "Left out: {dates}.",
    class_span_order: "The end must come after the start.",
    class_rules: "At most {count} people, you included.",
    class_rules_qualified: "At most {count} people, you included; everyone needs the {category} qualification.",
    // classes: the class picked by its name
    class_pick: "Class", class_pick_people: "No class: pick the students one by one",
    class_pick_option: "{name} ({count} students)",
    class_pick_hint: "Its students at the time of booking attend.",
    rc_unknown_class: "Your school has no class of that name.",
    rc_class_empty: "The class has no students to book for.",
  },
  zh: {
    class_title: "为班级预约",
    class_item: "设备", class_date: "日期", class_from: "开始", class_to: "结束",
    class_purpose: "用途（可选）",
    class_find: "按姓名查找学生", class_find_hint: "输入姓名的一部分。",
    class_add: "添加", class_add_name: "添加 {name}",
    class_remove: "移除", class_remove_name: "移除 {name}",
    class_attendees: "参加者（{count}）", class_no_attendees: "尚未添加参加者。",
    class_no_match: "没有匹配的学生。",
    class_book: "预约", class_booked: "已预约：{item}，{span}。",
    class_open_booking: "查看预约", class_take_attendance: "点名签到",
    class_unqualified: "以下人员缺少“{category}”资质：",
    class_remove_unqualified: "移除他们并预约",
    class_repeat: "每周重复", class_weeks: "周数",
    class_preview: "预览日期",
    class_preview_summary: "共 {total} 个日期，{bookable} 个可预约，{refused} 个不可预约。",
    class_fits: "空闲", class_refused: "无法预约",
    class_book_skipping: "预约可用的 {count} 个日期",
    class_book_all_or_none: "全部预约，否则都不预约",
    class_series_booked: "已预约系列：{count} 次课。",
    class_series_skipped: "未预约：{dates}。",
    class_span_order: "结束时间必须晚于开始时间。",
    class_rules: "最多 {count} 人（含您本人）。",
    class_rules_qualified: "最多 {count} 人（含您本人）；每人都需要“{category}”资质。",
    // classes: the class picked by its name
    class_pick: "班级", class_pick_people: "不选班级：逐个选择学生",
    class_pick_option: "{name}（{count} 名学生）",
    class_pick_hint: "预约时该班级的学生即为参加者。",
    rc_unknown_class: "本校没有该名称的班级。",
    rc_class_empty: "该班级没有可预约的学生。",
  },
});

const minutes = (hhmm) => {
  const [hh, mm] = hhmm.split(":").map(Number);
  return hh * 60 + mm;
};

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx);
  const [all, categories, classes] = await Promise.all([api.all("/equipment"),
    api.all("/equipment-categories"), api.get("/classes")]);
  const categoryName = new Map(categories.map((c) => [c.id, c.name]));
  const items = all.filter((e) => !["retired", "maintenance"].includes(e.status));
  const chosen = new Map(); // user id -> full name, in the order picked
  const byId = new Map(items.map((item) => [String(item.id), item]));

  const item = select(items.map((e) => [String(e.id), `${e.name} · ${e.base_name}`]),
    { testid: "class-item", required: true });
  const zone = () => byId.get(item.value)?.timezone || "UTC";
  // What the chosen item allows: how many people, and whether they need a qualification.
  const rules = h("p", { class: "hint", id: "class-item-rules", testid: "class-item-rules" });
  item.setAttribute("aria-describedby", "class-item-rules");
  const drawRules = () => {
    const chosenItem = byId.get(item.value);
    if (!chosenItem) { rules.textContent = ""; return; }
    rules.textContent = chosenItem.requires_qualification
      ? t("class_rules_qualified", { count: chosenItem.max_attendees,
        category: categoryName.get(chosenItem.category_id) || chosenItem.category_code })
      : t("class_rules", { count: chosenItem.max_attendees });
  };
  item.addEventListener("change", drawRules);
  drawRules();
  const date = h("input", { type: "date", testid: "class-date", required: true,
    value: addDays(today(zone()), 1) });
  const from = h("input", { type: "time", testid: "class-from", required: true, value: "09:00",
    step: 300 });
  const to = h("input", { type: "time", testid: "class-to", required: true, value: "11:00",
    step: 300 });
  const purpose = h("input", { type: "text", testid: "class-purpose", maxlength: 500 });
  const repeat = h("input", { type: "checkbox", testid: "class-repeat" });
  const weeks = h("input", { type: "number", testid: "class-weeks", min: 2, max: 52, value: 4 });
  const weeksField = field(t("class_weeks"), weeks, { hidden: true });
  repeat.addEventListener("change", () => { weeksField.hidden = !repeat.checked; refreshButtons(); });

  // classes: the class by its name; none picked, the people are listed one by one below.
  const classPick = select([["", t("class_pick_people")], ...classes.items.map((c) => [c.name,
    t("class_pick_option", { name: c.name, count: c.member_count })])],
  { testid: "class-pick", "aria-describedby": "class-pick-hint" });
  const classId = () => classes.items.find((c) => c.name === classPick.value)?.id;
  const forClass = () => (classPick.value ? { class: classPick.value }
    : { attendees: [...chosen.keys()] });

  // Attendees: a search box, its matches, and the chosen list.
  const search = h("input", { type: "search", testid: "attendee-search", autocomplete: "off",
    "aria-describedby": "attendee-hint" });
  const matches = h("ul", { class: "list", testid: "attendee-matches", "aria-live": "polite" });
  const picked = h("ul", { class: "list", testid: "attendees" });
  const pickedTitle = h("h2", { id: "attendees-title" });
  searchStudents(search, matches, (found) => {
    matches.replaceChildren(...(found.length ? found.map((user) => h("li", { class: "row spread" },
      h("span", {}, user.full_name),
      h("button", { type: "button", class: "secondary", testid: "add-attendee",
        dataset: { userId: user.id }, disabled: chosen.has(user.id),
        "aria-label": t("class_add_name", { name: user.full_name }),
        onclick: () => { chosen.set(user.id, user.full_name); drawPicked(); search.focus(); } },
      t("class_add"))))
      : [h("li", { class: "muted" }, t("class_no_match"))]));
  });

  function drawPicked() {
    pickedTitle.textContent = t("class_attendees", { count: chosen.size });
    picked.replaceChildren(...(chosen.size ? [...chosen].map(([id, name]) =>
      h("li", { class: "row spread", testid: "attendee", dataset: { userId: id } },
        h("span", {}, name),
        h("button", { type: "button", class: "danger", testid: "remove-attendee",
          "aria-label": t("class_remove_name", { name }),
          onclick: () => { chosen.delete(id); drawPicked(); } },
        t("class_remove"))))
      : [h("li", { class: "muted" }, t("class_no_attendees"))]));
    for (const button of matches.querySelectorAll("[data-testid=add-attendee]")) {
      button.disabled = chosen.has(Number(button.dataset.userId));
    }
  }

  const result = h("div", { testid: "class-result", "aria-live": "polite" });
  const preview = h("div", { testid: "preview" });

  function span() {
    const z = zone();
    if (minutes(to.value) <= minutes(from.value)) throw new api.ApiError(422, {
      status: 422, code: "invalid_span", title: t("class_span_order") });
    const start = zonedToInstant(date.value, from.value, z);
    const end = zonedToInstant(date.value, to.value, z);
    return { z, starts_at: isoInZone(start, z), ends_at: isoInZone(end, z) };
  }

  function seriesBody(skipConflicts) {
    span(); // the same checks of the span
    return {
      equipment_id: Number(item.value), weekdays: [weekday(date.value) + 1],
      start_time: from.value, duration_minutes: minutes(to.value) - minutes(from.value),
      starts_on: date.value, count: Number(weeks.value) || 1, purpose: purpose.value,
      ...forClass(),
      ...(skipConflicts === undefined ? {} : { skip_conflicts: skipConflicts }),
    };
  }

  async function bookOnce(key) {
    const { z, starts_at, ends_at } = span();
    let booked;
    try {
      booked = await api.post("/reservations", { equipment_id: Number(item.value), starts_at,
        ends_at, purpose: purpose.value, ...forClass() }, { key });
    } catch (error) {
      // Attendees who lack it are named (else it is the holder: the banner says so).
      const named = error.body?.unqualified || error.body?.unqualified_attendees;
      if (error.code === "qualification_required" && named?.length) {
        explainUnqualified(error.body);
        return;
      }
      throw error;
    }
    result.replaceChildren(h("div", { class: "banner ok", role: "status", testid: "booked",
      dataset: { reservationId: booked.id } },
      h("p", {}, t("class_booked", { item: booked.equipment_name,
        span: formatSpan(booked.starts_at, booked.ends_at, booked.timezone || z) })),
      h("p", { class: "row" },
        h("a", { href: `/bookings/${booked.id}`, testid: "open-booking" }, t("class_open_booking")),
        booked.attendees.length ? h("a", { href: `/attendance/${booked.id}`, testid: "take-attendance" },
          t("class_take_attendance")) : null)));
  }

  // Who lacks the qualification, by name (the refusal's `unqualified`, else the ids we sent).
  function explainUnqualified(problem) {
    const people = Array.isArray(problem.unqualified) ? problem.unqualified
      : (problem.unqualified_attendees || []).map((id) => ({ id, full_name: chosen.get(id) ?? `#${id}` }));
    const category = problem.category_name || categoryName.get(problem.category_id)
      || problem.category_code || "";
    const list = h("ul", { testid: "unqualified-list" }, people.map((person) =>
      h("li", { testid: "unqualified-person", dataset: { userId: person.id } }, person.full_name)));
    const again = actionButton(t("class_remove_unqualified"), async () => {
      if (classPick.value) {
        // The class's students but those who lack it, picked one by one from here on.
        const { members } = await api.get(`/classes/${classId()}`);
        chosen.clear();
        for (const member of members) chosen.set(member.id, member.full_name);
        classPick.value = "";
        drawPeople();
      }
      for (const person of people) chosen.delete(person.id);
      drawPicked();
      await bookOnce(api.newKey());
    }, { region: result, attrs: { testid: "remove-unqualified" } });
    result.replaceChildren(h("div", { class: "banner", role: "alert", testid: "unqualified" },
      h("p", {}, t("class_unqualified", { category })), list, h("div", { class: "actions" }, again)));
    again.focus();
  }

  async function showPreview() {
    const answer = await api.post("/series/preview", seriesBody());
    const total = answer.occurrences.length;
    const z = zone();
    const rows = answer.occurrences.map((o) => h("li", {
      testid: "occurrence", dataset: { bookable: String(o.bookable) } },
    h("strong", {}, formatSpan(o.starts_at, o.ends_at, z)), " ",
    o.bookable ? h("span", { class: "status confirmed" }, t("class_fits"))
      : h("span", { class: "status rejected" }, t("class_refused")),
    o.refusal ? h("p", { class: "hint", testid: "occurrence-refusal" },
      explain(o.refusal, { timezone: z })) : null));
    const actions = h("div", { class: "actions" });
    if (answer.refused && answer.bookable) {
      actions.append(actionButton(t("class_book_skipping", { count: answer.bookable }),
        () => bookSeries(true), { region: result, attrs: { testid: "series-skip" } }));
    }
    actions.append(actionButton(t("class_book_all_or_none"), () => bookSeries(false),
      { region: result, attrs: { testid: "series-all", class: answer.refused ? "secondary" : null } }));
    preview.replaceChildren(h("section", { class: "card", "aria-labelledby": "preview-title" },
      h("h2", { id: "preview-title" }, t("class_preview")),
      h("p", { testid: "preview-summary" }, t("class_preview_summary",
        { bookable: answer.bookable, refused: answer.refused, total })),
      h("ul", { class: "list" }, rows), actions));
  }

  async function bookSeries(skipConflicts) {
    const answer = await api.post("/series", seriesBody(skipConflicts));
    preview.replaceChildren();
    const skipped = answer.skipped.map((s) => formatDate(s.date)).join(", ");
    result.replaceChildren(h("div", { class: "banner ok", role: "status", testid: "series-booked",
      dataset: { seriesId: answer.series.id } },
    h("p", {}, t("class_series_booked", { count: answer.reservations.length })),
    skipped ? h("p", {}, t("class_series_skipped", { dates: skipped })) : null));
  }

  const bookButton = actionButton(t("class_book"), () => bookOnce(api.newKey()),
    { region: result, attrs: { testid: "class-book" } });
  const previewButton = actionButton(t("class_preview"), showPreview,
    { region: result, attrs: { testid: "series-preview" } });
  function refreshButtons() {
    bookButton.hidden = repeat.checked;
    previewButton.hidden = !repeat.checked;
    preview.replaceChildren();
  }
  for (const input of [item, date, from, to, weeks]) {
    input.addEventListener("change", () => preview.replaceChildren());
  }

  const people = h("section", { class: "card", "aria-labelledby": "attendees-title" },
    pickedTitle, picked,
    field(t("class_find"), search),
    h("p", { class: "hint", id: "attendee-hint" }, t("class_find_hint")),
    matches);
  function drawPeople() { people.hidden = Boolean(classPick.value); }
  classPick.addEventListener("change", () => { drawPeople(); preview.replaceChildren(); });

  drawPicked();
  drawPeople();
  refreshButtons();
  main.replaceChildren(
    heading(t("class_title")),
    h("form", { class: "card", testid: "class-form", onsubmit: (e) => e.preventDefault() },
      field(t("class_item"), item), rules,
      h("div", { class: "fields" },
        field(t("class_date"), date), field(t("class_from"), from), field(t("class_to"), to),
        field(t("class_purpose"), purpose, { class: "wide" })),
      checkbox(repeat, t("class_repeat")),
      weeksField,
      field(t("class_pick"), classPick),
      h("p", { class: "hint", id: "class-pick-hint" }, t("class_pick_hint"))),
    people,
    h("div", { class: "actions" }, bookButton, previewButton),
    result, preview);
  show(result, null);
  return unlink;
}
