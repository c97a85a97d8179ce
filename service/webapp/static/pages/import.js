// Import a roster (people) or an inventory (equipment) from a CSV or XLSX file: the file is
// checked first (a dry run: every problem by row and column, what would be created, updated or
// left alone, who is missing), then imported all at once. Names from the file are shown as text.

import * as api from "../api.js";
import { add, language, t } from "../i18n.js";
import { actionButton, field, h, heading, select } from "../ui.js";
import { dataTable, failure } from "../workspace.js";
import { checkbox, useStylesheet } from "./teach.js";

const COLUMNS = ["email", "full_name", "role", "class", "student_number", "language", "name",
  "asset_tag", "category", "base", "status", "description", "slot_minutes",
  "min_duration_minutes", "max_duration_minutes", "setup_buffer_minutes",
  "booking_horizon_days", "max_attendees", "requires_approval", "requires_qualification"];

add({
  en: {
    imp_title: "Import people or equipment",
    imp_intro: "Upload a CSV (UTF-8 or GB18030) or XLSX file whose first row names the "
      + "columns. The file is checked first; nothing is written until you import it.",
    imp_kind: "What the file lists", imp_kind_people: "People (a roster)",
    imp_kind_equipment: "Equipment (an inventory)", imp_file: "File (.csv or .xlsx)",
    imp_columns_people: "Columns: email, full_name, role (required); class, student_number, "
      + "language (optional). Chinese headers (邮箱, 姓名, 角色, 班级, 学号, 语言) work too.",
    imp_columns_equipment: "Columns: name, asset_tag, category, base (required); status, "
      + "description and the booking rules (slot_minutes, min_duration_minutes, "
      + "max_duration_minutes, setup_buffer_minutes, booking_horizon_days, max_attendees, "
      + "requires_approval, requires_qualification) optional.",
    imp_disable: "Disable the people the file leaves out",
    imp_check: "Check the file", imp_commit: "Import {rows} rows",
    imp_choose: "Choose a file first.",
    imp_summary: "{rows} rows: {created} new, {updated} updated, {unchanged} unchanged.",
    imp_disabled: "{disabled} people not in the file will be disabled.",
    imp_problems: "{count} problems: fix them in the file and check it again. Nothing was "
      + "written.",
    imp_problems_caption: "Problems by row and column", imp_row: "Row", imp_column: "Column",
    imp_problem: "Problem", imp_ready: "No problems: the file can be imported.",
    imp_done: "Imported: {created} new, {updated} updated, {unchanged} unchanged, "
      + "{disabled} disabled.",
    imp_changes_caption: "What the import does (first {shown} rows)", imp_action: "Action",
    imp_key: "E-mail or asset tag", imp_fields: "Columns",
    imp_create: "create", imp_update: "update", imp_unchanged: "unchanged",
    imp_missing_caption: "Active people not in the file ({count})", imp_name: "Name",
    imp_email: "E-mail",
    imp_c_email: "email", imp_c_full_name: "name", imp_c_role: "role", imp_c_class: "class",
    imp_c_student_number: "student number", imp_c_language: "language", imp_c_name: "name",
    imp_c_asset_tag: "asset tag", imp_c_category: "category", imp_c_base: "base",
    imp_c_status: "status",
    rc_file_too_large: "The file is too large for one import: split it into smaller files.",
    rc_too_many_rows: "The file has more than {limit_rows} rows: split it into smaller files.",
    rc_unsupported_file_type: "This is not a CSV or XLSX file: save the sheet as .xlsx or "
      + ".csv and upload that.",
    rc_unreadable_file: "The file cannot be read: save it again as .xlsx, or as CSV in UTF-8.",
    rc_missing_columns: "The first row lacks the columns: {missing}.",
    rc_import_has_problems: "The file has problems; nothing was written.",
  },
  zh: {
    imp_title: "导入人员或设备",
    imp_intro: "上传 CSV（UTF-8 或 GB18030）或 XLSX 文件，首行为列名。系统先检查文件；"
      + "在您确认导入之前不会写入任何内容。",
    imp_kind: "文件内容", imp_kind_people: "人员（花名册）", imp_kind_equipment: "设备（设备清单）",
    imp_file: "文件（.csv 或 .xlsx）",
    imp_columns_people: "列：邮箱、姓名、角色（必填）；班级、学号、语言（选填）。"
      + "也可使用英文列名（email, full_name, role, class, student_number, language）。",
    imp_columns_equipment: "列：名称、资产编号、类别、基地（必填）；状态、说明及预约规则"
      + "（slot_minutes 等）选填。",
    imp_disable: "停用文件中未列出的人员",
    imp_check: "检查文件", imp_commit: "导入 {rows} 行",
    imp_choose: "请先选择文件。",
    imp_summary: "共 {rows} 行：新建 {created}，更新 {updated}，不变 {unchanged}。",
    imp_disabled: "将停用 {disabled} 名未在文件中的人员。",
    imp_problems: "发现 {count} 个问题：请在文件中修改后重新检查。未写入任何内容。",
    imp_problems_caption: "按行和列列出的问题", imp_row: "行", imp_column: "列",
    imp_problem: "问题", imp_ready: "没有问题：可以导入。",
    imp_done: "已导入：新建 {created}，更新 {updated}，不变 {unchanged}，停用 {disabled}。",
    imp_changes_caption: "导入的内容（前 {shown} 行）", imp_action: "操作",
    imp_key: "邮箱或资产编号", imp_fields: "列",
    imp_create: "新建", imp_update: "更新", imp_unchanged: "不变",
    imp_missing_caption: "未在文件中的在用人员（{count}）", imp_name: "姓名", imp_email: "邮箱",
    imp_c_email: "邮箱", imp_c_full_name: "姓名", imp_c_role: "角色", imp_c_class: "班级",
    imp_c_student_number: "学号", imp_c_language: "语言", imp_c_name: "名称",
    imp_c_asset_tag: "资产编号", imp_c_category: "类别", imp_c_base: "基地",
    imp_c_status: "状态",
    imp_p_required: "必填。", imp_p_invalid_email: "不是有效的电子邮箱。",
    imp_p_duplicate_in_file: "与文件中前面的行重复。",
    imp_p_email_taken: "该邮箱已在其他机构注册。", imp_p_too_long: "内容过长。",
    imp_p_invalid_text: "含有无法保存的字符。", imp_p_invalid_role: "不是有效的角色。",
    imp_p_role_does_not_fit_organisation: "不是本机构的角色。",
    imp_p_invalid_language: "请填写 en 或 zh-Hans（或“中文”/“English”）。",
    imp_p_student_number_not_student: "只有学生有学号。",
    imp_p_student_number_taken: "本校已有人使用该学号。",
    imp_p_class_not_student: "只有学生可以加入班级。",
    imp_p_cannot_change_self: "不能修改自己的角色。",
    imp_p_unknown_category: "没有该类别。", imp_p_unknown_base: "本机构没有该名称的实训基地。",
    imp_p_asset_tag_taken: "该资产编号已被其他机构的设备使用。",
    imp_p_invalid_asset_tag: "只能包含字母、数字及 . _ / -。",
    imp_p_invalid_status: "请填写 active、maintenance 或 retired。",
    imp_p_not_a_number: "请填写整数。", imp_p_out_of_range: "超出允许范围。",
    imp_p_not_a_flag: "请填写“是”或“否”。", imp_p_invalid_booking_rules: "时长与时段不匹配。",
    imp_p_equipment_has_history: "该设备已有预约，不能更换基地。",
    rc_file_too_large: "文件过大，请拆分成多个较小的文件。",
    rc_too_many_rows: "文件超过 {limit_rows} 行，请拆分成多个较小的文件。",
    rc_unsupported_file_type: "这不是 CSV 或 XLSX 文件：请将表格另存为 .xlsx 或 .csv 后上传。",
    rc_unreadable_file: "无法读取该文件：请另存为 .xlsx，或 UTF-8 编码的 CSV。",
    rc_missing_columns: "首行缺少以下列：{missing}。",
    rc_import_has_problems: "文件有问题，未写入任何内容。",
  },
});

const SHOWN_CHANGES = 200;

// The file as multipart/form-data (api.js sends JSON only), with the bearer token.
async function upload(path, file, params) {
  const form = new FormData();
  form.append("file", file, file.name);
  const headers = { Accept: "application/json",
    "Accept-Language": language() === "zh" ? "zh-Hans" : "en" };
  const kept = api.token();
  if (kept) headers.Authorization = `Bearer ${kept}`;
  let response;
  try {
    response = await fetch(`/api/v1${path}?${new URLSearchParams(params)}`,
      { method: "POST", headers, body: form });
  } catch (error) {
    throw new api.ApiError(0, { title: "Network error", detail: String(error.message || error),
      code: "network", status: 0 });
  }
  let body = null;
  try { body = await response.json(); } catch { /* not JSON: the status says enough */ }
  if (!response.ok) throw new api.ApiError(response.status, body);
  return body;
}

const columnName = (column) => (t(`imp_c_${column}`) === `imp_c_${column}` ? column
  : t(`imp_c_${column}`));
// The problem in the reader's language when the page knows its code, else the server's words.
const problemText = (problem) => (language() === "zh" && t(`imp_p_${problem.code}`)
  !== `imp_p_${problem.code}` ? t(`imp_p_${problem.code}`) : problem.message);

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "import.css");
  const { me } = ctx;
  const peopleAllowed = me.role === "admin" || me.is_manager;
  const kinds = [...(peopleAllowed ? [["people", t("imp_kind_people")]] : []),
    ["equipment", t("imp_kind_equipment")]];
  const wanted = ctx.query.get("kind");
  const kind = select(kinds, { testid: "import-kind",
    value: kinds.some(([k]) => k === wanted) ? wanted : kinds[0][0] });
  const file = h("input", { type: "file", testid: "import-file", required: true,
    accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  const disable = h("input", { type: "checkbox", testid: "import-disable-missing" });
  const disableBox = checkbox(disable, t("imp_disable"), { testid: "import-disable-box" });
  const hint = h("p", { class: "muted", testid: "import-columns" });
  const notice = h("div", { "aria-live": "polite", testid: "import-notice" });
  const result = h("div", { testid: "import-result" });
  const commitHolder = h("div");
  const path = () => `/organisations/${me.organisation_id}/imports/${kind.value}`;

  const sync = () => {
    hint.textContent = t(`imp_columns_${kind.value}`);
    disableBox.hidden = kind.value !== "people";
    notice.replaceChildren();
    result.replaceChildren();
    commitHolder.replaceChildren();
  };
  kind.addEventListener("change", sync);
  file.addEventListener("change", sync);
  disable.addEventListener("change", sync);
  sync();

  async function run(commit) {
    notice.replaceChildren();
    const chosen = file.files && file.files[0];
    if (!chosen) {
      notice.replaceChildren(failure(t("imp_choose")));
      return;
    }
    const params = { commit: String(commit) };
    if (kind.value === "people") params.disable_missing = String(disable.checked);
    let report;
    try {
      report = await upload(path(), chosen, params);
    } catch (error) {
      commitHolder.replaceChildren();
      if (error?.code === "import_has_problems" && error.body?.report) {
        show(error.body.report);
      } else {
        result.replaceChildren();
      }
      notice.replaceChildren(failure(error));
      return;
    }
    show(report);
  }

  function show(report) {
    const parts = [h("p", { testid: "import-summary" }, t("imp_summary", report))];
    if (report.kind === "people" && report.disabled && !report.committed) {
      parts.push(h("p", { testid: "import-disabled" }, t("imp_disabled", report)));
    }
    commitHolder.replaceChildren();
    if (report.problems.length) {
      parts.push(h("p", { class: "banner", role: "alert", testid: "import-has-problems" },
        t("imp_problems", { count: report.problems.length })));
      parts.push(dataTable({ caption: t("imp_problems_caption"), testid: "import-problems",
        columns: [
          { key: "row", label: t("imp_row"), numeric: true },
          { key: "column", label: t("imp_column"), value: (p) => columnName(p.column) },
          { key: "message", label: t("imp_problem"), value: problemText },
        ],
        rows: report.problems, rowAttrs: (p) => ({ testid: "import-problem",
          dataset: { row: p.row, column: p.column, code: p.code } }) }));
    } else if (report.committed) {
      notice.replaceChildren(h("p", { class: "banner info", role: "status",
        testid: "import-done" }, t("imp_done", report)));
    } else {
      parts.push(h("p", { class: "banner info", role: "status", testid: "import-ready" },
        t("imp_ready")));
      commitHolder.replaceChildren(actionButton(t("imp_commit", { rows: report.rows }),
        () => run(true), { attrs: { testid: "import-commit" } }));
    }
    const shown = report.changes.slice(0, SHOWN_CHANGES);
    if (shown.length) {
      parts.push(dataTable({ caption: t("imp_changes_caption", { shown: shown.length }),
        testid: "import-changes", columns: [
          { key: "row", label: t("imp_row"), numeric: true },
          { key: "action", label: t("imp_action"), value: (c) => t(`imp_${c.action}`) },
          { key: "key", label: t("imp_key") },
          { key: "fields", label: t("imp_fields"), sortable: false,
            value: (c) => c.fields.map(columnName).join(", ") },
        ], rows: shown, rowAttrs: (c) => ({ dataset: { action: c.action } }) }));
    }
    if (report.missing.length) {
      parts.push(dataTable({ caption: t("imp_missing_caption", { count: report.missing.length }),
        testid: "import-missing", columns: [
          { key: "full_name", label: t("imp_name") },
          { key: "email", label: t("imp_email") },
        ], rows: report.missing }));
    }
    result.replaceChildren(...parts);
  }

  const form = h("form", { class: "import-form", testid: "import-form" },
    field(t("imp_kind"), kind), hint, field(t("imp_file"), file), disableBox,
    h("div", { class: "row" }, h("button", { type: "submit", testid: "import-check" },
      t("imp_check")), commitHolder));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(false);
  });
  main.replaceChildren(heading(t("imp_title")), h("p", {}, t("imp_intro")), form, notice,
    result);
  return unlink;
}
