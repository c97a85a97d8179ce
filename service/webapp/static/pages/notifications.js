// My notifications, newest first; unread ones marked, each or all marked read.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { formatInstant } from "../time.js";
import { describeNotice } from "./notice-words.js";
import { actionButton, banner, h, heading, loading, put } from "../ui.js";

add({
  en: {
    n_title: "Notifications", n_none: "No notifications.", n_mark_read: "Mark read",
    n_mark_all: "Mark all read", n_unread: "Unread", n_open_booking: "Open the booking",
    n_summary: "{count} unread",
  },
  zh: {
    n_title: "通知", n_none: "暂无通知。", n_mark_read: "标为已读",
    n_mark_all: "全部标为已读", n_unread: "未读", n_open_booking: "查看预约",
    n_summary: "{count} 条未读",
  },
});

const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export async function render(main, ctx) {
  const list = h("ul", { class: "list", testid: "notifications" });
  const errors = h("div", { "aria-live": "polite" });
  const summary = h("p", { class: "muted", testid: "unread-summary" });
  put(main, heading(t("n_title")), errors, summary, list);
  list.append(loading());

  const markRead = async (body) => {
    const answer = await api.post("/me/notifications/read", body);
    ctx.setUnread?.(answer.unread);
    await draw();
  };

  async function draw() {
    const answer = await api.get("/me/notifications", { page_size: 50 });
    const unread = typeof answer.unread === "number" ? answer.unread : null;
    ctx.setUnread?.(unread);
    put(summary, unread === null ? "" : t("n_summary", { count: unread }));
    if (unread) {
      summary.append(" ", actionButton(t("n_mark_all"), () => markRead({ all: true }),
        { region: errors, attrs: { class: "secondary", testid: "mark-all-read" } }));
    }
    put(list, ...answer.items.map((n) => {
      const isUnread = n.read_at === null;
      const words = describeNotice(n);
      return h("li", { testid: "notification", class: isUnread ? "unread" : "",
        dataset: { id: String(n.id), unread: String(isUnread) } },
        h("div", { class: "row spread" }, h("strong", { testid: "notice-title" }, words.title),
          isUnread ? h("span", { class: "status pending" }, t("n_unread")) : null),
        h("div", { class: "muted" }, formatInstant(n.created_at, LOCAL_ZONE)),
        words.lines.map((line) => h("p", {}, line)),
        h("div", { class: "actions" },
          n.reservation_id ? h("a", { href: `/bookings/${n.reservation_id}` },
            t("n_open_booking")) : null,
          isUnread ? actionButton(t("n_mark_read"), () => markRead({ ids: [n.id] }),
            { region: errors, attrs: { class: "secondary", testid: "mark-read" } }) : null));
    }));
    if (!answer.items.length) list.append(h("li", {}, t("n_none")));
  }

  try {
    await draw();
  } catch (error) {
    list.replaceChildren();
    errors.append(banner(error));
  }
}
