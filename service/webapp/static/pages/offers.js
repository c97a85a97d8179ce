// The offers list: an enterprise's staff see their offers (and draft a new one), a school's
// admins those addressed to their school; filtered by status, each row opening its offer.

import * as api from "../api.js";
import { add, number, t } from "../i18n.js";
import { h, heading, loading, select } from "../ui.js";
import { formatInstant } from "../time.js";
import { dataTable } from "../workspace.js";
import { longDate } from "./offer-calendar.js";
import { offerStatus, STATUSES } from "./offer-words.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    offers_title: "Offers", offers_new: "New offer", offers_filter: "Status",
    offers_intro_enterprise_staff: "Your offers of idle equipment to schools.",
    offers_intro_admin: "Offers enterprises have made to your school.",
    offers_col_offer: "Offer", offers_col_school: "School", offers_col_enterprise: "Enterprise",
    offers_col_status: "Status", offers_col_items: "Items", offers_col_windows: "Windows",
    offers_col_budget: "Hours a week", offers_col_updated: "Changed",
    offers_caption: "Offers ({count})", offers_open: "Offer {id}",
    offers_dates: "{from} – {to}",
  },
  zh: {
    offers_title: "设备共享", offers_new: "新建共享", offers_filter: "状态",
    offers_intro_enterprise_staff: "贵企业向学校提供的闲置设备共享。",
    offers_intro_admin: "企业向本校提供的共享。",
    offers_col_offer: "共享", offers_col_school: "学校", offers_col_enterprise: "企业",
    offers_col_status: "状态", offers_col_items: "设备", offers_col_windows: "时段",
    offers_col_budget: "每周小时数", offers_col_updated: "更新时间",
    offers_caption: "共享（{count}）", offers_open: "共享 {id}",
    offers_dates: "{from} – {to}",
  },
});

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "offers.css");
  const enterprise = ctx.me.role === "enterprise_staff";
  const wanted = ctx.query.get("status") || "";
  const filter = select([["", t("offers_status_all")],
    ...STATUSES.filter((s) => enterprise || s !== "draft").map((s) => [s, t(`status_${s}`)])],
  { testid: "offers-status", value: wanted });
  filter.addEventListener("change", () => ctx.navigate(filter.value
    ? `/offers?status=${encodeURIComponent(filter.value)}` : "/offers", { replace: true }));
  main.replaceChildren(heading(t("offers_title")), loading());
  const offers = await api.all("/offers", { status: wanted, sort: "-updated_at" });

  const span = (o) => {
    if (!o.windows.length) return "–";
    const from = o.windows.map((w) => w.starts_on).sort()[0];
    const to = o.windows.map((w) => w.ends_on).sort().at(-1);
    return t("offers_dates", { from: longDate(from), to: longDate(to) });
  };
  const table = dataTable({
    caption: t("offers_caption", { count: offers.length }), testid: "offers-table",
    rows: offers,
    rowAttrs: (o) => ({ testid: "offer-row", dataset: { offerId: o.id, status: o.status } }),
    columns: [
      { key: "id", label: t("offers_col_offer"), numeric: true,
        cell: (o) => h("a", { href: `/offers/${o.id}`, testid: "offer-link" },
          t("offers_open", { id: o.id })) },
      enterprise
        ? { key: "school_name", label: t("offers_col_school") }
        : { key: "enterprise_name", label: t("offers_col_enterprise") },
      { key: "status", label: t("offers_col_status"), value: (o) => t(`status_${o.status}`),
        cell: (o) => offerStatus(o.status) },
      { key: "items", label: t("offers_col_items"), value: (o) => o.items.length,
        cell: (o) => o.items.map((i) => i.equipment_name).join(", ") },
      { key: "windows", label: t("offers_col_windows"),
        value: (o) => o.windows.map((w) => w.starts_on).sort()[0] || null, cell: span },
      { key: "weekly_hours_budget", label: t("offers_col_budget"), numeric: true,
        cell: (o) => number(o.weekly_hours_budget) },
      { key: "updated_at", label: t("offers_col_updated"),
        cell: (o) => formatInstant(o.updated_at, o.items[0]?.timezone || "UTC",
          { time: false, offset: false }) },
    ],
  });
  main.replaceChildren(heading(t("offers_title")),
    h("p", {}, t(`offers_intro_${ctx.me.role}`)),
    h("div", { class: "row spread toolbar" },
      h("label", { class: "inline" }, h("span", {}, t("offers_filter")), filter),
      enterprise ? h("a", { class: "button", href: "/offers/new", testid: "new-offer" },
        t("offers_new")) : null),
    h("section", { class: "card" }, table));
  return unlink;
}
