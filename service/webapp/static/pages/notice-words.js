// A notification in the user's language: the service writes its subject and body in English
// (the e-mail's words), so the page words the reservation notices itself from `kind` and `data`
// (the item's name taken from the subject) and keeps the English text for the other kinds.

import { add, language, t } from "../i18n.js";
import { formatSpan } from "../time.js";

// The service's English subjects (service/notifications/services.py SUBJECTS): "<words>: <item>".
const KINDS = {
  confirmed: ["Reservation confirmed", "预约已确认"],
  pending_approval: ["Reservation awaiting approval", "预约等待审批"],
  approved: ["Reservation approved", "预约已批准"],
  rejected: ["Reservation rejected", "预约被拒绝"],
  cancelled: ["Reservation cancelled", "预约已取消"],
  lapsed: ["Request lapsed", "申请已过期"],
  reminder: ["Reservation starting soon", "预约即将开始"],
  no_show: ["Reservation marked as no-show", "预约被记为未到"],
  waitlist_offer: ["A slot you waited for is free", "您候补的时段已空出"],
  request_received: ["Booking request to decide", "有待审批的预约申请"],
  request_lapsing: ["Booking request about to lapse", "预约申请即将过期"],
  class_booked: ["Class booked", "课程已预约"],
  class_moved: ["Class moved", "课程已改期"],
  class_cancelled: ["Class cancelled", "课程已取消"],
  waitlist_passed_over: ["Waitlist: the slot went on without you", "候补：该时段已由他人预约"],
};

add({ en: { nw_reason: "Reason: {reason}" }, zh: { nw_reason: "原因：{reason}" } });

// {title, lines}: what to show for notification `n`.
export function describeNotice(n) {
  const words = KINDS[n.kind];
  const subject = n.subject || n.kind;
  if (!words || language() === "en") return { title: subject, lines: [n.body].filter(Boolean) };
  const prefix = `${words[0]}: `;
  const item = subject.startsWith(prefix) ? subject.slice(prefix.length) : "";
  const data = n.data || {};
  const lines = [];
  if (data.starts_at && data.ends_at && data.timezone) {
    lines.push(formatSpan(data.starts_at, data.ends_at, data.timezone));
  }
  if (data.reason) lines.push(t("nw_reason", { reason: data.reason }));
  return { title: item ? `${words[1]}：${item}` : words[1], lines };
}
