// Taking attendance for a class: each attendee checked in with one tap, as they arrive.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, h, heading, statusBadge } from "../ui.js";
import { formatSpan, localTime } from "../time.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    attendance_title: "Attendance",
    attendance_count: "{here} of {total} checked in",
    attendance_none: "This booking has no attendees.",
    attendance_check_in: "Check in", attendance_check_in_name: "Check in {name}",
    attendance_here: "Checked in at {time}",
    attendance_absent: "Not checked in",
    attendance_outcome: "Record the outcome",
  },
  zh: {
    attendance_title: "点名签到",
    attendance_count: "已签到 {here} / {total}",
    attendance_none: "此预约没有参加者。",
    attendance_check_in: "签到", attendance_check_in_name: "为 {name} 签到",
    attendance_here: "{time} 已签到",
    attendance_absent: "未签到",
    attendance_outcome: "记录实训成果",
  },
});

// The statuses in which an attendee can still be checked in (the service judges the window).
const OPEN = ["confirmed", "checked_in"];

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx);
  const id = ctx.params.reservation_id;
  let booking = await api.get(`/reservations/${id}`);
  const count = h("p", { class: "attendance-count", testid: "attendance-count", tabindex: "-1",
    "aria-live": "polite" });
  const list = h("ul", { class: "list", testid: "attendance" });
  const summary = h("div");

  function draw() {
    const zone = booking.timezone;
    const people = booking.attendance;
    const here = people.filter((p) => p.checked_in_at).length;
    count.textContent = t("attendance_count", { here, total: people.length });
    summary.replaceChildren(
      h("p", { class: "row" }, h("strong", {}, booking.equipment_name), statusBadge(booking.status)),
      h("p", {}, formatSpan(booking.starts_at, booking.ends_at, zone)));
    list.replaceChildren(...(people.length ? people.map((person) => {
      const region = h("div", { "aria-live": "polite" });
      return h("li", { class: "row spread", testid: "attendee",
        dataset: { userId: person.user_id, here: String(Boolean(person.checked_in_at)) } },
      h("span", {}, person.name),
      person.checked_in_at
        ? h("span", { class: "here", testid: "checked-in" },
          t("attendance_here", { time: localTime(person.checked_in_at, zone) }))
        // A class over (or never held) takes nobody: no button that can only be refused.
        : !OPEN.includes(booking.status) ? h("span", { class: "muted", testid: "absent" },
          t("attendance_absent"))
        : actionButton(t("attendance_check_in"), async () => {
          booking = await api.post(`/reservations/${id}/attendees/${person.user_id}/check-in`, {});
          draw();
          count.focus();
        }, { region, attrs: { testid: "check-in", "aria-label":
          t("attendance_check_in_name", { name: person.name }) } }),
      region);
    }) : [h("li", { class: "muted" }, t("attendance_none"))]));
  }

  draw();
  main.replaceChildren(heading(t("attendance_title")),
    h("section", { class: "card" }, summary, count, list),
    h("p", {}, h("a", { href: `/outcomes/new/${id}`, testid: "record-outcome" },
      t("attendance_outcome"))));
  return unlink;
}
