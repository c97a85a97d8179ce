// One training base: its opening hours (today's week, the changes scheduled, a new week from a
// chosen day), closures, co-owners of a co-built base, its equipment (each linking to its edit
// page when the organisation owns it) and, for a school's admin, its QR label sheet. Every
// change of the base sends the ETag it was drawn from (a stale one is explained and redrawn).

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, confirmDialog, field, h, heading, put, select } from "../ui.js";
import { formatDate, today } from "../time.js";
import { dataTable, failure, load, saveWithEtag } from "../workspace.js";
import { hoursSection } from "./base-hours.js";
import { managesOrganisation, said, section } from "./school-words.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    base_zone: "Time zone", base_address: "Address", base_runs: "Run by",
    base_labels: "Print QR labels",
    closures_title: "Closures", closures_caption: "Closures from today on",
    closure_days: "Days", closure_reason: "Reason", closure_from: "First closed day",
    closure_to: "Last closed day", closure_add: "Add the closure", closure_remove: "Remove",
    closure_remove_named: "Remove the closure {days}",
    closure_remove_confirm: "Remove the closure {days} ({reason})?",
    closure_added: "Closed {days}.", closure_removed: "Closure removed.",
    co_title: "Co-owners", co_hint: "Organisations that co-own this co-built base may place "
      + "their equipment here.", co_none: "No co-owner.", co_add: "Add co-owner",
    co_pick: "Organisation", co_remove: "Remove", co_remove_named: "Remove {name} as co-owner",
    co_saved: "Co-owners saved.",
    items_title: "Equipment", items_caption: "Equipment at this base",
    items_name: "Name", items_tag: "Asset tag", items_owner: "Owner", items_status: "Status",
    items_edit: "Edit", items_edit_named: "Edit {name}",
  },
  zh: {
    base_zone: "时区", base_address: "地址", base_runs: "管理机构",
    base_labels: "打印二维码标签",
    closures_title: "闭馆日", closures_caption: "今天及以后的闭馆",
    closure_days: "日期", closure_reason: "原因", closure_from: "闭馆首日",
    closure_to: "闭馆末日", closure_add: "添加闭馆", closure_remove: "删除",
    closure_remove_named: "删除闭馆 {days}", closure_remove_confirm: "删除闭馆 {days}（{reason}）？",
    closure_added: "已设置闭馆：{days}。", closure_removed: "已删除闭馆。",
    co_title: "共建方", co_hint: "共建基地的共建方可以在此放置其设备。", co_none: "没有共建方。",
    co_add: "添加共建方", co_pick: "机构", co_remove: "移除", co_remove_named: "移除共建方 {name}",
    co_saved: "共建方已保存。",
    items_title: "设备", items_caption: "本基地的设备",
    items_name: "名称", items_tag: "资产编号", items_owner: "所有方", items_status: "状态",
    items_edit: "编辑", items_edit_named: "编辑 {name}",
  },
});

const days = (c) => (c.starts_on === c.ends_on ? formatDate(c.starts_on)
  : `${formatDate(c.starts_on)} – ${formatDate(c.ends_on)}`);

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "school.css");
  const id = Number(ctx.params.id);
  const path = `/training-bases/${id}`;
  const notice = h("div", { "aria-live": "polite", testid: "base-notice" });
  const body = h("div");
  const [organisations, items] = await Promise.all([
    api.all("/organisations", { sort: "name" }),
    api.all("/equipment", { base_id: id, sort: "name" })]);
  const orgName = new Map(organisations.map((o) => [o.id, o.name]));
  let base;
  let etag;

  async function draw() {
    ({ body: base, etag } = await load(path));
    const runs = managesOrganisation(ctx.me) && base.organisation_id === ctx.me.organisation_id;
    const closures = await api.all(`${path}/closures`, { from: today(base.timezone),
      sort: "starts_on" });
    // Every change of the base is a PATCH from the ETag this drawing came from.
    // A refusal is said beside the button (`region`); a stale edit redraws the whole page,
    // so that and a success are said at the top.
    const patch = async (changes, done, region = notice) => {
      notice.replaceChildren();
      try {
        await saveWithEtag(path, changes, etag, { reload: draw });
      } catch (error) {
        (error?.stale ? notice : region).replaceChildren(failure(error,
          { timezone: base.timezone }));
        if (error?.stale) notice.scrollIntoView({ block: "nearest" });
        return;
      }
      await draw();
      said(notice, done);
      notice.scrollIntoView({ block: "nearest" });
    };
    const hoursRegion = h("div", { "aria-live": "polite" });
    put(body,
      h("dl", { class: "facts", testid: "base-facts" },
        h("dt", {}, t("base_runs")), h("dd", {}, orgName.get(base.organisation_id) || ""),
        h("dt", {}, t("base_zone")), h("dd", {}, base.timezone),
        h("dt", {}, t("base_address")), h("dd", {}, base.address || "–")),
      ctx.me.role === "admin" && base.organisation_id === ctx.me.organisation_id
        ? h("p", {}, h("a", { href: `/labels/${id}`, class: "button secondary",
          testid: "base-labels" }, t("base_labels"))) : null,
      hoursSection(base, { editable: runs, region: hoursRegion,
        save: (changes, from) => patch(changes, t("hours_saved", { date: formatDate(from) }),
          hoursRegion) }),
      closuresSection(base, closures, runs, notice, draw),
      base.kind === "co_built" || base.co_owner_ids.length
        ? coOwnersSection(base, organisations, orgName, runs, patch) : null,
      itemsSection(items, orgName, ctx.me));
  }

  await draw();
  main.replaceChildren(heading(base.name), notice, body);
  return unlink;
}

function closuresSection(base, closures, runs, notice, draw) {
  const path = `/training-bases/${base.id}/closures`;
  const rows = dataTable({
    caption: t("closures_caption"), testid: "closures",
    columns: [
      { key: "starts_on", label: t("closure_days"), cell: days },
      { key: "reason", label: t("closure_reason") },
      ...(runs ? [{ key: "remove", label: t("closure_remove"), sortable: false,
        cell: (c) => actionButton(t("closure_remove"), async () => {
          if (!await confirmDialog(t("closure_remove_confirm", { days: days(c),
            reason: c.reason }))) return;
          await api.del(`${path}/${c.id}`);
          await draw();
          said(notice, t("closure_removed"));
        }, { region: notice, attrs: { class: "secondary", testid: "closure-remove",
          "aria-label": t("closure_remove_named", { days: days(c) }) } }) }] : []),
    ],
    rows: closures, rowAttrs: (c) => ({ testid: "closure-row", dataset: { closureId: c.id,
      startsOn: c.starts_on, endsOn: c.ends_on } }),
  });
  if (!runs) return section("closures-title", t("closures_title"), rows);
  const first = today(base.timezone);
  const from = h("input", { type: "date", min: first, required: true, testid: "closure-from" });
  const to = h("input", { type: "date", min: first, required: true, testid: "closure-to" });
  from.addEventListener("change", () => { if (!to.value || to.value < from.value) to.value = from.value; });
  const reason = h("input", { type: "text", maxlength: 500, required: true,
    testid: "closure-reason" });
  const region = h("div", { "aria-live": "polite" });
  const addButton = actionButton(t("closure_add"), async () => {
    const made = await api.post(path, { starts_on: from.value, ends_on: to.value || from.value,
      reason: reason.value.trim() });
    await draw();
    said(notice, t("closure_added", { days: days(made) }));
  }, { region, attrs: { testid: "closure-add" }, context: { timezone: base.timezone } });
  return section("closures-title", t("closures_title"), rows,
    h("div", { class: "fields" }, field(t("closure_from"), from), field(t("closure_to"), to),
      field(t("closure_reason"), reason)),
    h("div", { class: "actions" }, addButton), region);
}

function coOwnersSection(base, organisations, orgName, runs, patch) {
  const owners = base.co_owner_ids;
  const list = h("ul", { class: "list", testid: "co-owners" }, owners.length
    ? owners.map((oid) => h("li", { class: "row spread", testid: "co-owner",
      dataset: { organisationId: oid } }, h("span", {}, orgName.get(oid) || `#${oid}`),
    runs ? actionButton(t("co_remove"), () => patch({ co_owner_ids: owners.filter((o) => o !== oid) },
      t("co_saved")), { attrs: { class: "secondary", testid: "co-owner-remove",
      "aria-label": t("co_remove_named", { name: orgName.get(oid) || "" }) } }) : null))
    : [h("li", { class: "muted" }, t("co_none"))]);
  const parts = [h("p", { class: "muted" }, t("co_hint")), list];
  if (runs) {
    const candidates = organisations.filter((o) => ["school", "enterprise"].includes(o.kind)
      && o.id !== base.organisation_id && !owners.includes(o.id));
    const pick = select(candidates.map((o) => [String(o.id), o.name]), { testid: "co-owner-pick" });
    parts.push(h("div", { class: "fields" }, field(t("co_pick"), pick)),
      h("div", { class: "actions" }, actionButton(t("co_add"), () => patch({
        co_owner_ids: [...owners, Number(pick.value)] }, t("co_saved")),
      { attrs: { testid: "co-owner-add", disabled: !candidates.length } })));
  }
  return section("co-title", t("co_title"), ...parts);
}

function itemsSection(items, orgName, me) {
  return section("items-title", t("items_title"), dataTable({
    caption: t("items_caption"), testid: "base-items", sort: { key: "name", descending: false },
    columns: [
      { key: "name", label: t("items_name"), cell: (e) => h("a", { href: `/equipment/${e.id}` },
        e.name) },
      { key: "asset_tag", label: t("items_tag") },
      { key: "owner", label: t("items_owner"), value: (e) => orgName.get(e.owner_organisation_id)
        || e.owner_name },
      { key: "status", label: t("items_status"), value: (e) => t(`equipment_status_${e.status}`) },
      { key: "edit", label: t("items_edit"), sortable: false,
        cell: (e) => (e.owner_organisation_id === me.organisation_id
          ? h("a", { href: `/equipment/${e.id}/edit`, testid: "base-item-edit",
            "aria-label": t("items_edit_named", { name: e.name }) }, t("items_edit")) : "–") },
    ],
    rows: items, rowAttrs: (e) => ({ testid: "base-item", dataset: { equipmentId: e.id } }),
  }));
}
