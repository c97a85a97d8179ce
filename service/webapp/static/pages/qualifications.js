// Qualifications of the school's students: grant one for a category (optionally until a date),
// see who holds what, and revoke.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, banner, confirmDialog, field, h, heading, select } from "../ui.js";
import { addDays, formatInstant, isoInZone, zonedToInstant } from "../time.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    quals_title: "Qualifications",
    quals_grant_title: "Grant a qualification",
    quals_student: "Student", quals_category: "Equipment category",
    quals_expires: "Valid until (optional)", quals_note: "Note (optional)",
    quals_grant: "Grant",
    quals_granted: "Granted: {category} to {name}.",
    quals_held_title: "Valid qualifications",
    quals_none: "No valid qualification.",
    quals_no_expiry: "no expiry", quals_until: "until {when}",
    quals_revoke: "Revoke", quals_revoke_name: "Revoke {category} from {name}",
    quals_revoke_confirm: "Revoke {category} from {name}?",
    quals_revoked: "Revoked: {category} from {name}.",
    quals_pick: "Choose…",
  },
  zh: {
    quals_title: "资质",
    quals_grant_title: "授予资质",
    quals_student: "学生", quals_category: "设备类别",
    quals_expires: "有效期至（可选）", quals_note: "备注（可选）",
    quals_grant: "授予",
    quals_granted: "已授予 {name}“{category}”资质。",
    quals_held_title: "有效资质",
    quals_none: "没有有效资质。",
    quals_no_expiry: "长期有效", quals_until: "有效期至 {when}",
    quals_revoke: "撤销", quals_revoke_name: "撤销 {name} 的“{category}”资质",
    quals_revoke_confirm: "撤销 {name} 的“{category}”资质？",
    quals_revoked: "已撤销 {name} 的“{category}”资质。",
    quals_pick: "请选择…",
  },
});

// The browser's zone: an expiry date means the end of that day where the instructor is.
const HERE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx);
  const [students, categories] = await Promise.all([
    api.all("/users", { role: "student", is_active: true, sort: "full_name" }),
    api.all("/equipment-categories"),
  ]);
  const categoryName = new Map(categories.map((c) => [c.id, c.name]));
  const notice = h("div", { testid: "quals-notice", "aria-live": "polite" });
  const list = h("ul", { class: "list", testid: "qualifications" });

  const student = select([["", t("quals_pick")], ...students.map((s) => [String(s.id), s.full_name])],
    { testid: "qual-student", required: true });
  const category = select([["", t("quals_pick")], ...categories.map((c) => [String(c.id), c.name])],
    { testid: "qual-category", required: true });
  const expires = h("input", { type: "date", testid: "qual-expires" });
  const note = h("input", { type: "text", testid: "qual-note", maxlength: 500 });
  const formRegion = h("div", { "aria-live": "polite" });

  async function draw() {
    const held = await api.all("/qualifications", { valid: true, sort: "granted_at" });
    list.replaceChildren(...(held.length ? held.map((q) => {
      const cat = categoryName.get(q.category_id) || q.category_code;
      const region = h("div", { "aria-live": "polite" });
      return h("li", { testid: "qualification", dataset: { qualificationId: q.id,
        userId: q.user_id, categoryId: q.category_id } },
      h("p", { class: "row spread" }, h("span", {}, h("strong", {}, q.user_name), ` · ${cat}`),
        actionButton(t("quals_revoke"), async () => {
          if (!await confirmDialog(t("quals_revoke_confirm", { category: cat, name: q.user_name }))) {
            return;
          }
          await api.del(`/qualifications/${q.id}`);
          notice.replaceChildren(banner(t("quals_revoked", { category: cat, name: q.user_name }),
            { kind: "ok", testid: "revoked" }));
          await draw();
        }, { region, attrs: { class: "danger", testid: "revoke",
          "aria-label": t("quals_revoke_name", { category: cat, name: q.user_name }) } })),
      h("p", { class: "muted" }, q.expires_at
        ? t("quals_until", { when: formatInstant(q.expires_at, HERE, { time: false, offset: false }) })
        : t("quals_no_expiry")),
      q.note ? h("p", {}, q.note) : null, region);
    }) : [h("li", { class: "muted" }, t("quals_none"))]));
  }

  const grant = actionButton(t("quals_grant"), async () => {
    const body = { user_id: Number(student.value), category_id: Number(category.value),
      note: note.value.trim() };
    if (!student.value || !category.value) {
      formRegion.replaceChildren(banner((student.value ? category : student).labels?.[0]
        ?.textContent || t("quals_pick")));
      return;
    }
    if (expires.value) {
      body.expires_at = isoInZone(zonedToInstant(addDays(expires.value, 1), "00:00", HERE), HERE);
    }
    const granted = await api.post("/qualifications", body);
    notice.replaceChildren(banner(t("quals_granted", {
      category: categoryName.get(granted.category_id), name: granted.user_name }),
    { kind: "ok", testid: "granted" }));
    await draw();
  }, { region: formRegion, attrs: { testid: "qual-grant" } });

  await draw();
  main.replaceChildren(heading(t("quals_title")), notice,
    h("section", { class: "card", "aria-labelledby": "grant-title" },
      h("h2", { id: "grant-title" }, t("quals_grant_title")),
      h("div", { class: "fields" }, field(t("quals_student"), student),
        field(t("quals_category"), category), field(t("quals_expires"), expires),
        field(t("quals_note"), note)),
      h("div", { class: "actions" }, grant), formRegion),
    h("section", { class: "card", "aria-labelledby": "held-title" },
      h("h2", { id: "held-title" }, t("quals_held_title")), list));
  return unlink;
}
