// One offer (the enterprise's staff and the addressed school's admins): its status, the
// school's decision and reason, items, terms, windows on a calendar and history; the enterprise
// edits, submits or withdraws it (the bookings a withdrawal cancels shown first), the school's
// admin approves or rejects it with a reason. Every move sends If-Match from the page's ETag.

import * as api from "../api.js";
import { add, number, t } from "../i18n.js";
import { banner, confirmDialog, field, h, heading, loading, put } from "../ui.js";
import { formatInstant, today } from "../time.js";
import { load, saveWithEtag } from "../workspace.js";
import { offerCalendar } from "./offer-calendar.js";
import { affectedList, failure, offerStatus } from "./offer-words.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    offer_title: "Offer {id}", offer_from_to: "{enterprise} to {school}",
    offer_decision_approved: "The school approved it on {when}.",
    offer_decision_rejected: "The school rejected it on {when}.",
    offer_decision_reason: "Reason: {reason}",
    offer_items: "Items", offer_value: "{value} per hour (declared)",
    offer_terms: "Terms", offer_windows: "Windows", offer_history: "History",
    offer_event: "{from} → {to}", offer_event_created: "drafted",
    offer_edit: "Edit", offer_submit: "Submit to the school", offer_withdraw: "Withdraw",
    offer_approve: "Approve", offer_reject: "Reject",
    offer_reason: "Reason (needed to reject)", offer_reason_needed: "Give a reason to reject.",
    offer_withdraw_reason: "Reason given to the school",
    offer_withdraw_confirm: "Withdraw this offer?",
    offer_withdraw_none: "No booking under it is still to come: nothing is cancelled.",
    offer_withdraw_preview: "What withdrawing does to the bookings still to come:",
    offer_done_submitted: "Sent to the school.", offer_done_approved: "Approved.",
    offer_done_rejected: "Rejected.", offer_done_withdrawn: "Withdrawn.",
    offer_withdrawn_list: "The bookings it touched:",
    offer_no_reason: "(no reason given)",
    yes_word: "Yes", no_word: "No",
  },
  zh: {
    offer_title: "共享 {id}", offer_from_to: "{enterprise} 提供给 {school}",
    offer_decision_approved: "学校已于 {when} 批准。",
    offer_decision_rejected: "学校已于 {when} 拒绝。",
    offer_decision_reason: "理由：{reason}",
    offer_items: "设备", offer_value: "每小时 {value}（申报）",
    offer_terms: "条件", offer_windows: "时段窗口", offer_history: "历史记录",
    offer_event: "{from} → {to}", offer_event_created: "起草",
    offer_edit: "修改", offer_submit: "提交学校审核", offer_withdraw: "撤回",
    offer_approve: "批准", offer_reject: "拒绝",
    offer_reason: "理由（拒绝时必填）", offer_reason_needed: "拒绝时请填写理由。",
    offer_withdraw_reason: "告知学校的理由",
    offer_withdraw_confirm: "确定撤回此共享吗？",
    offer_withdraw_none: "该共享下没有尚未开始的预约：不会取消任何预约。",
    offer_withdraw_preview: "撤回后尚未开始的预约将如下处理：",
    offer_done_submitted: "已提交学校。", offer_done_approved: "已批准。",
    offer_done_rejected: "已拒绝。", offer_done_withdrawn: "已撤回。",
    offer_withdrawn_list: "受影响的预约：",
    offer_no_reason: "（未填写理由）",
    yes_word: "是", no_word: "否",
  },
});

const LIVE = ["draft", "submitted", "approved"];

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "offers.css");
  const id = Number(ctx.params.id);
  const notice = h("div", { "aria-live": "polite", testid: "offer-notice" });
  main.replaceChildren(loading());
  let offer;
  let etag;
  let history;
  let names = new Map();

  async function reload() {
    const [loaded, events] = await Promise.all([load(`/offers/${id}`),
      api.get(`/offers/${id}/history`)]);
    ({ body: offer, etag } = loaded);
    history = events.events;
    names = new Map(offer.items.map((i) => [i.equipment_id, i.equipment_name]));
    draw();
  }

  // A lifecycle move with If-Match; a stale page is redrawn and said so, a refusal explained.
  async function move(verb, body, { done } = {}) {
    notice.replaceChildren();
    try {
      const answer = await saveWithEtag(`/offers/${id}/${verb}`, body, etag,
        { method: "post", reload });
      await reload();
      put(notice, banner(t(`offer_done_${answer.status}`), { kind: "ok",
        testid: "offer-done" }), done ? done(answer) : null);
    } catch (error) {
      notice.replaceChildren(failure(error));
    }
    main.querySelector("h1")?.focus();
  }

  async function withdraw() {
    // What withdrawing would do now, shown before the user confirms.
    let preview;
    try {
      preview = await api.get(`/offers/${id}/withdrawal-preview`);
    } catch (error) {
      notice.replaceChildren(failure(error));
      return;
    }
    const reasonId = `withdraw-reason-${id}`;
    const reason = h("textarea", { id: reasonId, rows: 2, maxlength: 500,
      testid: "withdraw-reason" });
    const rows = preview.affected_reservations;
    const extra = h("div", { class: "withdraw" },
      rows.length ? [h("p", {}, t("offer_withdraw_preview")),
        affectedList(rows, { itemName: (i) => names.get(i) || `#${i}` })]
        : h("p", { testid: "withdraw-none" }, t("offer_withdraw_none")),
      h("label", { for: reasonId }, h("span", {}, t("offer_withdraw_reason")), reason));
    const go = await confirmDialog(t("offer_withdraw_confirm"), { ok: t("offer_withdraw"),
      extra });
    if (!go) return;
    const text = reason.value.trim();
    await move("withdraw", text ? { reason: text } : {}, { done: (answer) =>
      (answer.affected_reservations?.length ? [h("p", {}, t("offer_withdrawn_list")),
        affectedList(answer.affected_reservations, { done: true, testid: "withdrawn-affected",
          itemName: (i) => names.get(i) || `#${i}` })] : null) });
  }

  function actions() {
    const mine = ctx.me.role === "enterprise_staff"
      && ctx.me.organisation_id === offer.enterprise_id;
    const deciding = ctx.me.role === "admin" && ctx.me.organisation_id === offer.school_id
      && offer.status === "submitted";
    const box = h("section", { class: "card actions-card" });
    const button = (testid, label, onClick, cls) => {
      const b = h("button", { type: "button", testid, class: cls || null }, label);
      b.addEventListener("click", async () => {
        b.disabled = true;
        try { await onClick(); } finally { b.disabled = false; }
      });
      return b;
    };
    if (mine && LIVE.includes(offer.status)) {
      box.append(h("div", { class: "actions" },
        h("a", { class: "button secondary", href: `/offers/${id}/edit`, testid: "offer-edit" },
          t("offer_edit")),
        offer.status === "draft" ? button("offer-submit", t("offer_submit"),
          () => move("submit", {})) : null,
        button("offer-withdraw", t("offer_withdraw"), withdraw, "danger")));
    }
    if (deciding) {
      const reason = h("textarea", { rows: 2, maxlength: 500, testid: "offer-reason" });
      const decide = (verb) => async () => {
        const text = reason.value.trim();
        if (verb === "reject" && !text) {
          notice.replaceChildren(banner(t("offer_reason_needed")));
          reason.focus();
          return;
        }
        await move(verb, text ? { reason: text } : {});
      };
      box.append(field(t("offer_reason"), reason), h("div", { class: "actions" },
        button("offer-approve", t("offer_approve"), decide("approve")),
        button("offer-reject", t("offer_reject"), decide("reject"), "danger")));
    }
    return box.childNodes.length ? box : null;
  }

  function draw() {
    const zone = offer.items[0]?.timezone || "UTC";
    const decided = [...history].reverse().find((e) => ["approved", "rejected"]
      .includes(e.to_status) && e.from_status === "submitted");
    const fact = (label, value) => [h("dt", {}, label), h("dd", {}, value)];
    const yes = (v) => t(v ? "yes_word" : "no_word");
    put(main,
      heading(t("offer_title", { id: offer.id })),
      h("p", { class: "row" }, offerStatus(offer.status), h("span", { testid: "offer-parties" },
        t("offer_from_to", { enterprise: offer.enterprise_name, school: offer.school_name }))),
      decided ? h("div", { class: `decision ${decided.to_status}`, testid: "offer-decision",
        dataset: { decision: decided.to_status } },
      h("p", {}, t(`offer_decision_${decided.to_status}`, { when: formatInstant(decided.at,
        zone) })), decided.reason ? h("p", { testid: "offer-decision-reason" },
        t("offer_decision_reason", { reason: decided.reason })) : null) : null,
      notice, actions(),
      h("section", { class: "card" }, h("h2", {}, t("offer_items")),
        h("ul", { class: "list", testid: "offer-items" }, offer.items.map((i) => h("li", {
          testid: "offer-item-row", dataset: { equipmentId: i.equipment_id } },
        h("a", { href: `/equipment/${i.equipment_id}` }, i.equipment_name),
        i.value_per_hour !== null ? h("span", { class: "muted" }, ` · ${t("offer_value",
          { value: number(i.value_per_hour, 2) })}`) : null)))),
      h("section", { class: "card" }, h("h2", {}, t("offer_terms")),
        h("dl", { class: "facts", testid: "offer-terms" },
          fact(t("offers_term_budget"), t("offers_budget_value",
            { hours: number(offer.weekly_hours_budget) })),
          fact(t("offers_term_approval"), offer.requires_approval
            ? t("offers_approval_value", { hours: offer.approval_hours }) : yes(false)),
          fact(t("offers_term_supervisor"), yes(offer.supervisor_on_site)),
          offer.supervisor_contact ? fact(t("offers_term_contact"), offer.supervisor_contact)
            : null,
          offer.allowed_uses ? fact(t("offers_term_uses"), offer.allowed_uses) : null,
          fact(t("offers_term_notice"), t("offers_notice_value",
            { days: offer.withdrawal_notice_days })),
          fact(t("offers_term_asks_back"), t(`offers_asks_${offer.asks_back}`)))),
      h("h2", {}, t("offer_windows")), offerCalendar(offer.windows, today(zone)),
      h("section", { class: "card" }, h("h2", {}, t("offer_history")),
        h("ol", { class: "list", testid: "offer-history" }, history.map((e) => h("li", {
          testid: "history-event", dataset: { to: e.to_status } },
        h("span", { class: "muted" }, formatInstant(e.at, zone)), " · ",
        e.from_status ? t("offer_event", { from: t(`status_${e.from_status}`),
          to: t(`status_${e.to_status}`) }) : t(`status_${e.to_status}`),
        e.reason ? h("p", { class: "reason" }, e.reason) : null)))));
  }

  await reload();
  return unlink;
}
