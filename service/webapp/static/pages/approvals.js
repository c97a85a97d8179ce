// Requests waiting for the caller's decision (the school's items that need approval, or an
// enterprise's items booked under its offers): who, what, when in the item's zone, the deadline
// counting down (redrawn every 30 s), and approve or reject with a reason.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, banner, field, h, heading } from "../ui.js";
import { formatInstant, formatSpan } from "../time.js";
import { useStylesheet } from "./teach.js";
import { countdown } from "./countdown.js";

add({
  en: {
    approvals_title: "Requests to decide",
    approvals_none: "No request is waiting for you.",
    approvals_by: "Requested by {name}",
    approvals_attendees: "{count} attendees",
    approvals_decide_by: "Decide by {when}",
    approvals_reason: "Reason (needed to reject)",
    approvals_approve: "Approve", approvals_reject: "Reject",
    approvals_approved: "Approved: {item} for {name}.",
    approvals_rejected: "Rejected: {item} for {name}.",
    approvals_reason_needed: "Give a reason to reject the request.",
  },
  zh: {
    approvals_title: "待审批的申请",
    approvals_none: "没有等待您审批的申请。",
    approvals_by: "申请人：{name}",
    approvals_attendees: "{count} 名参加者",
    approvals_decide_by: "请在 {when} 前决定",
    approvals_reason: "理由（拒绝时必填）",
    approvals_approve: "批准", approvals_reject: "拒绝",
    approvals_approved: "已批准：{name} 的 {item}。",
    approvals_rejected: "已拒绝：{name} 的 {item}。",
    approvals_reason_needed: "拒绝申请时请填写理由。",
  },
});

// Pending requests the caller may decide: `decidable=true` where the API knows it, else every
// pending request the caller sees (the API still refuses a decision that is not theirs).
async function pending() {
  try {
    return await api.all("/reservations", { status: "pending", decidable: true, sort: "starts_at" });
  } catch (error) {
    if (error.status !== 422) throw error;
    return api.all("/reservations", { status: "pending", sort: "starts_at" });
  }
}

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx);
  const unlinkReturns = useStylesheet(ctx, "returns.css");
  const notice = h("div", { testid: "approvals-notice", "aria-live": "polite" });
  const list = h("ul", { class: "list", testid: "approvals" });

  async function draw() {
    const requests = await pending();
    list.replaceChildren(...(requests.length ? requests.map(row)
      : [h("li", { class: "muted", testid: "approvals-empty" }, t("approvals_none"))]));
  }

  function row(r) {
    const region = h("div", { "aria-live": "polite" });
    const reasonId = `reason-${r.id}`;
    const reason = h("textarea", { id: reasonId, rows: 2, maxlength: 500, testid: "reason" });
    const decide = (verb) => async () => {
      const text = reason.value.trim();
      if (verb === "reject" && !text) {
        region.replaceChildren(banner(t("approvals_reason_needed")));
        reason.focus();
        return;
      }
      await api.post(`/reservations/${r.id}/${verb}`, text ? { reason: text } : {});
      await draw();
      // Said once the list is redrawn (the decided row gone), where focus goes next.
      notice.replaceChildren(banner(t(verb === "approve" ? "approvals_approved"
        : "approvals_rejected", { item: r.equipment_name, name: r.holder_name }),
      { kind: "ok", testid: "decided" }));
      main.querySelector("h1")?.focus();
    };
    return h("li", { testid: "request", dataset: { reservationId: r.id } },
      h("p", { class: "row spread" }, h("strong", {}, r.equipment_name),
        h("span", { class: "status pending" }, t("status_pending"))),
      h("p", {}, formatSpan(r.starts_at, r.ends_at, r.timezone)),
      h("p", { class: "muted" }, t("approvals_by", { name: r.holder_name }),
        r.attendees.length ? ` · ${t("approvals_attendees", { count: r.attendees.length })}` : ""),
      r.purpose ? h("p", {}, r.purpose) : null,
      r.decide_by ? h("p", { testid: "decide-by" }, t("approvals_decide_by",
        { when: formatInstant(r.decide_by, r.timezone) }), " · ", countdown(r.decide_by))
        : null,
      field(t("approvals_reason"), reason),
      h("div", { class: "actions" },
        actionButton(t("approvals_approve"), decide("approve"),
          { region, attrs: { testid: "approve" } }),
        actionButton(t("approvals_reject"), decide("reject"),
          { region, attrs: { testid: "reject", class: "danger" } })),
      region);
  }

  await draw();
  main.replaceChildren(heading(t("approvals_title")), notice,
    h("section", { class: "card" }, list));
  // The deadlines count down while the page is open (each countdown reads the server's clock).
  const timer = setInterval(() => countdown.tick(main), 30000);
  return () => {
    clearInterval(timer);
    unlinkReturns();
    unlink();
  };
}
