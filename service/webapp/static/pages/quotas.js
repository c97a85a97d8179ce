// A school's booking quotas per role (students, admins; instructors are exempt): hours per
// week and active bookings at once, each left empty for no limit.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, field, h, heading } from "../ui.js";
import { said, section } from "./school-words.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    quotas_title: "Quotas", quotas_intro: "How much each role may book. Leave a box empty "
      + "for no limit; instructors have none.",
    quotas_weekly: "Hours per week (Monday to Sunday)", quotas_active: "Active bookings at once",
    quotas_save: "Save", quotas_save_named: "Save the quota of the role {role}",
    quotas_saved: "{role}: {weekly}; {active}.", quotas_hours: "{n} h a week",
    quotas_bookings: "{n} bookings at once", quotas_no_limit: "no limit",
  },
  zh: {
    quotas_title: "配额", quotas_intro: "各角色可预约的上限。留空表示不限；教师不受限制。",
    quotas_weekly: "每周小时数（周一至周日）", quotas_active: "同时有效的预约数",
    quotas_save: "保存", quotas_save_named: "保存{role}的配额",
    quotas_saved: "{role}：{weekly}；{active}。", quotas_hours: "每周 {n} 小时",
    quotas_bookings: "同时 {n} 个预约", quotas_no_limit: "不限",
  },
});

const ROLES = ["student", "admin"];

// api.js has no PUT (quotas are its only use): the same bearer token and problem+json.
async function putQuota(path, body) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method: "PUT", body: JSON.stringify(body),
      headers: { Accept: "application/json", "Content-Type": "application/json",
        Authorization: `Bearer ${api.token()}` } });
  } catch (error) {
    throw new api.ApiError(0, { status: 0, code: "network", detail: String(error) });
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new api.ApiError(response.status, answer);
  return answer;
}
const limit = (input) => (input.value.trim() === "" ? null : Number(input.value));

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "school.css");
  const path = `/organisations/${ctx.me.organisation_id}/quotas`;
  const notice = h("div", { "aria-live": "polite", testid: "quotas-notice" });
  const { items } = await api.get(path);
  const cards = ROLES.map((role) => {
    const quota = items.find((q) => q.role === role) || {};
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
    t("quotas_intro")), notice, ...cards);
  return unlink;
}
