// An item's blackouts (maintenance, exams): those not over yet, lifting one, and adding one
// in the base's wall time. A blackout over bookings is first refused (409 blackout_conflict):
// the bookings it would cancel are listed, by whom and when, before the owner confirms.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, banner, confirmDialog, field, h, statusBadge } from "../ui.js";
import { formatSpan, isoInZone, now, zonedToInstant } from "../time.js";
import { dataTable } from "../workspace.js";
import { said, section } from "./school-words.js";

add({
  en: {
    bo_title: "Blackouts", bo_caption: "Blackouts not over yet",
    bo_when: "When", bo_reason: "Reason", bo_remove: "Lift", bo_remove_named: "Lift the "
      + "blackout {span}", bo_remove_confirm: "Lift the blackout {span}?",
    bo_from: "From", bo_to: "Until", bo_add: "Add the blackout",
    bo_zone: "Times are local to the base ({zone}).",
    bo_conflict: "{count} booking(s) fall inside this blackout. Adding it cancels them and "
      + "tells each holder why:",
    bo_cancel_them: "Cancel them and add the blackout", bo_keep: "Keep the bookings",
    bo_added: "Blackout added.", bo_added_cancelled: "Blackout added; {count} booking(s) "
      + "cancelled.", bo_removed: "Blackout lifted.", bo_fill: "Give the start, the end and "
      + "a reason.",
  },
  zh: {
    bo_title: "停用时段", bo_caption: "尚未结束的停用时段",
    bo_when: "时间", bo_reason: "原因", bo_remove: "解除", bo_remove_named: "解除停用 {span}",
    bo_remove_confirm: "解除停用 {span}？",
    bo_from: "开始", bo_to: "结束", bo_add: "添加停用时段",
    bo_zone: "时间为基地当地时间（{zone}）。",
    bo_conflict: "该停用时段内有 {count} 个预约。添加后将取消这些预约，并告知预约人原因：",
    bo_cancel_them: "取消这些预约并添加停用", bo_keep: "保留预约",
    bo_added: "已添加停用时段。", bo_added_cancelled: "已添加停用时段；已取消 {count} 个预约。",
    bo_removed: "已解除停用。", bo_fill: "请填写开始、结束时间和原因。",
  },
});

// "2026-12-10T09:00" of a datetime-local input, read in the base's zone, as ISO with offset.
const instantOf = (value, zone) => isoInZone(zonedToInstant(value.slice(0, 10),
  value.slice(11, 16), zone), zone);

// The bookings a refused blackout lists, with their holders where the owner may read them.
async function affectedList(conflicting, zone) {
  const known = await Promise.all(conflicting.map((c) => api.get(`/reservations/${c.reservation_id}`)
    .catch(() => null)));
  return h("ul", { class: "list affected", testid: "blackout-affected-list" },
    conflicting.map((c, i) => h("li", { testid: "blackout-affected",
      dataset: { reservationId: c.reservation_id } },
    h("span", {}, formatSpan(c.starts_at, c.ends_at, zone)), " ",
    known[i] ? h("strong", {}, known[i].holder_name) : null, " ", statusBadge(c.status))));
}

export async function blackoutsSection(item, { editable, notice }) {
  const zone = item.timezone;
  const path = `/equipment/${item.id}/blackouts`;
  const holder = section("bo-title", t("bo_title"));

  async function draw() {
    const { items } = await api.get(path, { from: new Date(now()).toISOString() });
    const span = (b) => formatSpan(b.starts_at, b.ends_at, zone);
    const table = dataTable({
      caption: t("bo_caption"), testid: "blackouts",
      columns: [
        { key: "starts_at", label: t("bo_when"), cell: span },
        { key: "reason", label: t("bo_reason") },
        ...(editable ? [{ key: "remove", label: t("bo_remove"), sortable: false,
          cell: (b) => actionButton(t("bo_remove"), async () => {
            if (!await confirmDialog(t("bo_remove_confirm", { span: span(b) }))) return;
            await api.del(`${path}/${b.id}`);
            await draw();
            said(notice, t("bo_removed"));
          }, { region: notice, attrs: { class: "secondary", testid: "blackout-remove",
            "aria-label": t("bo_remove_named", { span: span(b) }) }, context: { timezone: zone } }),
        }] : []),
      ],
      rows: items, rowAttrs: (b) => ({ testid: "blackout-row", dataset: { blackoutId: b.id } }),
    });
    holder.replaceChildren(holder.firstChild, h("p", { class: "muted" }, t("bo_zone", { zone })),
      table, editable ? form() : null);
  }

  function form() {
    const from = h("input", { type: "datetime-local", step: 60, required: true,
      testid: "blackout-from" });
    const to = h("input", { type: "datetime-local", step: 60, required: true,
      testid: "blackout-to" });
    const reason = h("input", { type: "text", maxlength: 500, required: true,
      testid: "blackout-reason" });
    const region = h("div", { "aria-live": "polite", testid: "blackout-region" });
    const submit = actionButton(t("bo_add"), async () => {
      if (!from.value || !to.value || !reason.value.trim()) {
        region.replaceChildren(banner(t("bo_fill")));
        return;
      }
      const body = { starts_at: instantOf(from.value, zone), ends_at: instantOf(to.value, zone),
        reason: reason.value.trim() };
      let cancelled = 0;
      try {
        await api.post(path, body);
      } catch (error) {
        const conflicting = error?.body?.conflicting_reservations;
        if (error?.code !== "blackout_conflict" || !conflicting) throw error;
        const extra = await affectedList(conflicting, zone);
        if (!await confirmDialog(t("bo_conflict", { count: conflicting.length }),
          { ok: t("bo_cancel_them"), cancel: t("bo_keep"), extra })) return;
        await api.post(path, { ...body, cancel_conflicting: true });
        cancelled = conflicting.length;
      }
      await draw();
      said(notice, cancelled ? t("bo_added_cancelled", { count: cancelled }) : t("bo_added"));
    }, { region, attrs: { testid: "blackout-add" }, context: { timezone: zone } });
    return h("div", {}, h("div", { class: "fields" }, field(t("bo_from"), from),
      field(t("bo_to"), to), field(t("bo_reason"), reason)),
    h("div", { class: "actions" }, submit), region);
  }

  await draw();
  return holder;
}
