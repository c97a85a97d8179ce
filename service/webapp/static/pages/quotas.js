// A school's booking quotas per role (students, instructors, admins): hours per week and active
// bookings at once, each left empty for no limit; on every category, or on one category (the
// two both apply: e.g. 4 hours a week on CNC for students).

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, field, h, heading, select } from "../ui.js";
import { said, section } from "./school-words.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    quotas_title: "Quotas", quotas_intro: "How much each role may book. Leave a box empty "
      + "for no limit.",
    quotas_weekly: "Hours per week (Monday to Sunday)", quotas_active: "Active bookings at once",
    quotas_save: "Save", quotas_save_named: "Save the quota of the role {role}",
    quotas_saved: "{role}: {weekly}; {active}.", quotas_hours: "{n} h a week",
    quotas_bookings: "{n} bookings at once", quotas_no_limit: "no limit",
    // classes: quotas per category
    quotas_every: "On every category",
    quotas_categories: "On one category", quotas_categories_intro: "A category's quota "
      + "counts that category's bookings only; the quota on every category applies too.",
    quotas_role: "Role", quotas_category: "Category", quotas_none_category: "No quota on a "
      + "single category yet.",
    quotas_add: "Save the category's quota", quotas_remove: "Remove",
    quotas_remove_named: "Remove the quota of {role} on {category}",
    quotas_removed: "Removed: {role} on {category}.",
    quotas_saved_category: "{role} on {category}: {weekly}; {active}.",
    rc_unknown_category: "No such category.",
  },
  zh: {
    quotas_title: "配额", quotas_intro: "各角色可预约的上限。留空表示不限。",
    quotas_weekly: "每周小时数（周一至周日）", quotas_active: "同时有效的预约数",
    quotas_save: "保存", quotas_save_named: "保存{role}的配额",
    quotas_saved: "{role}：{weekly}；{active}。", quotas_hours: "每周 {n} 小时",
    quotas_bookings: "同时 {n} 个预约", quotas_no_limit: "不限",
    // classes: quotas per category
    quotas_every: "所有类别合计",
    quotas_categories: "单一类别", quotas_categories_intro: "类别配额只计算该类别的预约；"
      + "所有类别合计的配额同时适用。",
    quotas_role: "角色", quotas_category: "类别", quotas_none_category: "尚未设置单一类别的配额。",
    quotas_add: "保存该类别的配额", quotas_remove: "移除",
    quotas_remove_named: "移除{role}在{category}上的配额",
    quotas_removed: "已移除：{role}在{category}上的配额。",
    quotas_saved_category: "{role}在{category}上：{weekly}；{active}。",
    rc_unknown_category: "没有该类别。",
  },
});

const ROLES = ["student", "instructor", "admin"];

// api.js has no PUT (quotas are its only use): the same bearer token and problem+json.
async function putQuota(path, body, method = "PUT") {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, body: body && JSON.stringify(body),
      headers: { Accept: "application/json", "Content-Type": "application/json",
        Authorization: `Bearer ${api.token()}` } });
  } catch (error) {
    throw new api.ApiError(0, { status: 0, code: "network", detail: String(error) });
  }
  const answer = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new api.ApiError(response.status, answer);
  return answer;
}
const limit = (input) => (input.value.trim() === "" ? null : Number(input.value));

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "school.css");
  const path = `/organisations/${ctx.me.organisation_id}/quotas`;
  const notice = h("div", { "aria-live": "polite", testid: "quotas-notice" });
  const [{ items }, categories] = await Promise.all([api.get(path),
    api.all("/equipment-categories")]);
  const cards = ROLES.map((role) => {
    const quota = items.find((q) => q.role === role && !q.category) || {};
    const roleName = t(`role_${role}`);
    const weekly = h("input", { type: "number", min: 0, max: 168, step: 1, inputmode: "numeric",
      testid: "quota-weekly", value: quota.weekly_hours ?? "" });
    const active = h("input", { type: "number", min: 0, max: 1000, step: 1, inputmode: "numeric",
      testid: "quota-active", value: quota.active_reservations ?? "" });
    const region = h("div", { "aria-live": "polite" });
    const save = actionButton(t("quotas_save"), async () => {
      const answer = await putQuota(`${path}/${role}`, { weekly_hours: limit(weekly),
        active_reservations: limit(active) });
      said(notice, t("quotas_saved", { role: roleName,
        weekly: answer.weekly_hours === null ? t("quotas_no_limit")
          : t("quotas_hours", { n: answer.weekly_hours }),
        active: answer.active_reservations === null ? t("quotas_no_limit")
          : t("quotas_bookings", { n: answer.active_reservations }) }));
    }, { region, attrs: { testid: "quota-save", "aria-label": t("quotas_save_named",
      { role: roleName }) } });
    return h("div", { testid: "quota-row", dataset: { role } }, section(`quota-${role}`, roleName,
      h("div", { class: "fields" }, field(t("quotas_weekly"), weekly),
        field(t("quotas_active"), active)), h("div", { class: "actions" }, save), region));
  });
  main.replaceChildren(heading(t("quotas_title")), h("p", { class: "muted" },
    t("quotas_intro")), notice, h("h2", {}, t("quotas_every")), ...cards,
  categoryQuotas(path, items, categories, notice));
  return unlink;
}

// classes: the quotas on one category each, a form to set one and a button to remove each.
function categoryQuotas(path, items, categories, notice) {
  const described = (q) => ({ role: t(`role_${q.role}`), category: q.category.name,
    weekly: q.weekly_hours === null ? t("quotas_no_limit")
      : t("quotas_hours", { n: q.weekly_hours }),
    active: q.active_reservations === null ? t("quotas_no_limit")
      : t("quotas_bookings", { n: q.active_reservations }) });
  const region = h("div", { "aria-live": "polite" });
  const list = h("ul", { class: "list", testid: "category-quotas" });
  const drawList = (all) => {
    const listed = all.filter((q) => q.category);
    list.replaceChildren(...(listed.length ? listed.map((q) => {
      const words = described(q);
      return h("li", { class: "row spread", testid: "category-quota",
        dataset: { role: q.role, category: q.category.code } },
      h("span", {}, t("quotas_saved_category", words)),
      actionButton(t("quotas_remove"), async () => {
        await putQuota(`${path}/${q.role}?category=${encodeURIComponent(q.category.code)}`,
          null, "DELETE");
        said(notice, t("quotas_removed", words));
        drawList((await api.get(path)).items);
      }, { region, attrs: { class: "danger", testid: "category-quota-remove",
        "aria-label": t("quotas_remove_named", words) } }));
    }) : [h("li", { class: "muted" }, t("quotas_none_category"))]));
  };
  drawList(items);
  const role = select(ROLES.map((r) => [r, t(`role_${r}`)]), { testid: "category-quota-role" });
  const category = select(categories.map((c) => [c.code, c.name]),
    { testid: "category-quota-category" });
  const weekly = h("input", { type: "number", min: 0, max: 168, step: 1, inputmode: "numeric",
    testid: "category-quota-weekly" });
  const active = h("input", { type: "number", min: 0, max: 1000, step: 1, inputmode: "numeric",
    testid: "category-quota-active" });
  const save = actionButton(t("quotas_add"), async () => {
    const answer = await putQuota(`${path}/${role.value}?category=${
      encodeURIComponent(category.value)}`, { weekly_hours: limit(weekly),
      active_reservations: limit(active) });
    said(notice, t("quotas_saved_category", described(answer)));
    drawList((await api.get(path)).items);
  }, { region, attrs: { testid: "category-quota-save" } });
  return section("quota-categories", t("quotas_categories"),
    h("p", { class: "muted" }, t("quotas_categories_intro")), list,
    h("div", { class: "fields" }, field(t("quotas_role"), role),
      field(t("quotas_category"), category), field(t("quotas_weekly"), weekly),
      field(t("quotas_active"), active)),
    h("div", { class: "actions" }, save), region);
}
