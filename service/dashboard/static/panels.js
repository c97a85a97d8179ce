// The panels that are tables and figures rather than charts: idle equipment (with a draft
// offer for enterprise staff) and an enterprise's impact.

import * as api from "/app/static/api.js";
import { day, number, percent, t } from "./i18n.js";

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function showError(element, error) {
  element.textContent = error ? error.message : "";
  element.hidden = !error;
}

let schools = null;
async function schoolList() {
  schools ||= await api.all("/organisations", { kind: "school", sort: "name" });
  return schools;
}

// The idle findings for the page's filters (base_id, category, owner_id; blanks left out).
function idleAnswer(params) {
  return api.get("/reports/idle",
    Object.fromEntries(Object.entries(params).filter(([, v]) => v !== "")));
}

// The idle list; `me` decides whether each row gets a "Draft offer" button.
export async function loadIdle(me, params) {
  const panel = document.getElementById("idle");
  const body = panel.querySelector("tbody");
  const summary = document.getElementById("idle-summary");
  const error = document.getElementById("idle-error");
  panel.dataset.state = "loading";
  let answer;
  try {
    answer = await idleAnswer(params);
  } catch (failure) {
    body.replaceChildren();
    summary.textContent = "";
    showError(error, failure);
    panel.dataset.state = "error";
    return;
  }
  showError(error, null);
  panel.dataset.plotted = JSON.stringify(answer.items.map((i) => i.equipment_id));
  summary.textContent = answer.week_start === null ? t("idle_never")
    : answer.items.length === 0 ? t("idle_none")
      : t("idle_summary", { threshold: percent(answer.threshold), weeks: answer.weeks,
        week: day(answer.week_start) });
  body.replaceChildren(...answer.items.map((item) => idleRow(me, item)));
  panel.dataset.state = "ready";
}

function idleRow(me, item) {
  const row = document.createElement("tr");
  row.dataset.testid = "idle-row";
  row.dataset.equipmentId = item.equipment_id;
  const suggestion = cell(t(item.suggestion));
  const numeric = (text) => Object.assign(cell(text), { className: "num" });
  row.append(cell(item.equipment_name), cell(item.base_name),
    numeric(percent(item.utilisation)), numeric(number(item.free_hours, 1)), suggestion);
  if (me.role === "enterprise_staff" && item.suggestion === "offer_to_schools") {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.testid = "draft-offer";
    button.textContent = t("draft_offer");
    button.addEventListener("click", () => draftForm(suggestion, item, button));
    suggestion.append(" ", button);
  }
  return row;
}

async function draftForm(where, item, button) {
  button.disabled = true;
  const form = document.createElement("form");
  form.className = "inline";
  form.dataset.testid = "draft-form";
  const select = document.createElement("select");
  select.dataset.testid = "draft-school";
  select.setAttribute("aria-label", t("draft_for"));
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.textContent = t("draft_create");
  const message = document.createElement("p");
  message.dataset.testid = "draft-result";
  form.append(select, submit, message);
  where.append(form);
  try {
    for (const school of await schoolList()) select.append(new Option(school.name, school.id));
  } catch (failure) {
    message.className = "error";
    message.textContent = failure.message;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const offer = await api.post(`/reports/idle/${item.id}/draft-offer`,
        { school_id: Number(select.value) });
      message.className = "ok";
      message.dataset.offerId = offer.id;
      message.textContent = t("draft_made", { id: offer.id, status: offer.status,
        windows: (offer.windows || []).length });
    } catch (failure) {
      message.className = "error";
      message.textContent = failure.message;
      submit.disabled = false;
    }
  });
}

const FIGURES = ["hours_offered", "hours_booked", "hours_used", "sessions", "students_trained",
  "no_shows", "outcomes_received"];

// An enterprise's impact over the filtered days.
export async function loadImpact(me, from, to) {
  const panel = document.getElementById("impact");
  const list = document.getElementById("impact-figures");
  const error = document.getElementById("impact-error");
  panel.hidden = false;
  panel.dataset.state = "loading";
  try {
    const answer = await api.get(`/organisations/${me.organisation_id}/impact`, { from, to });
    showError(error, null);
    panel.dataset.plotted = JSON.stringify(answer.totals);
    list.replaceChildren(...FIGURES.map((key) => {
      const pair = document.createElement("div");
      const term = document.createElement("dt");
      term.textContent = t(key);
      const value = document.createElement("dd");
      value.dataset.testid = `impact-${key}`;
      const figure = answer.totals[key];
      value.textContent = number(figure, Number.isInteger(figure) ? 0 : 1);
      pair.append(term, value);
      return pair;
    }));
    panel.dataset.state = "ready";
  } catch (failure) {
    list.replaceChildren();
    showError(error, failure);
    panel.dataset.state = "error";
  }
}
