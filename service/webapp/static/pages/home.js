// Home: my bookings under way and upcoming (status, next action), unread notifications, and
// past sessions with their outcomes.

import * as api from "../api.js";
import { bookingRow, doneText, isActive } from "../bookings.js";
import { add, number, t } from "../i18n.js";
import { formatSpan, isoInZone, now } from "../time.js";
import { banner, h, heading, loading, statusBadge, put } from "../ui.js";

add({
  en: {
    home_title: "My bookings",
    home_upcoming: "Now and upcoming",
    home_none: "No bookings coming up.",
    home_find: "Find equipment to book",
    home_notifications: "Notifications",
    home_unread: "{count} unread notifications", home_unread_one: "1 unread notification",
    home_all_read: "No unread notifications",
    home_past: "Past sessions",
    home_past_none: "No past sessions yet.",
    home_outcome: "Outcome: {result}",
    home_outcome_hours: "{hours} h · {skills}",
    home_record_outcome: "Record the outcome",
    home_no_outcome: "No outcome recorded.",
  },
  zh: {
    home_title: "我的预约",
    home_upcoming: "进行中及即将开始",
    home_none: "暂无即将开始的预约。",
    home_find: "查找可预约的设备",
    home_notifications: "通知",
    home_unread: "{count} 条未读通知", home_unread_one: "1 条未读通知",
    home_all_read: "没有未读通知",
    home_past: "过往实训",
    home_past_none: "暂无过往实训。",
    home_outcome: "成果：{result}",
    home_outcome_hours: "{hours} 小时 · {skills}",
    home_record_outcome: "记录成果",
    home_no_outcome: "尚未记录成果。",
  },
});

function pastRow(r, outcome, me) {
  const recordable = r.status === "completed" && !outcome && r.holder_id === me.id;
  return h("li", { testid: "past-session", dataset: { id: String(r.id) } },
    h("div", { class: "row spread" },
      h("a", { href: `/bookings/${r.id}` }, r.equipment_name), statusBadge(r.status)),
    h("div", {}, formatSpan(r.starts_at, r.ends_at, r.timezone)),
    outcome ? [
      h("div", { testid: "outcome" }, t("home_outcome", { result: outcome.result })),
      h("div", { class: "muted" }, t("home_outcome_hours", { hours: number(outcome.hours),
        skills: (outcome.skills || []).join(", ") })),
    ] : r.status === "completed" ? h("div", { class: "muted" }, t("home_no_outcome")) : null,
    recordable ? h("a", { href: `/outcomes/new/${r.id}` }, t("home_record_outcome")) : null);
}

export async function render(main, ctx) {
  const { me } = ctx;
  const upcoming = h("ul", { class: "list", testid: "my-bookings", "aria-busy": "true" });
  const notices = h("p", { testid: "home-unread" });
  const past = h("ul", { class: "list", testid: "past-sessions" });
  const errors = h("div", { "aria-live": "polite" });
  put(main, heading(t("home_title")), errors,
    h("section", { class: "card", "aria-labelledby": "h-upcoming" },
      h("h2", { id: "h-upcoming" }, t("home_upcoming")), upcoming),
    h("section", { class: "card", "aria-labelledby": "h-notices" },
      h("h2", { id: "h-notices" }, t("home_notifications")), notices),
    h("section", { class: "card", "aria-labelledby": "h-past" },
      h("h2", { id: "h-past" }, t("home_past")), past));
  upcoming.append(loading());

  const nowIso = isoInZone(now(), "UTC");
  const mine = { holder_id: me.id };
  const asks = {
    upcoming: api.get("/reservations", { ...mine, from: nowIso, sort: "starts_at", page_size: 50 }),
    past: api.get("/reservations", { ...mine, to: nowIso, sort: "-starts_at", page_size: 10 }),
    notices: api.get("/me/notifications", { page_size: 1 }),
  };
  const failed = (error) => errors.append(banner(error));

  let latest = null;
  const drawUpcoming = (answer) => {
    latest = answer;
    const rows = answer.items.filter((r) => isActive(r) && Date.parse(r.ends_at) > now());
    put(upcoming, ...rows.map((r) => bookingRow(r, me, {
      onDone: async (action) => {
        put(errors, banner(doneText(action), { kind: "ok", testid: "done" }));
        const fresh = await api.get("/reservations", { ...mine, from: isoInZone(now(), "UTC"),
          sort: "starts_at", page_size: 50 });
        drawUpcoming(fresh);
      },
    })));
    if (!rows.length) {
      upcoming.append(h("li", { testid: "no-bookings" }, t("home_none"), " ",
        h("a", { href: "/find" }, t("home_find"))));
    }
    upcoming.removeAttribute("aria-busy");
    performance.mark("benchshare:bookings-rendered");
  };

  // A check-in window opens (or a hold lapses) while the page stays open: redraw the actions
  // on the server's clock every half minute, from the answer already here.
  const timer = setInterval(() => { if (latest) drawUpcoming(latest); }, 30000);
  await Promise.all([
    asks.upcoming.then(drawUpcoming, (error) => {
      upcoming.replaceChildren();
      failed(error);
    }),
    asks.notices.then((answer) => {
      const count = typeof answer.unread === "number" ? answer.unread : null;
      ctx.setUnread?.(count);
      put(notices, h("a", { href: "/notifications", testid: "home-unread-link" },
        count === 1 ? t("home_unread_one") : count ? t("home_unread", { count }) : count === 0 ? t("home_all_read")
          : t("home_notifications")));
    }, failed),
    asks.past.then(async (answer) => {
      const rows = answer.items;
      let outcomes = [];
      if (rows.length) {
        try {
          outcomes = (await api.get("/outcomes", { from: rows[rows.length - 1].starts_at,
            page_size: 100 })).items;
        } catch { /* the sessions still show, without their outcomes */ }
      }
      const byReservation = new Map(outcomes.map((o) => [o.reservation?.id, o]));
      put(past, ...rows.map((r) => pastRow(r, byReservation.get(r.id), me)));
      if (!rows.length) past.append(h("li", {}, t("home_past_none")));
    }, failed),
  ]);
  return () => clearInterval(timer);
}
