// One class: its students with their student numbers and practice hours over a span of days;
// an admin adds students found by name and removes them (each change sent with If-Match).

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, banner, field, h, heading } from "../ui.js";
import { dataTable, failure } from "../workspace.js";
import { searchStudents, useStylesheet } from "./teach.js";
import { addDays, today } from "../time.js";

add({
  en: {
    sclass_members: "Students ({count})", sclass_name: "Name",
    sclass_number: "Student number", sclass_hours: "Practice hours",
    sclass_from: "From", sclass_to: "Until (not included)", sclass_show: "Show the hours",
    sclass_total: "Together: {hours} h of practice.",
    sclass_remove: "Remove", sclass_remove_name: "Remove {name} from the class",
    sclass_add_title: "Add students", sclass_find: "Find by name", sclass_find_hint: "Type part of a name.",
    sclass_add: "Add", sclass_add_name: "Add {name} to the class",
    sclass_no_match: "No student matches.", sclass_in_class: "In the class",
    sclass_saved: "Saved: {count} students.", sclass_back: "All classes",
    rc_not_students_of_your_school: "Only students of your school can be in one of its classes.",
  },
  zh: {
    sclass_members: "学生（{count}）", sclass_name: "姓名",
    sclass_number: "学号", sclass_hours: "实训小时",
    sclass_from: "开始日期", sclass_to: "截止日期（不含）", sclass_show: "显示小时数",
    sclass_total: "合计：实训 {hours} 小时。",
    sclass_remove: "移除", sclass_remove_name: "将 {name} 移出班级",
    sclass_add_title: "添加学生", sclass_find: "按姓名查找", sclass_find_hint: "输入姓名的一部分。",
    sclass_add: "添加", sclass_add_name: "将 {name} 加入班级",
    sclass_no_match: "没有匹配的学生。", sclass_in_class: "已在班级中",
    sclass_saved: "已保存：{count} 名学生。", sclass_back: "全部班级",
    rc_not_students_of_your_school: "只有本校学生才能加入本校的班级。",
  },
});

export async function render(main, ctx) {
  const unlinks = [useStylesheet(ctx, "school.css"), useStylesheet(ctx, "classes.css")];
  const path = `/classes/${ctx.params.id}`;
  const admin = ctx.me.role === "admin";
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const end = today(zone);
  const from = h("input", { type: "date", testid: "class-practice-from", value: addDays(end, -28) });
  const to = h("input", { type: "date", testid: "class-practice-to", value: addDays(end, 1) });
  const notice = h("div", { "aria-live": "polite", testid: "class-notice" });
  const membersRegion = h("div", { testid: "class-members-region" });
  const totalLine = h("p", { class: "class-total", testid: "class-total" });
  let current; // { body, etag }
  let hours = new Map();

  async function loadPractice() {
    const answer = await api.get(`${path}/practice`, { from: from.value, to: to.value });
    hours = new Map(answer.members.map((m) => [m.student_id, m.hours]));
    totalLine.textContent = t("sclass_total", { hours: answer.total_hours });
  }

  async function saveMembers(ids) {
    try {
      const answer = await api.patch(path, { student_ids: ids }, { ifMatch: current.etag });
      current = await api.getWithEtag(path);
      drawMembers();
      notice.replaceChildren(h("p", { class: "banner ok", role: "status", testid: "saved" },
        t("sclass_saved", { count: answer.member_count })));
    } catch (error) {
      if (error?.status === 412) {
        current = await api.getWithEtag(path);
        drawMembers();
        notice.replaceChildren(failure({ stale: true }));
        return;
      }
      notice.replaceChildren(banner(error));
    }
  }

  function drawMembers() {
    const { members } = current.body;
    const columns = [
      { key: "full_name", label: t("sclass_name") },
      { key: "student_number", label: t("sclass_number") },
      { key: "hours", label: t("sclass_hours"), numeric: true, value: (m) => hours.get(m.id) ?? 0,
        cell: (m) => String(hours.get(m.id) ?? 0) },
    ];
    if (admin) {
      columns.push({ key: "actions", label: "", sortable: false, cell: (m) => h("button", {
        type: "button", class: "danger", testid: "remove-member", dataset: { userId: m.id },
        "aria-label": t("sclass_remove_name", { name: m.full_name }),
        onclick: () => saveMembers(members.map((x) => x.id).filter((id) => id !== m.id)),
      }, t("sclass_remove")) });
    }
    membersRegion.replaceChildren(
      dataTable({ caption: t("sclass_members", { count: members.length }), testid: "members",
        columns, rows: members, sort: { key: "full_name", descending: false },
        rowAttrs: (m) => ({ testid: "member-row", dataset: { userId: m.id } }) }));
  }

  current = await api.getWithEtag(path);
  await loadPractice();
  drawMembers();

  const practiceRegion = h("div", { "aria-live": "polite" });
  const showHours = actionButton(t("sclass_show"), async () => {
    await loadPractice();
    drawMembers();
  }, { region: practiceRegion, attrs: { testid: "class-practice-show" } });

  const parts = [
    h("p", {}, h("a", { href: "/classes", testid: "classes-back" }, t("sclass_back"))),
    heading(current.body.name),
    notice,
    h("section", { class: "card", "aria-labelledby": "class-practice-title" },
      h("h2", { id: "class-practice-title" }, t("sclass_hours")),
      h("div", { class: "row class-practice-span" }, field(t("sclass_from"), from),
        field(t("sclass_to"), to), showHours), practiceRegion, totalLine),
    membersRegion,
  ];

  if (admin) {
    const search = h("input", { type: "search", testid: "member-search", autocomplete: "off",
      "aria-describedby": "member-hint" });
    const matches = h("ul", { class: "list", testid: "member-matches", "aria-live": "polite" });
    searchStudents(search, matches, (found) => {
      const inClass = new Set(current.body.members.map((m) => m.id));
      matches.replaceChildren(...(found.length ? found.map((user) => h("li",
        { class: "row spread" }, h("span", {}, user.full_name,
          user.student_number ? ` · ${user.student_number}` : ""),
        inClass.has(user.id) ? h("span", { class: "muted" }, t("sclass_in_class"))
          : h("button", { type: "button", class: "secondary", testid: "add-member",
            dataset: { userId: user.id },
            "aria-label": t("sclass_add_name", { name: user.full_name }),
            onclick: async () => {
              await saveMembers([...current.body.members.map((m) => m.id), user.id]);
              search.value = "";
              matches.replaceChildren();
              search.focus();
            } }, t("sclass_add"))))
        : [h("li", { class: "muted" }, t("sclass_no_match"))]));
    });
    parts.push(h("section", { class: "card", "aria-labelledby": "member-find-title" },
      h("h2", { id: "member-find-title" }, t("sclass_add_title")),
      field(t("sclass_find"), search),
      h("p", { class: "hint", id: "member-hint" }, t("sclass_find_hint")), matches));
  }
  main.replaceChildren(...parts);
  return () => unlinks.forEach((unlink) => unlink());
}
