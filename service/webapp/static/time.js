// Instants shown in an item's own zone with its offset, local dates and wall times read in a
// zone, and days and weeks of a zone: a spring night has 23 hours, an autumn night 25.
// A wall time the autumn change repeats is its FIRST occurrence; one the spring change skips is
// read with the offset in force before the change (service/calendar/wallclock.py's rule).

import { locale } from "./i18n.js";
import { serverNow } from "./api.js";

const MINUTE = 60000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const partsFormat = new Map();

function partsOf(ms, zone) {
  let format = partsFormat.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23",
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      second: "2-digit" });
    partsFormat.set(zone, format);
  }
  const out = {};
  for (const part of format.formatToParts(new Date(ms))) out[part.type] = part.value;
  return { year: +out.year, month: +out.month, day: +out.day, hour: +out.hour % 24,
    minute: +out.minute, second: +out.second };
}

const ms = (instant) => (instant instanceof Date ? instant.getTime()
  : typeof instant === "number" ? instant : Date.parse(instant));
const pad = (n, width = 2) => String(n).padStart(width, "0");

// The zone's offset from UTC at an instant, in minutes (+480 for Asia/Shanghai).
export function offsetMinutes(instant, zone) {
  const at = ms(instant);
  const p = partsOf(at, zone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((wall - Math.floor(at / 1000) * 1000) / MINUTE);
}

export function offsetText(minutes) {
  const sign = minutes < 0 ? "-" : "+";
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

// "YYYY-MM-DD" of the instant in the zone.
export function localDate(instant, zone) {
  const p = partsOf(ms(instant), zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

// "HH:MM" of the instant in the zone.
export function localTime(instant, zone) {
  const p = partsOf(ms(instant), zone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

// The instant (ms) of a local date and wall time "HH:MM" (or "24:00") in the zone.
export function zonedToInstant(date, time, zone) {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const before = offsetMinutes(wall - DAY, zone);
  const after = offsetMinutes(wall + DAY, zone);
  const fits = [...new Set([before, after])]
    .map((offset) => wall - offset * MINUTE)
    .filter((instant) => offsetMinutes(instant, zone) * MINUTE === wall - instant)
    .sort((a, b) => a - b);
  if (fits.length) return fits[0]; // a repeated wall time: its first occurrence
  return wall - before * MINUTE; // a skipped one: the offset before the change
}

// ISO 8601 with the zone's offset, as the API wants instants: "2026-12-08T14:00:00+08:00".
export function isoInZone(instant, zone) {
  const at = ms(instant);
  const p = partsOf(at, zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:` +
    `${pad(p.second)}${offsetText(offsetMinutes(at, zone))}`;
}

// "YYYY-MM-DD" n days after a local date (calendar arithmetic, no zone involved).
export function addDays(date, n) {
  const [y, m, d] = date.split("-").map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + n));
  return `${pad(next.getUTCFullYear(), 4)}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

// 0 = Monday ... 6 = Sunday (the API's opening hours count ISO weekdays: add 1).
export function weekday(date) {
  const [y, m, d] = date.split("-").map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

// [start, end) of a local day in the zone (23, 24 or 25 hours long), as ms.
export function dayBounds(date, zone) {
  return [zonedToInstant(date, "00:00", zone), zonedToInstant(addDays(date, 1), "00:00", zone)];
}

// The local days of the week (7 "YYYY-MM-DD") starting at `date`.
export function days(date, count = 7) {
  return Array.from({ length: count }, (_, i) => addDays(date, i));
}

// The Monday on or before a local date.
export function mondayOf(date) { return addDays(date, -weekday(date)); }

// Now on the server's clock (from the API's Date headers), as ms.
export function now() { return serverNow(); }

// Today in the zone.
export function today(zone) { return localDate(now(), zone); }

// "Tue 8 Dec, 14:00 (+08:00)" — the instant in the item's zone, with its offset.
export function formatInstant(instant, zone, { date = true, time = true, offset = true } = {}) {
  const at = ms(instant);
  const options = { timeZone: zone };
  if (date) Object.assign(options, { weekday: "short", day: "numeric", month: "short" });
  if (time) Object.assign(options, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const text = new Intl.DateTimeFormat(locale(), options).format(new Date(at));
  return offset ? `${text} (${offsetText(offsetMinutes(at, zone))})` : text;
}

// "Tue 8 Dec, 14:00–16:00 (+08:00)" for a span on one local day, else both ends in full.
export function formatSpan(start, end, zone) {
  if (localDate(start, zone) === localDate(ms(end) - 1, zone)) {
    return `${formatInstant(start, zone, { offset: false })}–${localTime(end, zone)} ` +
      `(${offsetText(offsetMinutes(start, zone))})`;
  }
  return `${formatInstant(start, zone)} – ${formatInstant(end, zone)}`;
}

// "Tue 8 Dec" of a local date.
export function formatDate(date, { weekday: wd = "short" } = {}) {
  const [y, m, d] = date.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", weekday: wd, day: "numeric",
    month: "short" }).format(new Date(Date.UTC(y, m - 1, d)));
}

export { MINUTE, HOUR, DAY };
