// Find: what can I book on a date from–to (read in each item's base zone)? Bookable items
// first, with a Book button; the others with the reason, in the user's language.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { addDays, formatSpan, localDate, now } from "../time.js";
import { actionButton, banner, field, h, heading, loading, select, put } from "../ui.js";
import { explain } from "../refusals.js";

add({
  en: {
    f_title: "Find equipment", f_date: "Date", f_from: "From", f_to: "To",
    f_base: "Training base", f_category: "Category", f_all: "All", f_search: "Search",
    f_bookable: "You can book", f_not_bookable: "Not bookable then",
    f_none_bookable: "Nothing free for you then: try another time.", f_none: "No equipment is visible to you yet: your school has none on the platform and no enterprise offers any to it. Ask your instructor.",
    f_none_filtered: "No equipment matches these filters.",
    f_book: "Book", f_book_item: "Book {item}", f_details: "Details and week",
    f_needs_approval: "Needs approval", f_booked: "Booked: {span}.", f_requested:
      "Requested: {span}. It awaits approval.", f_open: "Open the booking",
    f_at: "{base} · {category}", f_results: "{count} items",
  },
  zh: {
    f_title: "查找设备", f_date: "日期", f_from: "开始", f_to: "结束",
    f_base: "实训基地", f_category: "类别", f_all: "全部", f_search: "查找",
    f_bookable: "可预约", f_not_bookable: "该时段不可预约",
    f_none_bookable: "该时段没有您可预约的设备，请换个时间。", f_none: "暂时没有您可见的设备：贵校尚未在平台登记设备，也没有企业向贵校开放设备。请咨询您的老师。",
    f_none_filtered: "没有符合筛选条件的设备。",
    f_book: "预约", f_book_item: "预约 {item}", f_details: "详情与周视图",
    f_needs_approval: "需审批", f_booked: "已预约：{span}。", f_requested:
      "已提交申请：{span}，等待审批。", f_open: "查看预约",
    f_at: "{base} · {category}", f_results: "{count} 台设备",
  },
});

const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export async function render(main, ctx) {
  const q = ctx.query;
  const date = h("input", { type: "date", required: true, testid: "find-date",
    value: q.get("on") || addDays(localDate(now(), LOCAL_ZONE), 1) });
  const from = h("input", { type: "time", required: true, step: 900, testid: "find-from",
    value: q.get("from") || "14:00" });
  const to = h("input", { type: "time", required: true, step: 900, testid: "find-to",
    value: q.get("to") || "16:00" });
  const base = select([["", t("f_all")]], { testid: "find-base" });
  const category = select([["", t("f_all")]], { testid: "find-category" });
  const form = h("form", { class: "card fields", testid: "find-form" },
    field(t("f_date"), date, { class: "wide" }), field(t("f_from"), from), field(t("f_to"), to),
    field(t("f_base"), base), field(t("f_category"), category),
    h("div", { class: "wide" }, h("button", { type: "submit", testid: "find-submit" },
      t("f_search"))));
  const errors = h("div", { "aria-live": "polite" });
  const results = h("div", { testid: "find-results", "aria-live": "polite" });
  put(main, heading(t("f_title")), form, errors, results);

  const lists = Promise.all([
    api.all("/training-bases", { sort: "name" }, 300),
    api.all("/equipment-categories", { sort: "name" }, 300),
  ]).then(([bases, categories]) => {
    for (const b of bases) base.append(new Option(b.name, b.id));
    for (const c of categories) category.append(new Option(c.name, c.code));
    base.value = q.get("base_id") || "";
    category.value = q.get("category") || "";
  }).catch((error) => errors.append(banner(error)));

  function itemRow(answer) {
    const e = answer.equipment;
    const zone = answer.timezone || e.timezone;
    const region = h("div", { "aria-live": "polite" });
    const row = h("li", { testid: answer.bookable ? "bookable-item" : "unbookable-item",
      dataset: { id: String(e.id) } },
      h("div", { class: "row spread" },
        h("a", { href: `/equipment/${e.id}`, testid: "item-link" }, e.name),
        answer.bookable && answer.status === "pending"
          ? h("span", { class: "status pending" }, t("f_needs_approval")) : null),
      h("div", { class: "muted" }, t("f_at", { base: e.base_name,
        category: e.category_name || e.category_code })),
      h("div", {}, formatSpan(answer.starts_at, answer.ends_at, zone)),
      answer.bookable ? null : h("div", { testid: "refusal" },
        explain(answer.refusal, { timezone: zone })),
      region);
    if (answer.bookable) {
      const book = actionButton(t("f_book"), async () => {
        const made = await api.post("/reservations", { equipment_id: e.id,
          starts_at: answer.starts_at, ends_at: answer.ends_at });
        book.remove();
        put(region, banner(t(made.status === "pending" ? "f_requested" : "f_booked",
          { span: formatSpan(made.starts_at, made.ends_at, made.timezone) }),
        { kind: "ok", testid: "booked" }),
        h("a", { href: `/bookings/${made.id}`, testid: "open-booking" }, t("f_open")));
      }, { region, context: { timezone: zone }, attrs: { testid: "book",
        "aria-label": t("f_book_item", { item: e.name }) } });
      row.insertBefore(h("div", { class: "actions" }, book), region);
    }
    return row;
  }

  async function search() {
    errors.replaceChildren();
    const params = { on: date.value, from: from.value, to: to.value === "00:00" ? "24:00"
      : to.value, base_id: base.value, category: category.value };
    history.replaceState(null, "", `/find${api.query(params)}`);
    put(results, loading());
    try {
      const items = await api.all("/equipment/bookable", params, 500);
      const good = items.filter((a) => a.bookable);
      const bad = items.filter((a) => !a.bookable);
      put(results, 
        h("section", { class: "card", "aria-labelledby": "h-bookable" },
          h("h2", { id: "h-bookable" }, t("f_bookable")),
          good.length ? h("ul", { class: "list", testid: "bookable" }, good.map(itemRow))
            : h("p", { testid: "none-bookable" }, items.length ? t("f_none_bookable")
              : t(base.value || category.value ? "f_none_filtered" : "f_none"))),
        bad.length ? h("section", { class: "card", "aria-labelledby": "h-unbookable" },
          h("h2", { id: "h-unbookable" }, t("f_not_bookable")),
          h("ul", { class: "list", testid: "unbookable" }, bad.map(itemRow))) : null);
      document.body.dataset.found = String(items.length);
    } catch (error) {
      results.replaceChildren();
      errors.append(banner(error));
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  await lists;
  await search(); // tomorrow afternoon unless the address says otherwise
}
