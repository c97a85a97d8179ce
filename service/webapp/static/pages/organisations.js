// The operator's organisations: every school and enterprise on the platform, and onboarding a
// new one with its first admin (a school) or manager (an enterprise), whose first password is
// made here and shown once.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, banner, field, h, heading, select } from "../ui.js";
import { dataTable } from "../workspace.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    orgs_title: "Organisations",
    orgs_onboard_title: "Onboard a school or an enterprise",
    orgs_onboard_hint: "The organisation and its first person: a school's first admin, or an "
      + "enterprise's first manager. They add everyone else themselves.",
    orgs_name: "Organisation's name", orgs_kind: "Kind",
    orgs_kind_school: "School", orgs_kind_enterprise: "Enterprise", orgs_kind_platform: "Platform",
    orgs_person_name: "First person's full name", orgs_person_email: "Their e-mail",
    orgs_create: "Onboard",
    orgs_created: "{org} is on the platform; {name} can sign in as its {role}.",
    orgs_role_admin: "administrator", orgs_role_manager: "manager",
    orgs_password: "First password (shown only now: give it to them; they change it after "
      + "signing in): ",
    orgs_person_failed: "{org} was created, but not its first person. Correct the person and "
      + "press Onboard again: the organisation is not created twice.",
    orgs_missing: "Fill in the organisation's name, the person's name and e-mail.",
    orgs_list_title: "On the platform",
    orgs_col_name: "Name", orgs_col_kind: "Kind", orgs_col_contact: "Contact",
    rc_organisation_name_taken: "An organisation with this name is already on the platform.",
    rc_email_taken: "This e-mail is already registered: use another for the first person.",
  },
  zh: {
    orgs_title: "机构",
    orgs_onboard_title: "接入学校或企业",
    orgs_onboard_hint: "机构及其第一位成员：学校的第一位管理员，或企业的第一位经理。其他人员由他们自行添加。",
    orgs_name: "机构名称", orgs_kind: "类型",
    orgs_kind_school: "学校", orgs_kind_enterprise: "企业", orgs_kind_platform: "平台",
    orgs_person_name: "第一位成员的姓名", orgs_person_email: "其电子邮箱",
    orgs_create: "接入",
    orgs_created: "{org} 已加入平台；{name} 可作为其{role}登录。",
    orgs_role_admin: "管理员", orgs_role_manager: "经理",
    orgs_password: "初始密码（仅此一次显示：请转交本人；登录后由本人修改）：",
    orgs_person_failed: "已创建 {org}，但未能创建其第一位成员。请修改成员信息后再次点击“接入”：机构不会重复创建。",
    orgs_missing: "请填写机构名称、成员姓名和电子邮箱。",
    orgs_list_title: "平台上的机构",
    orgs_col_name: "名称", orgs_col_kind: "类型", orgs_col_contact: "联系方式",
    rc_organisation_name_taken: "平台上已有同名机构。",
    rc_email_taken: "该电子邮箱已注册：请为第一位成员使用其他邮箱。",
  },
});

// A first password of 16 letters and digits from the browser's secure random source.
function firstPassword() {
  const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => letters[b % letters.length]).join("");
}

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "operator.css");
  const notice = h("div", { testid: "orgs-notice", "aria-live": "polite" });
  const listRegion = h("div");
  const name = h("input", { type: "text", testid: "org-name", maxlength: 200, required: true,
    autocomplete: "organization" });
  const kind = select([["school", t("orgs_kind_school")],
    ["enterprise", t("orgs_kind_enterprise")]], { testid: "org-kind" });
  const person = h("input", { type: "text", testid: "admin-name", maxlength: 200,
    required: true, autocomplete: "off" });
  const email = h("input", { type: "email", testid: "admin-email", maxlength: 254,
    required: true, autocomplete: "off" });
  const formRegion = h("div", { "aria-live": "polite" });
  // The organisation made by a press whose person failed: the next press adds only the person.
  let made = null;

  async function drawList() {
    const organisations = await api.all("/organisations", { sort: "name" });
    listRegion.replaceChildren(dataTable({
      caption: t("orgs_list_title"), testid: "organisations",
      columns: [
        { key: "name", label: t("orgs_col_name") },
        { key: "kind", label: t("orgs_col_kind"), value: (o) => t(`orgs_kind_${o.kind}`) },
        { key: "contact_email", label: t("orgs_col_contact") },
      ],
      rows: organisations,
      rowAttrs: (o) => ({ testid: "org-row", dataset: { organisationId: o.id, kind: o.kind } }),
      sort: { key: "name", descending: false },
    }));
  }

  const create = actionButton(t("orgs_create"), async () => {
    if (!name.value.trim() || !person.value.trim() || !email.value.trim()) {
      formRegion.replaceChildren(banner(t("orgs_missing")));
      return;
    }
    const wanted = { name: name.value.trim(), kind: kind.value };
    if (!made || made.name !== wanted.name || made.kind !== wanted.kind) {
      made = await api.post("/organisations", wanted);
    }
    const school = made.kind === "school";
    const password = firstPassword();
    try {
      await api.post("/users", { organisation_id: made.id, email: email.value.trim(),
        full_name: person.value.trim(), role: school ? "admin" : "enterprise_staff",
        is_manager: !school, password });
    } catch (error) {
      formRegion.replaceChildren(banner(t("orgs_person_failed", { org: made.name })),
        banner(error));
      await drawList();
      return;
    }
    notice.replaceChildren(h("div", { class: "banner ok", role: "status", testid: "org-created",
      dataset: { organisationId: made.id } },
    h("p", {}, t("orgs_created", { org: made.name, name: person.value.trim(),
      role: t(school ? "orgs_role_admin" : "orgs_role_manager") })),
    h("p", {}, t("orgs_password"), h("code", { testid: "first-password" }, password))));
    made = null;
    for (const input of [name, person, email]) input.value = "";
    await drawList();
  }, { region: formRegion, attrs: { testid: "org-create" } });

  await drawList();
  main.replaceChildren(heading(t("orgs_title")), notice,
    h("section", { class: "card", "aria-labelledby": "onboard-title" },
      h("h2", { id: "onboard-title" }, t("orgs_onboard_title")),
      h("p", { class: "muted" }, t("orgs_onboard_hint")),
      h("div", { class: "fields" }, field(t("orgs_name"), name), field(t("orgs_kind"), kind),
        field(t("orgs_person_name"), person), field(t("orgs_person_email"), email)),
      h("div", { class: "actions" }, create), formRegion),
    h("section", { class: "card" }, listRegion));
  return unlink;
}
