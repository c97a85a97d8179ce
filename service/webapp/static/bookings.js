// One reservation's next action, as home, the booking page and the item page (the QR target)
// offer it: check in while the window is open (server time), check out, cancel, take up a
// waitlist offer before its hold lapses; "awaiting approval until ..." for a request.

import * as api from "./api.js";
import { add, t } from "./i18n.js";
import { formatInstant, formatSpan, localTime, MINUTE, now } from "./time.js";
import { actionButton, confirmDialog, h, statusBadge } from "./ui.js";

add({
  en: {
    b_check_in: "Check in", b_check_out: "Check out", b_cancel: "Cancel booking",
    b_confirm_offer: "Take this time",
    b_cancel_question: "Cancel this booking of {item}, {span}?",
    b_cancel_keep: "Keep it",
    b_awaiting: "Awaiting approval until {when}.",
    b_awaiting_plain: "Awaiting approval.",
    b_offer: "A waitlist place freed up: take it before {when}.",
    b_checkin_opens: "Check-in opens at {time}.",
    b_under_way: "Under way until {time}.",
    b_checked_in: "Checked in.", b_checked_out: "Checked out.", b_cancelled: "Booking cancelled.",
    b_confirmed: "Booking confirmed.",
  },
  zh: {
    b_check_in: "签到", b_check_out: "签退", b_cancel: "取消预约",
    b_confirm_offer: "接受此时段",
    b_cancel_question: "确定取消 {item}（{span}）的预约吗？",
    b_cancel_keep: "保留预约",
    b_awaiting: "等待审批，截止 {when}。",
    b_awaiting_plain: "等待审批。",
    b_offer: "候补名额已空出：请在 {when} 前确认。",
    b_checkin_opens: "签到将于 {time} 开放。",
    b_under_way: "进行中，至 {time} 结束。",
    b_checked_in: "已签到。", b_checked_out: "已签退。", b_cancelled: "预约已取消。",
    b_confirmed: "预约已确认。",
  },
});

// The check-in window as the server states it on each reservation (CHECKIN_EARLY_MINUTES
// before the start to CHECKIN_GRACE_MINUTES after it).
export function windowOf(reservation) {
  const opens = Date.parse(reservation.check_in_opens_at);
  const closes = Date.parse(reservation.check_in_closes_at);
  return { opens, closes, early: Math.round((Date.parse(reservation.starts_at) - opens) / MINUTE) };
}

export const isHold = (r) => r.status === "pending" && !!r.hold_expires_at;
export const isActive = (r) => ["pending", "confirmed", "checked_in"].includes(r.status);

// What the holder can do now: "check_in" | "check_out" | "confirm" | "cancel" | null.
export function primaryAction(r, me, at = now()) {
  if (r.status === "checked_in") return Date.parse(r.starts_at) <= at ? "check_out" : null;
  if (isHold(r)) return Date.parse(r.hold_expires_at) > at ? "confirm" : null;
  if (r.status === "confirmed") {
    const w = windowOf(r);
    if (at >= w.opens && at <= w.closes) return "check_in";
  }
  return null;
}

// A sentence on where the booking stands (approval deadline, hold, window), or null.
export function stateNote(r, me, at = now()) {
  const zone = r.timezone;
  if (isHold(r)) return t("b_offer", { when: formatInstant(r.hold_expires_at, zone) });
  if (r.status === "pending") {
    return r.decide_by ? t("b_awaiting", { when: formatInstant(r.decide_by, zone) })
      : t("b_awaiting_plain");
  }
  if (r.status === "confirmed" && at < windowOf(r).opens) {
    const opens = windowOf(r).opens;
    if (opens - at < 24 * 60 * MINUTE) {
      return t("b_checkin_opens", { time: formatInstant(opens, zone, { date: false }) });
    }
  }
  if (r.status === "checked_in") return t("b_under_way", { time: localTime(r.ends_at, zone) });
  return null;
}

const PATHS = { check_in: "check-in", check_out: "check-out", confirm: "confirm",
  cancel: "cancel" };
const DONE = { check_in: "b_checked_in", check_out: "b_checked_out", confirm: "b_confirmed",
  cancel: "b_cancelled" };
const LABEL = { check_in: "b_check_in", check_out: "b_check_out", confirm: "b_confirm_offer",
  cancel: "b_cancel" };

// POST the action with one Idempotency-Key for this click (reused if the network retries).
export async function act(action, r) {
  if (action === "cancel") {
    const sure = await confirmDialog(t("b_cancel_question", { item: r.equipment_name,
      span: formatSpan(r.starts_at, r.ends_at, r.timezone) }), { ok: t("b_cancel"),
      cancel: t("b_cancel_keep") });
    if (!sure) return null;
  }
  return api.post(`/reservations/${r.id}/${PATHS[action]}`, {});
}

export const doneText = (action) => t(DONE[action]);

// The buttons for a reservation: its primary action, and cancel while it has not begun.
// onDone(action, answer) runs after a success; errors go to `region`.
export function actionButtons(r, me, { region, onDone, big = false } = {}) {
  const buttons = [];
  const at = now();
  const primary = primaryAction(r, me, at);
  const run = (action) => async () => {
    const answer = await act(action, r);
    if (answer !== null) await onDone?.(action, answer);
  };
  const context = { timezone: r.timezone, early: windowOf(r).early };
  if (primary) {
    buttons.push(actionButton(t(LABEL[primary]), run(primary), { region, context,
      attrs: { class: big ? "big" : "", testid: `action-${primary.replace("_", "-")}` } }));
  }
  const cancellable = ["pending", "confirmed"].includes(r.status) &&
    Date.parse(r.starts_at) > at;
  if (cancellable) {
    buttons.push(actionButton(t("b_cancel"), run("cancel"), { region, context,
      attrs: { class: "danger", testid: "action-cancel" } }));
  }
  return buttons;
}

// One booking as a list row: item, span in its zone, status, note and actions.
export function bookingRow(r, me, options = {}) {
  const note = stateNote(r, me);
  const region = h("div", { "aria-live": "polite" });
  return h("li", { testid: "booking", dataset: { id: String(r.id), status: r.status } },
    h("div", { class: "row spread" },
      h("a", { href: `/bookings/${r.id}`, testid: "booking-link" }, r.equipment_name),
      statusBadge(r.status)),
    h("div", { testid: "booking-span" }, formatSpan(r.starts_at, r.ends_at, r.timezone)),
    note ? h("div", { class: "muted", testid: "booking-note" }, note) : null,
    h("div", { class: "actions" }, actionButtons(r, me, { ...options, region })),
    region);
}
