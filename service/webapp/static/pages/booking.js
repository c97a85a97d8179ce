// One reservation: its item, times in the item's zone, status, actions and history.

import * as api from "../api.js";
import { actionButtons, doneText, stateNote } from "../bookings.js";
import { add, t } from "../i18n.js";
import { formatInstant, formatSpan } from "../time.js";
import { banner, h, heading, loading, statusBadge, put } from "../ui.js";

add({
  en: {
    bk_title: "Booking #{id}", bk_item: "Item", bk_when: "When", bk_status: "Status",
    bk_holder: "Holder", bk_purpose: "Purpose", bk_checked_in: "Checked in",
    bk_checked_out: "Checked out", bk_decide_by: "Decision due", bk_hold: "Offer held until",
    bk_attendees: "Attendees", bk_history: "History", bk_created: "created",
    bk_event: "{from} → {to}", bk_outcome: "Record the outcome", bk_attendance: "Attendance",
  },
  zh: {
    bk_title: "预约 #{id}", bk_item: "设备", bk_when: "时间", bk_status: "状态",
    bk_holder: "预约人", bk_purpose: "用途", bk_checked_in: "签到时间",
    bk_checked_out: "签退时间", bk_decide_by: "审批截止", bk_hold: "候补保留至",
    bk_attendees: "参与人员", bk_history: "记录", bk_created: "创建",
    bk_event: "{from} → {to}", bk_outcome: "记录成果", bk_attendance: "考勤",
  },
});

const fact = (label, ...value) => [h("dt", {}, label), h("dd", {}, ...value)];

export async function render(main, ctx) {
  const { me } = ctx;
  const id = Number(ctx.params.id);
  put(main, loading());
  const [r, history] = await Promise.all([
    api.get(`/reservations/${id}`),
    api.get(`/reservations/${id}/history`).catch(() => null),
  ]);
  const zone = r.timezone;
  const errors = h("div", { "aria-live": "polite" });
  const note = stateNote(r, me);
  const staff = ["instructor", "admin"].includes(me.role);
  put(main, 
    heading(t("bk_title", { id: r.id })), errors,
    h("section", { class: "card", testid: "booking-detail", dataset: { status: r.status } },
      h("dl", { class: "facts" },
        fact(t("bk_item"), h("a", { href: `/equipment/${r.equipment_id}`, testid: "item-link" },
          r.equipment_name)),
        fact(t("bk_when"), formatSpan(r.starts_at, r.ends_at, zone)),
        fact(t("bk_status"), statusBadge(r.status)),
        r.holder_id !== me.id ? fact(t("bk_holder"), r.holder_name) : null,
        r.purpose ? fact(t("bk_purpose"), r.purpose) : null,
        r.checked_in_at ? fact(t("bk_checked_in"), formatInstant(r.checked_in_at, zone)) : null,
        r.checked_out_at ? fact(t("bk_checked_out"), formatInstant(r.checked_out_at, zone))
          : null,
        r.decide_by && r.status === "pending" ? fact(t("bk_decide_by"),
          formatInstant(r.decide_by, zone)) : null,
        r.hold_expires_at ? fact(t("bk_hold"), formatInstant(r.hold_expires_at, zone)) : null,
        r.attendees?.length ? fact(t("bk_attendees"),
          r.attendees.map((a) => a.full_name || a.name || `#${a.id ?? a}`).join(", ")) : null),
      note ? h("p", { class: "muted", testid: "booking-note" }, note) : null,
      h("div", { class: "actions" },
        actionButtons(r, me, { region: errors, onDone: async (action) => {
          await ctx.refresh();
          main.querySelector("h1")?.after(banner(doneText(action), { kind: "ok",
            testid: "done" }));
        } }),
        r.status === "completed" ? h("a", { href: `/outcomes/new/${r.id}`,
          class: "button secondary" }, t("bk_outcome")) : null,
        staff && r.attendees?.length ? h("a", { href: `/attendance/${r.id}`,
          class: "button secondary" }, t("bk_attendance")) : null)),
    history ? h("section", { class: "card", "aria-labelledby": "h-history" },
      h("h2", { id: "h-history" }, t("bk_history")),
      h("ol", { class: "list", testid: "history" }, history.events.map((event) =>
        h("li", {}, h("div", { class: "muted" }, formatInstant(event.at, zone)),
          h("div", {}, t("bk_event", {
            from: event.from_status ? t(`status_${event.from_status}`) : t("bk_created"),
            to: t(`status_${event.to_status}`) })),
          event.reason ? h("div", {}, event.reason) : null)))) : null);
}
