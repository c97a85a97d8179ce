// My calendar feed: the secret webcal:// link for calendar apps, with a copy button.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { banner, field, h, heading, loading, put } from "../ui.js";

add({
  en: {
    c_title: "Calendar", c_intro: "Subscribe to your bookings in your phone's or computer's calendar. Keep this link to yourself: anyone with it sees your bookings.",
    c_open: "Subscribe in my calendar app", c_link: "Feed address", c_copy: "Copy the address",
    c_copied: "Copied.", c_copy_failed: "Select the address and copy it by hand.",
  },
  zh: {
    c_title: "日历", c_intro: "在手机或电脑日历中订阅您的预约。请勿外传此链接：持有链接者可看到您的预约。",
    c_open: "在日历应用中订阅", c_link: "订阅地址", c_copy: "复制地址",
    c_copied: "已复制。", c_copy_failed: "请选中地址后手动复制。",
  },
});

export async function render(main) {
  put(main, heading(t("c_title")), h("p", {}, t("c_intro")), loading());
  let answer;
  try {
    answer = await api.get("/me/calendar-link");
  } catch (error) {
    main.lastChild.replaceWith(banner(error));
    return;
  }
  const webcal = answer.url.replace(/^https?:\/\//, "webcal://");
  const input = h("input", { type: "text", readonly: true, value: webcal, testid: "calendar-url" });
  const said = h("p", { role: "status", testid: "copy-status" });
  const copy = h("button", { type: "button", class: "secondary", testid: "calendar-copy",
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(webcal);
        said.textContent = t("c_copied");
      } catch {
        input.select();
        said.textContent = t("c_copy_failed");
      }
    } }, t("c_copy"));
  main.lastChild.replaceWith(h("section", { class: "card" },
    h("p", {}, h("a", { href: webcal, class: "button", testid: "calendar-link" }, t("c_open"))),
    field(t("c_link"), input), h("div", { class: "actions" }, copy), said));
}
