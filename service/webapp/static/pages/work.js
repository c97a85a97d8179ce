// The workspace's front page: what an enterprise's staff, a school's admin or the operator
// keeps on BenchShare, one card per section with a line on what it is for.

import { add, t } from "../i18n.js";
import { h, heading } from "../ui.js";

add({
  en: {
    work_title: "Workspace",
    work_intro_enterprise_staff: "{org}: your equipment, what you offer to schools and what "
      + "you get back.",
    work_intro_admin: "{org}: offers from enterprises, your bases, equipment and people.",
    work_intro_operator: "The platform: organisations, shared vocabularies and figures.",
    work_fleet: "Fleet", work_fleet_text: "Every item, how much it is used, offered or idle.",
    work_offers: "Offers", work_offers_text_enterprise_staff: "Draft, edit, submit and "
      + "withdraw offers of idle equipment.",
    work_offers_text_admin: "Offers addressed to your school: review, approve or reject.",
    work_approvals: "Requests", work_approvals_text: "Bookings waiting for your decision, "
      + "with their deadlines.",
    work_received: "Outcomes received", work_received_text: "What sessions on your equipment "
      + "taught, per offer, school and month.",
    work_impact: "Impact and statement", work_impact_text: "Your contribution per year, "
      + "printable, with each month's confirmation.",
    work_partners: "Partners", work_partners_text: "What each enterprise gave your school; "
      + "months to confirm.",
    work_bases: "Training bases", work_bases_text: "Opening hours, closures, co-owners, "
      + "equipment and QR labels.",
    work_people: "People", work_people_text: "Accounts, roles and who may sign in.",
    work_import: "Import", work_import_text: "People and equipment from a spreadsheet: "
      + "checked first, then all at once.",
    work_classes: "Classes", work_classes_text: "Your school's classes and their students.",
    work_sign_on: "Sign-on", work_sign_on_text: "Sign your people on with your own "
      + "accounts (OpenID Connect).",
    work_quotas: "Quotas", work_quotas_text: "How much each role may book, per category.",
    work_qualifications: "Qualifications", work_qualifications_text: "Who may use which "
      + "category of equipment.",
    work_organisations: "Organisations", work_organisations_text: "Onboard a school or an "
      + "enterprise with its first admin or manager.",
    work_vocabulary: "Vocabularies", work_vocabulary_text: "Equipment categories and skill "
      + "tags, in English and Chinese.",
    work_dashboard: "Dashboard", work_dashboard_text: "Utilisation, heat map, idle equipment.",
  },
  zh: {
    work_title: "工作台",
    work_intro_enterprise_staff: "{org}：您的设备、向学校提供的共享及获得的回报。",
    work_intro_admin: "{org}：企业的共享申请，以及本校的基地、设备和人员。",
    work_intro_operator: "平台：机构、共享词表和数据。",
    work_fleet: "设备总览", work_fleet_text: "每台设备的使用率、是否已共享或闲置。",
    work_offers: "设备共享", work_offers_text_enterprise_staff: "起草、修改、提交和撤回闲置设备共享。",
    work_offers_text_admin: "发给本校的共享：审核、批准或拒绝。",
    work_approvals: "预约申请", work_approvals_text: "等待您决定的预约及其截止时间。",
    work_received: "收到的成果", work_received_text: "在您的设备上开展的教学成果，按共享、学校和月份查看。",
    work_impact: "影响与贡献证明", work_impact_text: "每年的贡献（可打印），附每月的确认状态。",
    work_partners: "合作企业", work_partners_text: "各企业为本校提供的资源；待确认的月份。",
    work_bases: "实训基地", work_bases_text: "开放时间、闭馆日、共建方、设备与二维码标签。",
    work_people: "人员", work_people_text: "账号、角色以及谁可以登录。",
    work_import: "导入", work_import_text: "从表格导入人员和设备：先检查，再一次性导入。",
    work_classes: "班级", work_classes_text: "本校的班级及其学生。",
    work_sign_on: "统一登录", work_sign_on_text: "让您的人员使用本单位账号登录（OpenID Connect）。",
    work_quotas: "配额", work_quotas_text: "各角色可预约的上限（可按设备类别）。",
    work_qualifications: "资质", work_qualifications_text: "谁可以使用哪类设备。",
    work_organisations: "机构", work_organisations_text: "为学校或企业开通账号及其首位管理员。",
    work_vocabulary: "词表", work_vocabulary_text: "设备类别和技能标签（中英文）。",
    work_dashboard: "数据看板", work_dashboard_text: "使用率、热力图、闲置设备。",
  },
});

// [path, section key, roles, text key (default `${key}_text`)]; a manager also keeps people.
const SECTIONS = [
  ["/fleet", "work_fleet", ["enterprise_staff"]],
  ["/offers", "work_offers", ["enterprise_staff", "admin"], (me) => `work_offers_text_${me.role}`],
  ["/approvals", "work_approvals", ["enterprise_staff", "admin"]],
  ["/received", "work_received", ["enterprise_staff"]],
  ["/impact", "work_impact", ["enterprise_staff"]],
  ["/partners", "work_partners", ["admin"]],
  ["/bases", "work_bases", ["enterprise_staff", "admin"]],
  ["/people", "work_people", ["admin", "manager"]],
  ["/people/import", "work_import", ["admin", "manager"]],
  ["/classes", "work_classes", ["admin"]],
  ["/sign-on", "work_sign_on", ["admin", "manager"]],
  ["/quotas", "work_quotas", ["admin"]],
  ["/qualifications", "work_qualifications", ["admin"]],
  ["/organisations", "work_organisations", ["operator"]],
  ["/vocabulary", "work_vocabulary", ["operator"]],
  ["/dashboard", "work_dashboard", ["enterprise_staff", "admin", "operator"]],
];

function mayOpen(me, roles) {
  return roles.includes(me.role) || (roles.includes("manager") && me.is_manager);
}

export async function render(main, { me }) {
  const cards = SECTIONS.filter(([, , roles]) => mayOpen(me, roles)).map(
    ([path, key, , text]) => h("li", { class: "card", testid: `work-${path.slice(1)}` },
      h("h2", {}, h("a", { href: path }, t(key))),
      h("p", { class: "muted" }, t(text ? text(me) : `${key}_text`))));
  main.replaceChildren(h("section", { testid: "work" },
    heading(t("work_title")),
    h("p", {}, t(`work_intro_${me.role}`, { org: me.organisation_name || "" })),
    h("ul", { class: "work-sections" }, ...cards)));
}
