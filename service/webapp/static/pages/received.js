// The outcomes an enterprise received: what each session on its equipment taught (skills,
// trainees, hours, result, links), grouped per offer, school and month, with filters. People
// are their full names only: nothing private leaves the API.

import * as api from "../api.js";
import { add, language, t } from "../i18n.js";
import { field, h, heading, put, select } from "../ui.js";
import { dataTable } from "../workspace.js";
import { formatSpan, localDate } from "../time.js";
import { useStylesheet } from "./teach.js";
import { hours, monthName } from "./returns-parts.js";

add({
  en: {
    received_title: "Outcomes received",
    received_intro: "What the sessions on your equipment taught, as the schools recorded it.",
    received_offer: "Offer", received_school: "School", received_month: "Month",
    received_any: "All",
    received_offer_name: "Offer {id}", received_offer_to: "Offer {id} to {school}", received_no_offer: "Outside offers",
    received_group: "{offer} · {school} · {month}",
    received_count: "{count} outcomes",
    received_session: "Session", received_item: "Item", received_holder: "Booked by",
    received_skills: "Skills", received_trainees: "Trainees", received_hours: "Hours",
    received_result: "Result", received_links: "Links",
    received_none: "No outcome matches these filters.",
  },
  zh: {
    received_title: "收到的成果",
    received_intro: "学校记录的、在您设备上开展的课程所取得的教学成果。",
    received_offer: "共享", received_school: "学校", received_month: "月份",
    received_any: "全部",
    received_offer_name: "共享 {id}", received_offer_to: "共享 {id}（{school}）", received_no_offer: "非共享预约",
    received_group: "{offer} · {school} · {month}",
    received_count: "{count} 条成果",
    received_session: "课程时间", received_item: "设备", received_holder: "预约人",
    received_skills: "技能", received_trainees: "受训人数", received_hours: "小时",
    received_result: "成果", received_links: "链接",
    received_none: "没有符合筛选条件的成果。",
  },
});

const monthOf = (o) => localDate(o.reservation.starts_at, o.reservation.timezone).slice(0, 7);

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "returns.css");
  const [outcomes, offers, skills] = await Promise.all([
    api.all("/outcomes", { sort: "-starts_at" }),
    api.all("/offers"),
    api.all("/skills").catch(() => []),
  ]);
  const labels = new Map(skills.map((s) => [s.tag, language() === "zh" ? s.label_zh
    : s.label_en]));
  const offerSchools = new Map(offers.map((o) => [o.id, o.school_name]));
  const offerName = (id) => (id === null || id === undefined ? t("received_no_offer")
    : t("received_offer_name", { id }));
  const offerChoice = (id) => (offerSchools.has(id) ? t("received_offer_to",
    { id, school: offerSchools.get(id) }) : offerName(id));
  const schools = new Map(outcomes.map((o) => [o.school.id, o.school.name]));
  const months = [...new Set(outcomes.map(monthOf))].sort().reverse();

  const any = ["", t("received_any")];
  const offerPick = select([any, ...[...new Set(outcomes.map((o) => o.reservation.offer_id))]
    .filter((id) => id !== null && id !== undefined).map((id) => [String(id), offerChoice(id)])],
  { testid: "received-offer" });
  const schoolPick = select([any, ...[...schools].map(([id, name]) => [String(id), name])],
    { testid: "received-school" });
  const monthPick = select([any, ...months.map((m) => [m, monthName(m)])],
    { testid: "received-month" });
  const groups = h("div", { testid: "received-groups" });

  const columns = [
    { key: "starts_at", label: t("received_session"), value: (o) => o.reservation.starts_at,
      cell: (o) => formatSpan(o.reservation.starts_at, o.reservation.ends_at,
        o.reservation.timezone) },
    { key: "item", label: t("received_item"), value: (o) => o.reservation.equipment_name },
    { key: "holder", label: t("received_holder"), value: (o) => o.reservation.holder_name },
    { key: "skills", label: t("received_skills"), sortable: false,
      cell: (o) => [...o.skills.map((s) => labels.get(s) || s), ...o.free_tags].join(", ") },
    { key: "trainee_count", label: t("received_trainees"), numeric: true },
    { key: "hours", label: t("received_hours"), numeric: true, cell: (o) => hours(o.hours) },
    { key: "result", label: t("received_result"), sortable: false, cell: (o) => o.result },
    { key: "links", label: t("received_links"), sortable: false,
      cell: (o) => (o.links.length ? h("ul", { class: "links" }, o.links.map((href) =>
        h("li", {}, h("a", { href, rel: "noopener noreferrer nofollow", target: "_blank" },
          href)))) : "–") },
  ];

  function draw() {
    const chosen = outcomes.filter((o) =>
      (!offerPick.value || String(o.reservation.offer_id) === offerPick.value)
      && (!schoolPick.value || String(o.school.id) === schoolPick.value)
      && (!monthPick.value || monthOf(o) === monthPick.value));
    const grouped = new Map();
    for (const o of chosen) {
      const key = `${o.reservation.offer_id}|${o.school.id}|${monthOf(o)}`;
      grouped.set(key, [...(grouped.get(key) || []), o]);
    }
    put(groups, chosen.length ? [...grouped.values()].map((list) => {
      const first = list[0];
      const title = t("received_group", { offer: offerName(first.reservation.offer_id),
        school: first.school.name, month: monthName(monthOf(first)) });
      return h("section", { class: "card heading-captions", testid: "received-group", dataset: {
        offerId: first.reservation.offer_id ?? "", schoolId: first.school.id,
        month: monthOf(first) } },
      h("h2", {}, title),
      h("p", { class: "muted" }, t("received_count", { count: list.length })),
      dataTable({ columns, rows: list, caption: title, testid: "received-table",
        rowAttrs: (o) => ({ testid: "received-row", dataset: { outcomeId: o.id,
          reservationId: o.reservation.id } }) }));
    }) : h("p", { class: "muted card", testid: "received-empty" }, t("received_none")));
  }

  for (const pick of [offerPick, schoolPick, monthPick]) pick.addEventListener("change", draw);
  draw();
  put(main, heading(t("received_title")), h("p", {}, t("received_intro")),
    h("div", { class: "card filters", role: "group", "aria-label": t("received_title") },
      field(t("received_offer"), offerPick), field(t("received_school"), schoolPick),
      field(t("received_month"), monthPick)),
    groups);
  return unlink;
}
