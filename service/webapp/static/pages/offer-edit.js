// Drafting or editing an offer (the enterprise's staff): the school, the items, the windows
// each with its weekly grid (offer-grid.js), the terms; a new offer is POSTed, an edit PATCHed
// with If-Match (a stale edit is explained and reloaded), and bookings an edit would touch are
// listed and confirmed first. /offers/new?from_finding=&school_id= drafts from an idle item.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { confirmDialog, field, h, heading, loading, put, select } from "../ui.js";
import { addDays, today } from "../time.js";
import { load, saveWithEtag } from "../workspace.js";
import { cellMinutes, weekGrid } from "./offer-grid.js";
import { affectedList, failure, STATUSES } from "./offer-words.js";
import { checkbox, useStylesheet } from "./teach.js";

add({
  en: {
    edit_new_title: "New offer", edit_title: "Edit offer {id}",
    edit_school: "School", edit_items: "Items offered",
    edit_item_line: "{name} · {base} · {minutes}-minute slots",
    edit_windows: "Windows", edit_window: "Window {n}",
    edit_starts_on: "First day", edit_ends_on: "Last day (inclusive)",
    edit_add_window: "Add a window", edit_remove_window: "Remove window {n}",
    edit_terms: "Terms", edit_effective_from: "The change takes effect on",
    edit_effective_hint: "The school approved this offer: days before this one keep their "
      + "terms. Empty: tomorrow. The offer goes back to the school for approval.",
    edit_save: "Save", edit_drafting: "Drafting an offer from the idle item…",
    edit_no_items: "Choose at least one item.",
    edit_no_hours: "Mark at least one hour in window {n}.",
    edit_affected: "These bookings no longer fit the new terms. Those after the notice period "
      + "will be cancelled and their holders told; sooner ones stay. Save anyway?",
    edit_confirm: "Save and cancel them",
    edit_exists_link: "Open offer {id}",
    edit_no_fleet: "Your organisation has no equipment to offer yet.",
  },
  zh: {
    edit_new_title: "新建共享", edit_title: "修改共享 {id}",
    edit_school: "学校", edit_items: "共享的设备",
    edit_item_line: "{name} · {base} · {minutes} 分钟时间格",
    edit_windows: "时段窗口", edit_window: "窗口 {n}",
    edit_starts_on: "开始日期", edit_ends_on: "结束日期（含当天）",
    edit_add_window: "添加时段窗口", edit_remove_window: "删除窗口 {n}",
    edit_terms: "条件", edit_effective_from: "变更生效日期",
    edit_effective_hint: "学校已批准此共享：此日期之前的日子保留原条件。留空即为明天。共享将重新提交学校审核。",
    edit_save: "保存", edit_drafting: "正在根据闲置设备起草共享…",
    edit_no_items: "请至少选择一台设备。",
    edit_no_hours: "请在窗口 {n} 中至少选择一个小时。",
    edit_affected: "以下预约不再符合新的条件。通知期之后的预约将被取消并通知预约人；通知期内的保留。仍要保存吗？",
    edit_confirm: "保存并取消这些预约",
    edit_exists_link: "打开共享 {id}",
    edit_no_fleet: "贵机构尚无可共享的设备。",
  },
});

const TERMS = ["weekly_hours_budget", "requires_approval", "approval_hours", "supervisor_on_site",
  "supervisor_contact", "allowed_uses", "withdrawal_notice_days", "asks_back"];
const NEW_TERMS = { weekly_hours_budget: 10, requires_approval: false, approval_hours: 48,
  supervisor_on_site: false, supervisor_contact: "", allowed_uses: "",
  withdrawal_notice_days: 14, asks_back: "outcome_per_session" };

// Windows and items in one order, so an unchanged list compares equal to the loaded one.
const sameShape = (windows) => JSON.stringify(windows.map((w) => ({ starts_on: w.starts_on,
  ends_on: w.ends_on, spans: [...w.spans].sort((a, b) => a.weekday - b.weekday
    || a.opens.localeCompare(b.opens)).map((s) => [s.weekday, s.opens, s.closes]) })));
const sameItems = (items) => JSON.stringify([...items].sort((a, b) => a.equipment_id
  - b.equipment_id).map((i) => [i.equipment_id, i.value_per_hour ?? null]));

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "offers.css");
  const id = ctx.params.id ? Number(ctx.params.id) : null;
  const region = h("div", { "aria-live": "polite", testid: "edit-notice" });
  const finding = ctx.query.get("from_finding");
  if (!id && finding) {
    main.replaceChildren(heading(t("edit_new_title")), h("p", { role: "status" },
      t("edit_drafting")), region);
    try {
      const draft = await api.post(`/reports/idle/${encodeURIComponent(finding)}/draft-offer`,
        { school_id: Number(ctx.query.get("school_id")) });
      ctx.navigate(`/offers/${draft.id}/edit`, { replace: true });
    } catch (error) {
      region.replaceChildren(failure(error));
      if (error.body?.offer_id) {
        region.append(h("p", {}, h("a", { href: `/offers/${error.body.offer_id}`,
          testid: "existing-offer" }, t("edit_exists_link", { id: error.body.offer_id }))));
      }
    }
    return unlink;
  }

  main.replaceChildren(loading());
  const [fleet, schools] = await Promise.all([
    api.all("/equipment", { owner_organisation_id: ctx.me.organisation_id }),
    api.all("/organisations", { kind: "school", sort: "name" })]);
  let offer = null;
  let etag = null;
  let everApproved = false;
  if (id) {
    ({ body: offer, etag } = await load(`/offers/${id}`));
    const history = await api.get(`/offers/${id}/history`);
    everApproved = history.events.some((e) => e.to_status === "approved");
  }
  const grids = [];
  let form;
  const cleanupGrids = () => grids.splice(0).forEach((w) => w.grid.detach());

  function draw() {
    cleanupGrids();
    const source = offer || { ...NEW_TERMS, items: [], windows: [{ starts_on:
      addDays(today(fleet[0]?.timezone || "UTC"), 1), ends_on: addDays(today(
        fleet[0]?.timezone || "UTC"), 28), spans: [] }] };
    const inOffer = new Map(source.items.map((i) => [i.equipment_id, i]));
    const choosable = fleet.filter((e) => e.status !== "retired" || inOffer.has(e.id));
    const boxes = choosable.map((e) => h("input", { type: "checkbox", testid: "offer-item",
      dataset: { equipmentId: e.id, slot: e.slot_minutes, zone: e.timezone },
      checked: inOffer.has(e.id) }));
    const chosen = () => boxes.filter((b) => b.checked);
    const zoneOf = () => [...new Set((chosen().length ? chosen() : boxes)
      .map((b) => b.dataset.zone))].join(", ");
    const cell = () => cellMinutes(chosen().map((b) => Number(b.dataset.slot)));
    for (const box of boxes) {
      box.addEventListener("change", () => grids.forEach((w) => w.grid.setCell(cell())));
    }

    const school = offer ? h("span", { testid: "offer-school" }, offer.school_name)
      : select(schools.map((s) => [String(s.id), s.name]), { testid: "offer-school",
        value: ctx.query.get("school_id") || undefined });
    const windowsBox = h("div", { class: "windows" });
    const addWindow = (w) => {
      const starts = h("input", { type: "date", testid: "window-starts-on", value: w.starts_on,
        required: true });
      const ends = h("input", { type: "date", testid: "window-ends-on", value: w.ends_on,
        required: true });
      const grid = weekGrid({ spans: w.spans, cell: cell(), zone: zoneOf() });
      const legend = h("legend", {});
      const remove = h("button", { type: "button", class: "secondary", testid: "remove-window" });
      const entry = { starts, ends, grid, legend, remove };
      const box = h("fieldset", { class: "card window", testid: "offer-window" }, legend,
        h("div", { class: "fields" }, field(t("edit_starts_on"), starts),
          field(t("edit_ends_on"), ends)), grid.element, h("div", { class: "actions" }, remove));
      entry.box = box;
      remove.addEventListener("click", () => {
        if (grids.length === 1) return;
        grids.splice(grids.indexOf(entry), 1);
        grid.detach();
        box.remove();
        renumber();
        grids[0].legend.parentElement.querySelector("input")?.focus();
      });
      grids.push(entry);
      windowsBox.append(box);
      renumber();
      return entry;
    };
    const renumber = () => grids.forEach((w, i) => {
      w.legend.textContent = t("edit_window", { n: i + 1 });
      w.remove.textContent = t("edit_remove_window", { n: i + 1 });
      w.remove.hidden = grids.length === 1;
    });
    source.windows.forEach(addWindow);
    const more = h("button", { type: "button", class: "secondary", testid: "add-window" },
      t("edit_add_window"));
    more.addEventListener("click", () => {
      const last = grids[grids.length - 1];
      const from = last?.ends.value ? addDays(last.ends.value, 1) : addDays(today(
        fleet[0]?.timezone || "UTC"), 1);
      addWindow({ starts_on: from, ends_on: addDays(from, 27), spans: [] }).starts.focus();
    });

    const number = (testid, value, min, max) => h("input", { type: "number", testid, min, max,
      step: 1, value: String(value), required: true, inputmode: "numeric" });
    const budget = number("offer-budget", source.weekly_hours_budget, 1, 168);
    const approval = h("input", { type: "checkbox", testid: "offer-requires-approval",
      checked: source.requires_approval });
    const approvalHours = number("offer-approval-hours", source.approval_hours, 1, 720);
    const supervisor = h("input", { type: "checkbox", testid: "offer-supervisor-on-site",
      checked: source.supervisor_on_site });
    const contact = h("input", { type: "text", maxlength: 300, testid: "offer-supervisor-contact",
      value: source.supervisor_contact });
    const uses = h("textarea", { rows: 3, maxlength: 5000, testid: "offer-allowed-uses" });
    uses.value = source.allowed_uses;
    const notice = number("offer-notice-days", source.withdrawal_notice_days, 0, 365);
    const asks = select(["outcome_per_session", "monthly_summary"].map((k) =>
      [k, t(`offers_asks_${k}`)]), { testid: "offer-asks-back", value: source.asks_back });
    const effective = everApproved ? h("input", { type: "date", testid: "offer-effective-from",
      min: today(fleet[0]?.timezone || "UTC") }) : null;

    const collect = () => ({
      items: chosen().map((b) => ({ equipment_id: Number(b.dataset.equipmentId),
        value_per_hour: inOffer.get(Number(b.dataset.equipmentId))?.value_per_hour ?? null })),
      windows: grids.map((w) => ({ starts_on: w.starts.value, ends_on: w.ends.value,
        spans: w.grid.spans() })),
      weekly_hours_budget: Number(budget.value), requires_approval: approval.checked,
      approval_hours: Number(approvalHours.value), supervisor_on_site: supervisor.checked,
      supervisor_contact: contact.value.trim(), allowed_uses: uses.value.trim(),
      withdrawal_notice_days: Number(notice.value), asks_back: asks.value,
    });

    async function save(confirm = false) {
      region.replaceChildren();
      const body = collect();
      if (!body.items.length) throw Object.assign(new Error(t("edit_no_items")), { plain: true });
      const empty = body.windows.findIndex((w) => !w.spans.length);
      if (empty >= 0) {
        throw Object.assign(new Error(t("edit_no_hours", { n: empty + 1 })), { plain: true });
      }
      if (!offer) {
        const made = await api.post("/offers", { school_id: Number(school.value), ...body });
        await ctx.navigate(`/offers/${made.id}`);
        return;
      }
      // Only what changed: an approved offer's unchanged windows and items stay as they are.
      const changes = {};
      for (const key of TERMS) if (body[key] !== offer[key]) changes[key] = body[key];
      if (sameShape(body.windows) !== sameShape(offer.windows)) changes.windows = body.windows;
      if (sameItems(body.items) !== sameItems(offer.items)) changes.items = body.items;
      if (effective?.value) changes.effective_from = effective.value;
      const path = `/offers/${id}${confirm ? "?confirm=true" : ""}`;
      try {
        await saveWithEtag(path, changes, etag, { reload: async () => {
          ({ body: offer, etag } = await load(`/offers/${id}`));
          draw();
        } });
      } catch (error) {
        if (error.code !== "bookings_affected") throw error;
        const names = new Map(fleet.map((e) => [e.id, e.name]));
        const go = await confirmDialog(t("edit_affected"), { ok: t("edit_confirm"),
          extra: affectedList(error.body.affected_reservations || [], {
            itemName: (i) => names.get(i) || `#${i}`, testid: "edit-affected" }) });
        if (go) await save(true);
        return;
      }
      await ctx.navigate(`/offers/${id}`);
    }

    const saveButton = h("button", { type: "submit", testid: "offer-save" }, t("edit_save"));
    form = h("form", { class: "offer-form", novalidate: true },
      h("section", { class: "card" }, offer ? h("p", {}, h("strong", {}, t("edit_school")), " ",
        school) : field(t("edit_school"), school)),
      h("fieldset", { class: "card items" }, h("legend", {}, t("edit_items")),
        choosable.length ? choosable.map((e, i) => checkbox(boxes[i], t("edit_item_line", {
          name: e.name, base: e.base_name, minutes: e.slot_minutes })))
          : h("p", { class: "muted" }, t("edit_no_fleet"))),
      h("h2", {}, t("edit_windows")), windowsBox, h("div", { class: "actions" }, more),
      h("fieldset", { class: "card terms" }, h("legend", {}, t("edit_terms")),
        effective ? [field(t("edit_effective_from"), effective),
          h("p", { class: "hint" }, t("edit_effective_hint"))] : null,
        h("div", { class: "fields" }, field(t("offers_term_budget"), budget),
          field(t("offers_term_approval_hours"), approvalHours)),
        checkbox(approval, t("offers_term_approval")),
        checkbox(supervisor, t("offers_term_supervisor")),
        field(t("offers_term_contact"), contact), field(t("offers_term_uses"), uses),
        h("div", { class: "fields" }, field(t("offers_term_notice"), notice),
          field(t("offers_term_asks_back"), asks))),
      h("div", { class: "actions" }, saveButton));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (saveButton.disabled) return;
      saveButton.disabled = true;
      try {
        await save();
      } catch (error) {
        region.replaceChildren(error.plain ? h("p", { class: "banner", role: "alert",
          testid: "error" }, error.message) : failure(error));
        region.scrollIntoView({ block: "nearest" });
      } finally {
        saveButton.disabled = false;
      }
    });
    put(main, heading(offer ? t("edit_title", { id: offer.id }) : t("edit_new_title")),
      offer ? h("p", { class: "muted" }, t(`status_${STATUSES.includes(offer.status)
        ? offer.status : "draft"}`)) : null, region, form);
  }

  draw();
  return () => {
    cleanupGrids();
    unlink();
  };
}
