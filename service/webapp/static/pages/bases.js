// The training bases an organisation runs or co-owns, each linking to its page, and (for a
// school's admin or an enterprise's manager) a form to add one.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, field, h, heading, select } from "../ui.js";
import { dataTable } from "../workspace.js";
import { managesOrganisation, section } from "./school-words.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    bases_title: "Training bases", bases_caption: "Bases your organisation runs or co-owns",
    bases_name: "Name", bases_kind: "Kind", bases_zone: "Time zone", bases_address: "Address",
    bases_role: "Yours as", bases_runs: "runs it", bases_co_owns: "co-owner",
    kind_campus: "Campus", kind_enterprise: "Enterprise", kind_co_built: "Co-built",
    bases_new: "Add a training base", bases_create: "Add the base",
  },
  zh: {
    bases_title: "实训基地", bases_caption: "贵机构管理或共建的基地",
    bases_name: "名称", bases_kind: "类型", bases_zone: "时区", bases_address: "地址",
    bases_role: "贵机构身份", bases_runs: "管理方", bases_co_owns: "共建方",
    kind_campus: "校内", kind_enterprise: "企业", kind_co_built: "共建",
    bases_new: "新增实训基地", bases_create: "新增基地",
  },
});

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "school.css");
  const mine = ctx.me.organisation_id;
  const bases = (await api.all("/training-bases", { sort: "name" }))
    .filter((b) => b.organisation_id === mine || b.co_owner_ids.includes(mine));
  const table = dataTable({
    caption: t("bases_caption"), testid: "bases", sort: { key: "name", descending: false },
    columns: [
      { key: "name", label: t("bases_name"),
        cell: (b) => h("a", { href: `/bases/${b.id}`, testid: "base-link" }, b.name) },
      { key: "kind", label: t("bases_kind"), value: (b) => t(`kind_${b.kind}`) },
      { key: "role", label: t("bases_role"),
        value: (b) => t(b.organisation_id === mine ? "bases_runs" : "bases_co_owns") },
      { key: "timezone", label: t("bases_zone") },
      { key: "address", label: t("bases_address") },
    ],
    rows: bases, rowAttrs: (b) => ({ testid: "base-row", dataset: { baseId: b.id } }),
  });
  main.replaceChildren(heading(t("bases_title")), table);
  if (managesOrganisation(ctx.me)) main.append(createForm(ctx));
  return unlink;
}

function createForm(ctx) {
  const name = h("input", { type: "text", required: true, maxlength: 200, testid: "base-name" });
  const kind = select(["campus", "enterprise", "co_built"].map((k) => [k, t(`kind_${k}`)]),
    { testid: "base-kind", value: ctx.me.role === "admin" ? "campus" : "enterprise" });
  const zone = h("input", { type: "text", required: true, maxlength: 64, testid: "base-zone",
    value: Intl.DateTimeFormat().resolvedOptions().timeZone || "Asia/Shanghai" });
  const address = h("input", { type: "text", maxlength: 500, testid: "base-address" });
  const region = h("div", { "aria-live": "polite" });
  const create = actionButton(t("bases_create"), async () => {
    const base = await api.post("/training-bases", { name: name.value.trim(), kind: kind.value,
      timezone: zone.value.trim(), address: address.value.trim() });
    await ctx.navigate(`/bases/${base.id}`);
  }, { region, attrs: { testid: "base-create" } });
  return section("bases-new", t("bases_new"),
    h("div", { class: "fields" }, field(t("bases_name"), name), field(t("bases_kind"), kind),
      field(t("bases_zone"), zone), field(t("bases_address"), address)),
    h("div", { class: "actions" }, create), region);
}
