// The organisation's people: search, and for a school's admin or an enterprise's manager,
// add a person with a first password, change a role (an enterprise: who manages), disable and
// enable. Each change sends the version the row was drawn from (If-Match): a stale one is
// explained and the list redrawn.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, confirmDialog, field, h, heading, select } from "../ui.js";
import { dataTable, failure } from "../workspace.js";
import { managesOrganisation, said, section } from "./school-words.js";
import { checkbox, useStylesheet } from "./teach.js";

add({
  en: {
    people_title: "People", people_caption: "People of {org}", people_search: "Search by "
      + "name or e-mail", people_find: "Search", people_name: "Name", people_email: "E-mail",
    people_role: "Role", people_state: "Account", people_actions: "Change",
    people_active: "active", people_disabled: "disabled", people_manager: "manager",
    people_is_manager: "Manages the enterprise's people and bases",
    people_role_of: "Role of {name}", people_disable: "Disable", people_enable: "Enable",
    people_disable_named: "Disable {name}", people_enable_named: "Enable {name}",
    people_manager_of: "{name} manages", people_disable_confirm: "Disable {name}? They can "
      + "no longer sign in; their bookings and history stay.",
    people_new: "Add a person", people_password: "First password (at least 8 characters)",
    people_password_hint: "Give it to them in person: only they can change it afterwards.",
    people_create: "Add the person", people_created: "Added {name}.",
    people_changed: "{name}: saved.", people_disabled_done: "{name} can no longer sign in.",
    people_enabled_done: "{name} can sign in again.",
  },
  zh: {
    people_title: "人员", people_caption: "{org} 的人员", people_search: "按姓名或邮箱搜索",
    people_find: "搜索", people_name: "姓名", people_email: "电子邮箱", people_role: "角色",
    people_state: "账号", people_actions: "修改", people_active: "启用",
    people_disabled: "已停用", people_manager: "管理者",
    people_is_manager: "管理企业的人员和基地", people_role_of: "{name} 的角色",
    people_disable: "停用", people_enable: "启用", people_disable_named: "停用 {name}",
    people_enable_named: "启用 {name}", people_manager_of: "{name} 为管理者",
    people_disable_confirm: "停用 {name}？停用后无法登录；其预约和历史记录保留。",
    people_new: "添加人员", people_password: "初始密码（至少 8 个字符）",
    people_password_hint: "请当面告知本人：之后只有本人可以修改。",
    people_create: "添加", people_created: "已添加 {name}。",
    people_changed: "{name}：已保存。", people_disabled_done: "{name} 已无法登录。",
    people_enabled_done: "{name} 已可以重新登录。",
  },
});

const SCHOOL_ROLES = ["student", "instructor", "admin"];

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "school.css");
  const { me } = ctx;
  const keeps = managesOrganisation(me);
  const school = me.role === "admin";
  const notice = h("div", { "aria-live": "polite", testid: "people-notice" });
  const listHolder = h("div");
  const search = h("input", { type: "search", maxlength: 100, testid: "person-search",
    value: ctx.query.get("q") || "" });
  const org = await api.get(`/organisations/${me.organisation_id}`);

  // A change from the row's version: 412 redraws the list and says why.
  async function change(run, done) {
    notice.replaceChildren();
    try {
      await run();
    } catch (error) {
      if (error?.status === 412) {
        await draw();
        error = Object.assign(new Error(), { stale: true });
      }
      notice.replaceChildren(failure(error));
      return;
    }
    await draw();
    said(notice, done);
  }

  const ifMatch = (person) => `"${person.version}"`;
  const patch = (person, body, done) => change(() => api.patch(`/users/${person.id}`, body,
    { ifMatch: ifMatch(person) }), done);

  function actions(person) {
    const name = person.full_name;
    const self = person.id === me.id;
    const parts = [];
    if (school) {
      const role = select(SCHOOL_ROLES.map((r) => [r, t(`role_${r}`)]), { value: person.role,
        testid: "person-role", "aria-label": t("people_role_of", { name }), disabled: self });
      role.addEventListener("change", () => patch(person, { role: role.value },
        t("people_changed", { name })));
      parts.push(role);
    } else {
      const box = h("input", { type: "checkbox", checked: person.is_manager, disabled: self,
        testid: "person-manager", "aria-label": t("people_manager_of", { name }) });
      box.addEventListener("change", () => patch(person, { is_manager: box.checked },
        t("people_changed", { name })));
      parts.push(checkbox(box, t("people_manager")));
    }
    if (person.is_active) {
      parts.push(actionButton(t("people_disable"), async () => {
        if (!await confirmDialog(t("people_disable_confirm", { name }))) return;
        await change(() => api.del(`/users/${person.id}`, { ifMatch: ifMatch(person) }),
          t("people_disabled_done", { name }));
      }, { attrs: { class: "danger", testid: "person-disable", disabled: self,
        "aria-label": t("people_disable_named", { name }) } }));
    } else {
      parts.push(actionButton(t("people_enable"), () => patch(person, { is_active: true },
        t("people_enabled_done", { name })), { attrs: { testid: "person-enable",
        "aria-label": t("people_enable_named", { name }) } }));
    }
    return h("div", { class: "row person-actions" }, parts);
  }

  async function draw() {
    const people = await api.all("/users", { organisation_id: me.organisation_id,
      q: search.value.trim() || null, sort: "full_name" });
    const roleText = (p) => (p.is_manager ? `${t(`role_${p.role}`)} · ${t("people_manager")}`
      : t(`role_${p.role}`));
    listHolder.replaceChildren(dataTable({
      caption: t("people_caption", { org: org.name }), testid: "people",
      columns: [
        { key: "full_name", label: t("people_name") },
        { key: "email", label: t("people_email") },
        { key: "role", label: t("people_role"), value: roleText },
        { key: "is_active", label: t("people_state"), value: (p) => t(p.is_active
          ? "people_active" : "people_disabled") },
        ...(keeps ? [{ key: "actions", label: t("people_actions"), sortable: false,
          cell: actions }] : []),
      ],
      rows: people, rowAttrs: (p) => ({ testid: "person-row", dataset: { userId: p.id,
        active: String(p.is_active), role: p.role } }),
    }));
  }

  const find = h("form", { class: "row search", role: "search", testid: "person-search-form" },
    field(t("people_search"), search), h("button", { type: "submit", class: "secondary",
      testid: "person-find" }, t("people_find")));
  find.addEventListener("submit", (event) => {
    event.preventDefault();
    draw().catch((error) => notice.replaceChildren(failure(error)));
  });

  await draw();
  main.replaceChildren(heading(t("people_title")), notice, find, listHolder,
    keeps ? createForm(school, notice, draw) : h("p", { class: "muted", testid: "read-only" },
      t("school_read_only")));
  return unlink;
}

function createForm(school, notice, draw) {
  const name = h("input", { type: "text", required: true, maxlength: 200, testid: "person-name",
    autocomplete: "off" });
  const email = h("input", { type: "email", required: true, maxlength: 254,
    testid: "person-email", autocomplete: "off" });
  const role = school ? select(SCHOOL_ROLES.map((r) => [r, t(`role_${r}`)]),
    { testid: "person-new-role", value: "student" }) : null;
  const manager = school ? null : h("input", { type: "checkbox", testid: "person-new-manager" });
  const password = h("input", { type: "text", required: true, minlength: 8, maxlength: 256,
    testid: "person-password", autocomplete: "new-password" });
  const region = h("div", { "aria-live": "polite" });
  const create = actionButton(t("people_create"), async () => {
    const made = await api.post("/users", { full_name: name.value.trim(),
      email: email.value.trim(), role: school ? role.value : "enterprise_staff",
      is_manager: school ? false : manager.checked, password: password.value });
    for (const input of [name, email, password]) input.value = "";
    await draw();
    said(notice, t("people_created", { name: made.full_name }), "person-created");
  }, { region, attrs: { testid: "person-create" } });
  return section("people-new", t("people_new"),
    h("div", { class: "fields" }, field(t("people_name"), name),
      field(t("people_email"), email), role ? field(t("people_role"), role) : null,
      field(t("people_password"), password)),
    manager ? checkbox(manager, t("people_is_manager")) : null,
    h("p", { class: "hint" }, t("people_password_hint")),
    h("div", { class: "actions" }, create), region);
}
