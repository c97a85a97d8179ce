// An item's edit page for its owner (a school's admin, an enterprise's staff): name, category,
// status and every booking rule, saved with the ETag the form was drawn from (someone else's
// change meanwhile is explained and the form redrawn from it, never overwritten), and its
// blackouts.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { actionButton, confirmDialog, field, h, heading, select } from "../ui.js";
import { failure, load, saveWithEtag } from "../workspace.js";
import { blackoutsSection } from "./equipment-blackouts.js";
import { said, section } from "./school-words.js";
import { checkbox, useStylesheet } from "./teach.js";

add({
  en: {
    eq_title: "Edit {name}", eq_details: "The item", eq_rules: "Booking rules",
    eq_name: "Name", eq_category: "Category", eq_status: "Status", eq_base: "Base: {base}",
    eq_slot: "Slot grid (minutes)", eq_min: "Shortest booking (minutes)",
    eq_max: "Longest booking (minutes)", eq_buffer: "Kept free after each use (minutes)",
    eq_horizon: "Bookable up to (days ahead)", eq_attendees: "Most people per booking",
    eq_approval: "Each booking needs the owner's approval",
    eq_qualification: "Holders need a qualification for the category",
    eq_save: "Save", eq_saved: "Saved.", eq_unchanged: "Nothing changed.",
    eq_retire_confirm: "Retire {name}? A retired item stays retired; its figures are kept.",
    eq_view: "See the item's page", eq_not_yours: "This item belongs to another organisation: "
      + "only its owner changes it.",
  },
  zh: {
    eq_title: "编辑 {name}", eq_details: "设备信息", eq_rules: "预约规则",
    eq_name: "名称", eq_category: "类别", eq_status: "状态", eq_base: "基地：{base}",
    eq_slot: "时间格（分钟）", eq_min: "最短预约（分钟）", eq_max: "最长预约（分钟）",
    eq_buffer: "每次使用后预留（分钟）", eq_horizon: "可提前预约（天）",
    eq_attendees: "每次预约最多人数", eq_approval: "每个预约须经所有方批准",
    eq_qualification: "预约人须具备该类别的资质",
    eq_save: "保存", eq_saved: "已保存。", eq_unchanged: "没有修改。",
    eq_retire_confirm: "将 {name} 报废？报废后不能恢复；其历史数据保留。",
    eq_view: "查看设备页面", eq_not_yours: "该设备属于其他机构，只有所有方可以修改。",
  },
});

// [field, label, min, max, test id]: every rule of the item.
const NUMBERS = [["slot_minutes", "eq_slot", 5, 1440, "rule-slot"],
  ["min_duration_minutes", "eq_min", 5, 10080, "rule-min"],
  ["max_duration_minutes", "eq_max", 5, 10080, "rule-max"],
  ["setup_buffer_minutes", "eq_buffer", 0, 1440, "rule-buffer"],
  ["booking_horizon_days", "eq_horizon", 1, 730, "rule-horizon"],
  ["max_attendees", "eq_attendees", 1, 500, "rule-attendees"]];
const FLAGS = [["requires_approval", "eq_approval", "rule-approval"],
  ["requires_qualification", "eq_qualification", "rule-qualification"]];

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "school.css");
  const id = Number(ctx.params.id);
  const path = `/equipment/${id}`;
  const categories = await api.all("/equipment-categories");
  const notice = h("div", { "aria-live": "polite", testid: "equipment-notice" });
  const formHolder = h("div");
  const title = heading("");
  let item;
  let etag;

  async function draw() {
    ({ body: item, etag } = await load(path));
    title.textContent = t("eq_title", { name: item.name });
    formHolder.replaceChildren(...form());
  }

  function form() {
    const controls = {
      name: h("input", { type: "text", required: true, maxlength: 200, value: item.name,
        testid: "equipment-name" }),
      category_id: select(categories.map((c) => [String(c.id), c.name]),
        { testid: "equipment-category", value: String(item.category_id) }),
      status: select(["active", "maintenance", "retired"].map((s) => [s,
        t(`equipment_status_${s}`)]), { testid: "equipment-status", value: item.status,
        disabled: item.status === "retired" }),
    };
    for (const [key, , min, max, id] of NUMBERS) {
      controls[key] = h("input", { type: "number", min, max, step: 1, required: true,
        value: String(item[key]), testid: id, inputmode: "numeric" });
    }
    for (const [key, , id] of FLAGS) {
      controls[key] = h("input", { type: "checkbox", checked: item[key], testid: id });
    }
    const region = h("div", { "aria-live": "polite" });
    const save = actionButton(t("eq_save"), async () => {
      const changes = {};
      for (const [key, control] of Object.entries(controls)) {
        const value = control.type === "checkbox" ? control.checked
          : control.type === "number" ? Number(control.value)
            : key === "category_id" ? Number(control.value) : control.value.trim();
        if (value !== item[key]) changes[key] = value;
      }
      notice.replaceChildren();
      if (!Object.keys(changes).length) {
        said(notice, t("eq_unchanged"));
        return;
      }
      if (changes.status === "retired"
        && !await confirmDialog(t("eq_retire_confirm", { name: item.name }))) return;
      try {
        await saveWithEtag(path, changes, etag, { reload: draw });
      } catch (error) {
        // A stale edit redraws the form: say so at the top; a refusal beside the button.
        (error?.stale ? notice : region).replaceChildren(failure(error,
          { timezone: item.timezone }));
        return;
      }
      await draw();
      said(notice, t("eq_saved"));
    }, { region, attrs: { testid: "equipment-save" } });
    return [
      section("eq-details", t("eq_details"),
        h("p", { class: "muted" }, t("eq_base", { base: item.base_name }), " · ",
          item.asset_tag, " · ", h("a", { href: path }, t("eq_view"))),
        h("div", { class: "fields" }, field(t("eq_name"), controls.name),
          field(t("eq_category"), controls.category_id), field(t("eq_status"), controls.status))),
      section("eq-rules", t("eq_rules"),
        h("div", { class: "fields" }, NUMBERS.map(([key, label]) => field(t(label), controls[key]))),
        FLAGS.map(([key, label]) => checkbox(controls[key], t(label)))),
      h("div", { class: "actions" }, save), region,
    ];
  }

  await draw();
  const mine = item.owner_organisation_id === ctx.me.organisation_id;
  if (!mine) {
    main.replaceChildren(title,
      h("p", { class: "banner info", testid: "not-yours" }, t("eq_not_yours")),
      h("a", { href: path }, t("eq_view")));
    return unlink;
  }
  const blackouts = await blackoutsSection(item, { editable: true, notice });
  main.replaceChildren(title, notice, formHolder,
    blackouts);
  return unlink;
}
