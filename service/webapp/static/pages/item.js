// One item (the QR code's target): rules in words, its base's hours, a week of free and busy in
// the item's zone, booking from a free cell or the form; the holder of a session under way or
// about to start gets one big Check in / Check out; the owner's staff see and print its QR code.

import * as api from "../api.js";
import { actionButtons, doneText, primaryAction, stateNote } from "../bookings.js";
import { add, t } from "../i18n.js";
import { canWait, explain } from "../refusals.js";
import {
  addDays, dayBounds, days, formatDate, formatInstant, formatSpan, HOUR, isoInZone, localDate,
  localTime, MINUTE, now, offsetMinutes, offsetText, today, zonedToInstant,
} from "../time.js";
import { actionButton, banner, field, h, heading, loading, put } from "../ui.js";
import { legend, rove } from "./item-grid.js";
import {
  drawQr, firstFree, gridDay, hoursList, hoursOfDay, judgeSpan, nextFree, overlaps, rulesList,
} from "./item-parts.js";

add({
  en: {
    i_rules: "Booking rules", i_grid: "Bookings start and end on a {minutes}-minute grid.",
    i_duration: "A booking lasts {min} to {max} minutes.",
    i_buffer: "{minutes} minutes are kept free after each booking for setup.",
    i_horizon: "It can be booked up to {days} days ahead.",
    i_approval: "Each booking needs the owner's approval.",
    i_no_approval: "Bookings are confirmed at once.",
    i_qualification: "You need a qualification for this category.",
    i_attendees: "Up to {count} people per booking.",
    i_where: "{base} · owned by {owner} · times in {zone} ({offset})",
    i_hours: "Opening hours", i_closed_day: "closed",
    i_week: "Free and busy", i_prev: "Previous week", i_next: "Next week",
    i_this_week: "This week",
    i_time: "Time", i_free: "free", i_busy: "busy", i_closed: "closed", i_no_such_hour: "—",
    i_book_cell: "Book {day} {time}",
    i_book: "Book this item", i_date: "Date", i_from: "From", i_to: "To", i_purpose: "Purpose (optional)",
    i_submit: "Book", i_booked: "Booked: {span}.", i_requested: "Requested: {span}. It awaits approval.",
    i_open: "Open the booking", i_wait: "Join the waitlist", i_waiting:
      "You are on the waitlist: you will be offered this time if it frees up.",
    i_free_next: "Free next at {when}.", i_free_now: "Free now.",
    i_not_free_week: "Not free in the next 7 days.",
    i_book_next: "Book the next free slot ({span})",
    i_your_session: "Your session", i_qr: "QR code", i_qr_alt: "QR code of {item}",
    i_print: "Print", i_labels: "Labels for the whole base",
    i_status_maintenance: "In maintenance: not bookable now.",
    i_status_retired: "Retired: not bookable.",
  },
  zh: {
    i_rules: "预约规则", i_grid: "预约的开始与结束须对齐 {minutes} 分钟时间格。",
    i_duration: "每次预约 {min} 至 {max} 分钟。",
    i_buffer: "每次使用后预留 {minutes} 分钟准备时间。",
    i_horizon: "最多可提前 {days} 天预约。",
    i_approval: "每次预约需设备所有方审批。",
    i_no_approval: "预约提交后立即确认。",
    i_qualification: "需持有此类别的资质。",
    i_attendees: "每次预约最多 {count} 人。",
    i_where: "{base} · 所有方：{owner} · 时间按 {zone}（{offset}）",
    i_hours: "开放时间", i_closed_day: "关闭",
    i_week: "空闲与占用", i_prev: "上一周", i_next: "下一周", i_this_week: "本周",
    i_time: "时间", i_free: "空闲", i_busy: "占用", i_closed: "不开放", i_no_such_hour: "—",
    i_book_cell: "预约 {day} {time}",
    i_book: "预约此设备", i_date: "日期", i_from: "开始", i_to: "结束", i_purpose: "用途（可选）",
    i_submit: "预约", i_booked: "已预约：{span}。", i_requested: "已提交申请：{span}，等待审批。",
    i_open: "查看预约", i_wait: "加入候补", i_waiting: "您已加入候补：该时段空出时会通知您。",
    i_free_next: "下次空闲：{when}。", i_free_now: "现在空闲。",
    i_not_free_week: "未来 7 天内没有空闲。",
    i_book_next: "预约下一个空闲时段（{span}）",
    i_your_session: "您的实训", i_qr: "二维码", i_qr_alt: "{item} 的二维码",
    i_print: "打印", i_labels: "整个基地的标签",
    i_status_maintenance: "维护中：暂不可预约。",
    i_status_retired: "已报废：不可预约。",
  },
});

export async function render(main, ctx) {
  const { me } = ctx;
  const id = Number(ctx.params.id);
  put(main, loading());
  const e = await api.get(`/equipment/${id}`);
  const zone = e.timezone;
  const baseAsk = api.get(`/training-bases/${e.base_id}`).catch(() => null);
  const categoryAsk = api.get(`/equipment-categories/${e.category_id}`).catch(() => null);

  const errors = h("div", { "aria-live": "polite" });
  const session = h("section", { class: "card", testid: "qr-panel", "aria-live": "polite" });
  const weekRegion = h("div", { class: "week", testid: "week" });
  const weekErrors = h("div", { "aria-live": "polite" });
  const bookRegion = h("div", { "aria-live": "polite", testid: "book-result" });
  const offset = offsetText(offsetMinutes(now(), zone));
  const header = h("p", { class: "muted", testid: "item-where" }, t("i_where", {
    base: e.base_name, owner: e.owner_name, zone, offset }));
  const category = h("p", { testid: "item-category" }, e.category_code);
  put(main, heading(e.name, { testid: "item-name" }), header, category, errors,
    e.status !== "active" ? banner(t(`i_status_${e.status}`), { kind: "info" })
      : null,
    session);

  // ---- the booking form
  const date = h("input", { type: "date", required: true, testid: "book-date",
    value: today(zone) });
  const step = e.slot_minutes * 60;
  const from = h("input", { type: "time", required: true, step, testid: "book-from" });
  const to = h("input", { type: "time", required: true, step, testid: "book-to" });
  const purpose = h("input", { type: "text", maxlength: 500, testid: "book-purpose" });
  const submit = h("button", { type: "submit", testid: "book-submit" }, t("i_submit"));
  const form = h("form", { class: "card fields", testid: "book-form",
    "aria-labelledby": "h-book" },
  h("h2", { id: "h-book", class: "wide" }, t("i_book")),
  field(t("i_date"), date, { class: "wide" }), field(t("i_from"), from),
  field(t("i_to"), to), field(t("i_purpose"), purpose, { class: "wide" }),
  h("div", { class: "wide" }, submit), h("div", { class: "wide" }, bookRegion));

  let weekStart = today(zone);
  let lastFree = [];

  async function book(startMs, endMs, key) {
    const span = { equipment_id: id, starts_at: isoInZone(startMs, zone),
      ends_at: isoInZone(endMs, zone) };
    bookRegion.replaceChildren();
    try {
      const made = await api.post("/reservations", { ...span,
        ...(purpose.value.trim() ? { purpose: purpose.value.trim() } : {}) }, { key });
      put(bookRegion, banner(t(made.status === "pending" ? "i_requested" : "i_booked",
        { span: formatSpan(made.starts_at, made.ends_at, zone) }), { kind: "ok",
        testid: "booked" }), h("a", { href: `/bookings/${made.id}`, testid: "open-booking" },
        t("i_open")));
      await Promise.all([drawWeek(), drawSession()]);
      return true;
    } catch (error) {
      if (error?.status === 401) return true;
      put(bookRegion, banner(error, { context: { timezone: zone },
        testid: "book-error" }));
      if (canWait(error.body)) {
        bookRegion.append(actionButton(t("i_wait"), async () => {
          await api.post("/waitlist", span);
          put(bookRegion, banner(t("i_waiting"), { kind: "ok", testid: "waiting" }));
        }, { region: bookRegion, context: { timezone: zone },
          attrs: { class: "secondary", testid: "join-waitlist" } }));
      }
      return error?.status !== 0;
    }
  }

  // One booking per user action: a second click while the first is under way does nothing (it
  // would book again under a new key and then be told the span is taken); sending the same
  // values again after the server could not be reached reuses the action's Idempotency-Key
  // (after an answer, a new key: the server replays a key's first answer, refusals included).
  let sending = false;
  let action = { values: null, key: null };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    const start = zonedToInstant(date.value, from.value, zone);
    const endDate = to.value <= from.value && to.value === "00:00" ? addDays(date.value, 1)
      : date.value;
    const end = zonedToInstant(endDate, to.value, zone);
    const values = `${start} ${end} ${purpose.value.trim()}`;
    if (action.values !== values) action = { values, key: api.newKey() };
    sending = true;
    submit.setAttribute("aria-busy", "true");
    try {
      if (await book(start, end, action.key)) action = { values: null, key: null };
    } finally {
      sending = false;
      submit.removeAttribute("aria-busy");
    }
  });

  // ---- the week grid: rows are local hours, a cell per real hour (two on a 25-hour night's
  // repeated hour, none on a 23-hour night's skipped one)
  function fillForm(startMs) {
    const length = Math.max(e.min_duration_minutes, 60) * MINUTE;
    date.value = localDate(startMs, zone);
    from.value = localTime(startMs, zone);
    to.value = localTime(startMs + length, zone);
    submit.focus();
  }

  async function drawWeek() {
    const week = days(weekStart, 7);
    const [start] = dayBounds(week[0], zone);
    const [, end] = dayBounds(week[6], zone);
    put(weekRegion, loading());
    weekErrors.replaceChildren();
    let answer;
    try {
      answer = await api.get(`/equipment/${id}/availability`, { from: isoInZone(start, zone),
        to: isoInZone(end, zone) });
    } catch (error) {
      weekRegion.replaceChildren();
      weekErrors.append(banner(error));
      return;
    }
    const free = answer.free || [];
    const busy = answer.busy || [];
    if (weekStart === today(zone)) lastFree = free;
    const perDay = week.map((day) => hoursOfDay(day, zone));
    const openHours = perDay.flat().filter((x) => overlaps(free, x.start, x.end) ||
      overlaps(busy, x.start, x.end)).map((x) => x.hour);
    const first = openHours.length ? openHours.reduce((a, b) => (a < b ? a : b)) : "08";
    const last = openHours.length ? openHours.reduce((a, b) => (a > b ? a : b)) : "17";
    const rows = [];
    for (let hr = Number(first); hr <= Number(last); hr += 1) rows.push(String(hr).padStart(2, "0"));
    const at = now();
    const cell = (x, day, repeated) => {
      const opens = firstFree(free, x.start, x.end, at);
      if (opens !== null) {
        return h("button", { type: "button", testid: "free-cell",
          dataset: { start: isoInZone(opens, zone) },
          "aria-label": t("i_book_cell", { day: formatDate(day), time: localTime(opens, zone)
            + (repeated ? ` (${offsetText(x.offset)})` : "") }),
          onclick: () => fillForm(opens) }, localTime(opens, zone));
      }
      return null;
    };
    const table = h("table", { testid: "week-grid", dataset: { zone } },
      h("caption", { class: "sr-only" }, t("i_week")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" },
        h("span", { class: "sr-only" }, t("i_time"))),
        week.map((day) => h("th", { scope: "col", dataset: { date: day,
          hours: String(perDay[week.indexOf(day)].length) } }, gridDay(day))))),
      h("tbody", {}, rows.map((hour) => h("tr", {},
        h("th", { scope: "row" }, `${hour}:00`),
        week.map((day, i) => {
          const slots = perDay[i].filter((x) => x.hour === hour);
          if (!slots.length) {
            return h("td", { class: "closed", testid: "no-such-hour" }, t("i_no_such_hour"));
          }
          const kinds = slots.map((x) => (firstFree(free, x.start, x.end, at) !== null ? "free"
            : overlaps(busy, x.start, x.end) ? "busy" : "closed"));
          const kind = kinds.includes("free") ? "free" : kinds.includes("busy") ? "busy"
            : "closed";
          return h("td", { class: kind, dataset: { slots: String(slots.length) } },
            kind === "free" ? slots.map((x) => cell(x, day, slots.length > 1))
              : h("span", { class: "sr-only" }, t(`i_${kind}`)),
            slots.length > 1 ? h("span", { class: "sr-only" },
              slots.map((x) => offsetText(x.offset)).join(" / ")) : null);
        })))));
    put(weekRegion, table);
    rove(table);
  }

  // ---- the QR behaviour: my session on this item, else when it is free next
  async function drawSession() {
    const at = now();
    let mine = [];
    try {
      mine = (await api.get("/reservations", { equipment_id: id, holder_id: me.id,
        from: isoInZone(at - 12 * HOUR, "UTC"), sort: "starts_at", page_size: 20 })).items;
    } catch (error) {
      if (error.status === 401) return;
      put(session, banner(error));
      return;
    }
    const current = mine.find((r) => primaryAction(r, me, at) === "check_out" ||
      primaryAction(r, me, at) === "check_in") ||
      mine.find((r) => r.status === "confirmed" && Date.parse(r.starts_at) - at < HOUR &&
        Date.parse(r.starts_at) > at);
    if (current) {
      const region = h("div", { "aria-live": "polite" });
      const note = stateNote(current, me, at);
      put(session, h("h2", {}, t("i_your_session")),
        h("p", { testid: "session-span" }, formatSpan(current.starts_at, current.ends_at, zone)),
        note ? h("p", { class: "muted" }, note) : null,
        h("div", { class: "actions" }, actionButtons(current, me, { region, big: true,
          onDone: async (action) => {
            await drawSession();
            session.prepend(banner(doneText(action), { kind: "ok", testid: "done" }));
            drawWeek();
          } })), region);
      return;
    }
    if (e.status !== "active") {
      session.hidden = true;
      return;
    }
    if (!lastFree.length && weekStart === today(zone)) {
      try {
        lastFree = (await api.get(`/equipment/${id}/availability`, {
          from: isoInZone(at, zone), to: isoInZone(at + 7 * 24 * HOUR, zone) })).free || [];
      } catch (error) {
        put(session, banner(error));
        return;
      }
    }
    const next = nextFree(lastFree, e, at);
    if (!next) {
      put(session, h("p", { testid: "free-next" }, t("i_not_free_week")));
      return;
    }
    const region = h("div", { "aria-live": "polite" });
    const freeNext = h("p", { testid: "free-next" }, next.freeFrom <= at + MINUTE
      ? t("i_free_now") : t("i_free_next", { when: formatInstant(next.freeFrom, zone) }));
    // The service judges the slot first: no one-tap button for a booking it would refuse.
    const verdict = await judgeSpan(e, next.start, next.end);
    if (verdict && !verdict.bookable) {
      put(session, freeNext, h("p", { class: "muted", testid: "next-refused" },
        explain(verdict.refusal, { timezone: zone })));
      return;
    }
    put(session, freeNext,
      h("div", { class: "actions" }, actionButton(t("i_book_next", {
        span: formatSpan(next.start, next.end, zone) }), () => book(next.start, next.end),
      { region, attrs: { testid: "book-next" } })), region);
  }

  // ---- the owner's staff: the item's QR code, fetched with the token, shown through blob:
  let qrUrl = null;
  const owns = ["admin", "enterprise_staff"].includes(me.role) &&
    me.organisation_id === e.owner_organisation_id;
  const qr = owns ? h("section", { class: "card qr", testid: "qr", "aria-labelledby": "h-qr" },
    h("h2", { id: "h-qr" }, t("i_qr")), loading()) : null;

  const weekNav = h("div", { class: "actions no-print" },
    h("button", { type: "button", class: "secondary", testid: "week-prev", onclick: () => {
      weekStart = addDays(weekStart, -7) < today(zone) ? today(zone) : addDays(weekStart, -7);
      drawWeek();
    } }, t("i_prev")),
    h("button", { type: "button", class: "secondary", testid: "week-this", onclick: () => {
      weekStart = today(zone);
      drawWeek();
    } }, t("i_this_week")),
    h("button", { type: "button", class: "secondary", testid: "week-next", onclick: () => {
      weekStart = addDays(weekStart, 7);
      drawWeek();
    } }, t("i_next")));
  put(main, ...main.childNodes, 
    h("section", { class: "card", "aria-labelledby": "h-week" },
      h("h2", { id: "h-week" }, t("i_week")), weekNav,
      legend(), weekErrors, weekRegion),
    form,
    h("section", { class: "card", "aria-labelledby": "h-rules" },
      h("h2", { id: "h-rules" }, t("i_rules")), rulesList(e),
      h("h2", {}, t("i_hours")), h("div", { testid: "hours-slot" }, loading())),
    qr);
  const [base, cat] = await Promise.all([baseAsk, categoryAsk]);
  if (cat?.name) category.textContent = cat.name;
  main.querySelector("[data-testid='hours-slot']").replaceChildren(hoursList(base));
  await drawWeek();
  await Promise.all([drawSession(), qr ? drawQr(qr, e, me).then((url) => { qrUrl = url; }) : null]);
  // Standing at the machine before the start: the Check in button appears when the window
  // opens, without a reload.
  const timer = setInterval(() => {
    if (!document.querySelector("dialog[open]")) drawSession();
  }, 30000);
  return () => {
    clearInterval(timer);
    if (qrUrl) URL.revokeObjectURL(qrUrl);
  };
}
