// A school's classes: their names and sizes; an admin adds a class and opens it.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, field, h, heading } from "../ui.js";
import { dataTable } from "../workspace.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    classes_title: "Classes",
    classes_intro: "Your school's classes. Instructors book for a class by its name; its "
      + "students attend.",
    classes_name: "Class", classes_members: "Students", classes_none: "No class yet.",
    classes_new: "New class", classes_new_name: "Name of the new class",
    classes_create: "Add the class",
    rc_class_name_taken: "Your school already has a class of that name.",
  },
  zh: {
    classes_title: "班级",
    classes_intro: "本校的班级。教师可按班级名称预约，班级学生即为参加者。",
    classes_name: "班级", classes_members: "学生人数", classes_none: "尚无班级。",
    classes_new: "新建班级", classes_new_name: "新班级名称",
    classes_create: "添加班级",
    rc_class_name_taken: "本校已有同名班级。",
  },
});

export async function render(main, ctx) {
  const unlinks = [useStylesheet(ctx, "school.css"), useStylesheet(ctx, "classes.css")];
  const { items } = await api.get("/classes");
  const table = items.length ? dataTable({
    caption: t("classes_title"), testid: "classes-table",
    columns: [
      { key: "name", label: t("classes_name"),
        cell: (c) => h("a", { href: `/classes/${c.id}`, testid: "class-link",
          dataset: { classId: c.id } }, c.name) },
      { key: "member_count", label: t("classes_members"), numeric: true },
    ],
    rows: items, sort: { key: "name", descending: false },
    rowAttrs: (c) => ({ testid: "class-row", dataset: { classId: c.id } }),
  }) : h("p", { class: "muted", testid: "classes-empty" }, t("classes_none"));

  const parts = [heading(t("classes_title")), h("p", { class: "muted" }, t("classes_intro"))];
  if (ctx.me.role === "admin") {
    const name = h("input", { type: "text", maxlength: 100, required: true,
      testid: "class-new-name", autocomplete: "off" });
    const region = h("div", { "aria-live": "polite", testid: "class-new-result" });
    const create = actionButton(t("classes_create"), async () => {
      const made = await api.post("/classes", { name: name.value });
      ctx.navigate(`/classes/${made.id}`);
    }, { region, attrs: { testid: "class-create" } });
    parts.push(h("section", { class: "card", "aria-labelledby": "class-new-title" },
      h("h2", { id: "class-new-title" }, t("classes_new")),
      h("form", { class: "row class-new", onsubmit: (e) => { e.preventDefault(); create.click(); } },
        field(t("classes_new_name"), name), create), region));
  }
  parts.push(table);
  main.replaceChildren(...parts);
  return () => unlinks.forEach((unlink) => unlink());
}
