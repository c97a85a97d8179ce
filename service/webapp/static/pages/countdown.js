// A request's decision deadline counting down on the server's clock: "1 d 4 h left", red in its
// last hour, "the deadline has passed" after it. countdown.tick(container) redraws them all.

import { add, t } from "../i18n.js";
import { now } from "../time.js";
import { h } from "../ui.js";

add({
  en: {
    cd_days: "{d} d {h} h left", cd_hours: "{h} h {m} min left", cd_minutes: "{m} min left",
    cd_passed: "the deadline has passed",
  },
  zh: {
    cd_days: "剩余 {d} 天 {h} 小时", cd_hours: "剩余 {h} 小时 {m} 分钟", cd_minutes: "剩余 {m} 分钟",
    cd_passed: "已过截止时间",
  },
});

const MINUTE = 60000;

function text(deadline) {
  const left = Date.parse(deadline) - now();
  if (left <= 0) return { words: t("cd_passed"), soon: true };
  const minutes = Math.floor(left / MINUTE);
  const d = Math.floor(minutes / 1440);
  const hh = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const words = d ? t("cd_days", { d, h: hh }) : hh ? t("cd_hours", { h: hh, m })
    : t("cd_minutes", { m });
  return { words, soon: left < 60 * MINUTE };
}

function draw(element) {
  const { words, soon } = text(element.dataset.deadline);
  element.textContent = words;
  element.classList.toggle("soon", soon);
  element.dataset.left = String(Math.max(0, Math.floor((Date.parse(element.dataset.deadline)
    - now()) / MINUTE)));
}

// <span data-testid=approval-countdown data-deadline=... data-left=minutes>.
export function countdown(deadline) {
  const element = h("span", { class: "countdown", testid: "approval-countdown",
    role: "timer", "aria-live": "off", dataset: { deadline } });
  draw(element);
  return element;
}

countdown.tick = (container) => {
  for (const element of container.querySelectorAll("[data-testid='approval-countdown']")) {
    draw(element);
  }
};
