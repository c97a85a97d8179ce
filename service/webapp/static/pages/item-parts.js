// The item page's parts that hold no state: its rules and its base's hours in words, the real
// hours of a local day (23, 24 or 25), and the next free span for the shortest booking.

import { locale, t } from "../i18n.js";
import { dayBounds, HOUR, localDate, localTime, MINUTE, offsetMinutes } from "../time.js";
import * as api from "../api.js";
import { banner, h, put } from "../ui.js";

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

export function weekdayName(iso) {
  // 2024-01-01 was a Monday: its week names the days in the user's language.
  return new Intl.DateTimeFormat(locale(), { weekday: "long", timeZone: "UTC" })
    .format(new Date(Date.UTC(2024, 0, iso)));
}

// "Tue 8" / "8日周二": short enough for seven columns on a phone.
export function gridDay(date) {
  const [y, m, d] = date.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { weekday: "short", day: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

export function rulesList(e) {
  return h("ul", { testid: "rules" },
    h("li", {}, t("i_grid", { minutes: e.slot_minutes })),
    h("li", {}, t("i_duration", { min: e.min_duration_minutes, max: e.max_duration_minutes })),
    e.setup_buffer_minutes ? h("li", {}, t("i_buffer", { minutes: e.setup_buffer_minutes }))
      : null,
    h("li", {}, t("i_horizon", { days: e.booking_horizon_days })),
    h("li", {}, t(e.requires_approval ? "i_approval" : "i_no_approval")),
    e.requires_qualification ? h("li", {}, t("i_qualification")) : null,
    e.max_attendees > 1 ? h("li", {}, t("i_attendees", { count: e.max_attendees })) : null);
}

export function hoursList(base) {
  const spans = base?.opening_hours || [];
  return h("dl", { class: "facts", testid: "opening-hours" }, WEEKDAYS.map((day) => {
    const of = spans.filter((s) => s.weekday === day);
    return [h("dt", {}, weekdayName(day)),
      h("dd", {}, of.length ? of.map((s) => `${s.opens}–${s.closes}`).join(", ")
        : t("i_closed_day"))];
  }));
}

// The real hours of a local day (23, 24 or 25 of them), each with its local "HH" and offset.
export function hoursOfDay(date, zone) {
  const [start, end] = dayBounds(date, zone);
  const out = [];
  for (let at = start; at < end; at += HOUR) {
    out.push({ start: at, end: Math.min(at + HOUR, end), hour: localTime(at, zone).slice(0, 2),
      offset: offsetMinutes(at, zone) });
  }
  return out;
}

// The first instant of [s, e) that is free (and still to come), or null.
export const firstFree = (spans, s, e, at) => {
  for (const x of spans) {
    const from = Math.max(Date.parse(x.starts_at), s, at);
    if (from < Math.min(Date.parse(x.ends_at), e)) return from;
  }
  return null;
};
export const overlaps = (spans, s, e) => spans.some((x) => Date.parse(x.starts_at) < e &&
  Date.parse(x.ends_at) > s);

// The first bookable span from now on: a free span's start (or now, up on the slot grid),
// for the item's shortest booking.
export function nextFree(free, e, at) {
  const slot = e.slot_minutes * MINUTE;
  const length = Math.max(e.min_duration_minutes, e.slot_minutes) * MINUTE;
  for (const span of free) {
    const s = Date.parse(span.starts_at);
    const end = Date.parse(span.ends_at);
    if (end <= at) continue;
    let start = Math.max(s, at);
    // The grid is counted from local midnight; whole-hour offsets keep it on UTC's too.
    if ((start - s) % slot) start = s + Math.ceil((start - s) / slot) * slot;
    if (start + length <= end) return { start, end: start + length, freeFrom: Math.max(s, at) };
  }
  return null;
}

// The item's QR code (fetched with the token, shown through a blob: URL) with a print button,
// and for an admin the base's label sheet; the blob URL, for the page to revoke when it goes.
export async function drawQr(container, e, me) {
  try {
    const response = await api.raw(`/equipment/${e.id}/qr.svg`, {}, "image/svg+xml");
    const url = URL.createObjectURL(await response.blob());
    put(container, h("img", { src: url, alt: t("i_qr_alt", { item: e.name }),
      testid: "qr-image" }), h("div", { class: "actions no-print" },
      h("button", { type: "button", testid: "qr-print", onclick: () => window.print() },
        t("i_print")),
      me.role === "admin" ? h("a", { href: `/labels/${e.base_id}`, class: "button secondary" },
        t("i_labels")) : null));
    return url;
  } catch (error) {
    put(container, banner(error));
    return null;
  }
}

// The service's verdict on booking this item for [start, end) now (GET /equipment/bookable, read
// in the item's zone, its base and category only), or null when it could not be asked.
export async function judgeSpan(e, start, end) {
  const zone = e.timezone;
  const on = localDate(start, zone);
  const to = localDate(end, zone) === on ? localTime(end, zone) : "24:00";
  try {
    const answer = await api.get("/equipment/bookable", { on, from: localTime(start, zone), to,
      base_id: e.base_id, category: e.category_code, page_size: 100 });
    return answer.items.find((x) => x.equipment.id === e.id) || null;
  } catch {
    return null;
  }
}
