// Recording what a completed session taught: skills from the shared vocabulary, who was
// trained, hours (at most the booked length) and the result in a few lines.

import * as api from "../api.js";
import { add, language, t } from "../i18n.js";
import { actionButton, banner, field, h, heading, statusBadge } from "../ui.js";
import { formatSpan } from "../time.js";
import { checkbox, useStylesheet } from "./teach.js";

add({
  en: {
    outcome_title: "Record the outcome",
    outcome_skills: "Skills practised (at least one, or a tag)", outcome_trainees: "Trained",
    outcome_tags: "Other tags (optional, separated by commas)",
    outcome_skills_needed: "Choose at least one skill or add a tag.",
    outcome_count: "Number of people trained", outcome_hours: "Hours of training",
    outcome_result: "Result", outcome_result_hint: "What the session achieved, in a few lines.",
    outcome_save: "Save the outcome",
    outcome_saved: "Outcome recorded.",
    outcome_exists: "An outcome is already recorded for this session.",
    outcome_home: "Back to my bookings",
  },
  zh: {
    outcome_title: "记录实训成果",
    outcome_skills: "练习的技能（至少一项，或填写标签）", outcome_trainees: "受训人员",
    outcome_tags: "其他标签（可选，用逗号分隔）",
    outcome_skills_needed: "请至少选择一项技能或填写一个标签。",
    outcome_count: "受训人数", outcome_hours: "实训小时数",
    outcome_result: "成果", outcome_result_hint: "简要说明本次实训的成果。",
    outcome_save: "保存成果",
    outcome_saved: "成果已记录。",
    outcome_exists: "此次实训已记录成果。",
    outcome_home: "返回我的预约",
  },
});

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx);
  const id = Number(ctx.params.reservation_id);
  const [booking, skills, existing] = await Promise.all([
    api.get(`/reservations/${id}`), api.all("/skills"),
    api.get("/outcomes", { reservation_id: id }).then((a) => a.items, () => []),
  ]);
  const zone = booking.timezone;
  const result = h("div", { testid: "outcome-result", "aria-live": "polite" });
  const head = [heading(t("outcome_title")),
    h("section", { class: "card" },
      h("p", { class: "row" }, h("strong", {}, booking.equipment_name), statusBadge(booking.status)),
      h("p", {}, formatSpan(booking.starts_at, booking.ends_at, zone)))];
  if (existing.length) {
    main.replaceChildren(...head, banner(t("outcome_exists"), { kind: "info", testid: "outcome-exists" }));
    return unlink;
  }

  const skillBoxes = skills.map((skill) => {
    const box = h("input", { type: "checkbox", value: skill.tag, testid: "skill" });
    return checkbox(box, language() === "zh" ? skill.label_zh : skill.label_en);
  });
  const people = [{ user_id: booking.holder_id, name: booking.holder_name },
    ...booking.attendance.filter((a) => a.user_id !== booking.holder_id)];
  // Trained: everyone on the booking but the staff member who taught it.
  const trained = (person) => person.user_id !== ctx.me?.id || ctx.me?.role === "student";
  const traineeBoxes = people.map((person) => checkbox(h("input", { type: "checkbox",
    value: person.user_id, testid: "trainee", checked: trained(person) }), person.name));
  const count = h("input", { type: "number", min: 1, max: 10000, required: true,
    testid: "outcome-count", value: Math.max(1, people.filter(trained).length) });
  const booked = (Date.parse(booking.ends_at) - Date.parse(booking.starts_at)) / 3600000;
  const hours = h("input", { type: "number", min: 0.25, step: 0.25, max: booked, required: true,
    testid: "outcome-hours", value: booked });
  const tags = h("input", { type: "text", testid: "outcome-tags", maxlength: 600 });
  const text = h("textarea", { rows: 4, maxlength: 2000, required: true, testid: "outcome-text",
    "aria-describedby": "outcome-hint" });

  const save = actionButton(t("outcome_save"), async () => {
    const checked = (boxes) => boxes.map((label) => label.querySelector("input"))
      .filter((input) => input.checked).map((input) => input.value);
    const freeTags = tags.value.split(/[,，]/).map((tag) => tag.trim()).filter(Boolean);
    if (!checked(skillBoxes).length && !freeTags.length) {
      result.replaceChildren(banner(t("outcome_skills_needed")));
      return;
    }
    await api.post("/outcomes", {
      reservation_id: id, skills: checked(skillBoxes), free_tags: freeTags,
      trainee_ids: checked(traineeBoxes).map(Number),
      trainee_count: Number(count.value), hours: Number(hours.value), result: text.value,
    });
    main.replaceChildren(...head, banner(t("outcome_saved"), { kind: "ok", testid: "outcome-saved" }),
      h("p", {}, h("a", { href: "/" }, t("outcome_home"))));
  }, { region: result, attrs: { testid: "outcome-save" }, context: { timezone: zone } });

  main.replaceChildren(...head,
    h("form", { class: "card", testid: "outcome-form", onsubmit: (e) => e.preventDefault() },
      h("fieldset", {}, h("legend", {}, t("outcome_skills")), h("div", { class: "checks" }, skillBoxes),
        field(t("outcome_tags"), tags)),
      people.length ? h("fieldset", {}, h("legend", {}, t("outcome_trainees")),
        h("div", { class: "checks" }, traineeBoxes)) : null,
      h("div", { class: "fields" }, field(t("outcome_count"), count),
        field(t("outcome_hours"), hours)),
      field(t("outcome_result"), text),
      h("p", { class: "hint", id: "outcome-hint" }, t("outcome_result_hint")),
      h("div", { class: "actions" }, save), result));
  return unlink;
}
