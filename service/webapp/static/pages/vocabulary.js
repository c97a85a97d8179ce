// The operator's shared vocabularies: equipment categories and skill tags, each named in English
// and Chinese; add one, or edit its names with If-Match (a stale edit is explained and the list
// redrawn from the current version).

import * as api from "../api.js";
import { add, language, t } from "../i18n.js";
import { actionButton, banner, field, h, heading } from "../ui.js";
import { dataTable, failure, load, saveWithEtag } from "../workspace.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    vocab_title: "Shared vocabularies",
    vocab_intro: "Every organisation uses these words. Give each its English and Chinese name.",
    vocab_categories: "Equipment categories", vocab_skills: "Skill tags",
    vocab_code: "Code", vocab_tag: "Tag", vocab_en: "English", vocab_zh: "Chinese",
    vocab_shown: "Shown as",
    vocab_code_hint: "Lower-case letters, digits, - and _; it never changes.",
    vocab_add_category: "Add the category", vocab_add_skill: "Add the skill tag",
    vocab_edit: "Edit", vocab_edit_name: "Edit {name}",
    vocab_save: "Save", vocab_cancel: "Cancel",
    vocab_editing: "Editing {name}",
    vocab_added: "Added: {name}.", vocab_saved: "Saved: {name}.",
    vocab_missing: "Fill in the code and both names.",
    vocab_actions: "Actions",
    rc_name_taken: "That code or name is already in the vocabulary: choose another.",
  },
  zh: {
    vocab_title: "共享词汇",
    vocab_intro: "所有机构共用这些词汇。请为每一项填写英文和中文名称。",
    vocab_categories: "设备类别", vocab_skills: "技能标签",
    vocab_code: "代码", vocab_tag: "标签", vocab_en: "英文", vocab_zh: "中文",
    vocab_shown: "显示为",
    vocab_code_hint: "小写字母、数字、- 和 _；设定后不可更改。",
    vocab_add_category: "添加类别", vocab_add_skill: "添加技能标签",
    vocab_edit: "编辑", vocab_edit_name: "编辑 {name}",
    vocab_save: "保存", vocab_cancel: "取消",
    vocab_editing: "正在编辑 {name}",
    vocab_added: "已添加：{name}。", vocab_saved: "已保存：{name}。",
    vocab_missing: "请填写代码和两种名称。",
    vocab_actions: "操作",
    rc_name_taken: "该代码或名称已在词汇中：请另选一个。",
  },
});

// The two vocabularies differ only in their paths and field names.
const KINDS = {
  category: { list: "/equipment-categories", one: (c) => `/equipment-categories/${c.id}`,
    key: "code", en: "name", zh: "name_zh", title: "vocab_categories", keyLabel: "vocab_code",
    addLabel: "vocab_add_category", prefix: "cat", sort: "code" },
  skill: { list: "/skills", one: (s) => `/skills/${encodeURIComponent(s.tag)}`,
    key: "tag", en: "label_en", zh: "label_zh", title: "vocab_skills", keyLabel: "vocab_tag",
    addLabel: "vocab_add_skill", prefix: "skill", sort: "tag" },
};

// The name a person reading this page's language sees (English when no Chinese is given).
function shown(kind, row) {
  return (language() === "zh" && row[kind.zh]) || row[kind.en];
}

function section(kindName, notice) {
  const kind = KINDS[kindName];
  const p = kind.prefix;
  const tableRegion = h("div");
  const editRegion = h("div", { "aria-live": "polite" });
  const formRegion = h("div", { "aria-live": "polite" });
  const code = h("input", { type: "text", testid: `${p}-code`, maxlength: 60, required: true,
    pattern: "[a-z0-9][a-z0-9_\\-]*", "aria-describedby": `${p}-code-hint` });
  const en = h("input", { type: "text", testid: `${p}-name-en`, maxlength: 200, required: true });
  const zh = h("input", { type: "text", testid: `${p}-name-zh`, maxlength: 200, lang: "zh-CN",
    required: kindName === "skill" });

  // Opened with the version it edits and its ETag: If-Match refuses the save if it moved (412).
  async function edit(listed) {
    const { body: row, etag } = await load(kind.one(listed));
    const name = shown(kind, row);
    const enInput = h("input", { type: "text", testid: `${p}-edit-en`, value: row[kind.en],
      maxlength: 200 });
    const zhInput = h("input", { type: "text", testid: `${p}-edit-zh`, value: row[kind.zh],
      maxlength: 200, lang: "zh-CN" });
    const region = h("div", { "aria-live": "polite" });
    const save = actionButton(t("vocab_save"), async () => {
      try {
        await saveWithEtag(kind.one(row), { [kind.en]: enInput.value.trim(),
          [kind.zh]: zhInput.value.trim() }, etag,
        { reload: async () => { editRegion.replaceChildren(); await draw(); } });
      } catch (error) {
        notice.replaceChildren(failure(error));
        return;
      }
      notice.replaceChildren(banner(t("vocab_saved", { name: enInput.value.trim() }),
        { kind: "ok", testid: `${p}-saved` }));
      editRegion.replaceChildren();
      await draw();
    }, { region, attrs: { testid: `${p}-save` } });
    const cancel = h("button", { type: "button", class: "secondary", testid: `${p}-cancel`,
      onclick: () => editRegion.replaceChildren() }, t("vocab_cancel"));
    editRegion.replaceChildren(h("form", { class: "vocab-edit", testid: `${p}-editor`,
      onsubmit: (event) => event.preventDefault() },
    h("h3", {}, t("vocab_editing", { name })),
    h("div", { class: "fields" }, field(t("vocab_en"), enInput), field(t("vocab_zh"), zhInput)),
    h("div", { class: "actions" }, save, cancel), region));
    enInput.focus();
  }

  async function draw() {
    const rows = await api.all(kind.list, { sort: kind.sort });
    tableRegion.replaceChildren(dataTable({
      caption: t(kind.title), testid: `${p}-table`,
      columns: [
        { key: kind.key, label: t(kind.keyLabel) },
        { key: "shown", label: t("vocab_shown"), value: (row) => shown(kind, row) },
        { key: kind.en, label: t("vocab_en") },
        { key: kind.zh, label: t("vocab_zh"), cell: (row) => h("span", { lang: "zh-CN" },
          row[kind.zh] || "–") },
        { key: "edit", label: t("vocab_actions"), sortable: false, cell: (row) => {
          const button = h("button", { type: "button", class: "secondary",
            testid: `${p}-edit`, "aria-label": t("vocab_edit_name", { name: shown(kind, row) }) },
          t("vocab_edit"));
          button.addEventListener("click", () => edit(row).catch((error) => {
            notice.replaceChildren(failure(error));
          }));
          return button;
        } },
      ],
      rows,
      rowAttrs: (row) => ({ testid: `${p}-row`, dataset: { key: row[kind.key] } }),
    }));
  }

  const addButton = actionButton(t(kind.addLabel), async () => {
    const body = { [kind.key]: code.value.trim(), [kind.en]: en.value.trim(),
      [kind.zh]: zh.value.trim() };
    if (!body[kind.key] || !body[kind.en] || (kindName === "skill" && !body[kind.zh])) {
      formRegion.replaceChildren(banner(t("vocab_missing")));
      return;
    }
    await api.post(kind.list, body);
    notice.replaceChildren(banner(t("vocab_added", { name: body[kind.en] }),
      { kind: "ok", testid: `${p}-added` }));
    for (const input of [code, en, zh]) input.value = "";
    await draw();
  }, { region: formRegion, attrs: { testid: `${p}-add` } });

  const titleId = `${p}-title`;
  const element = h("section", { class: "card", "aria-labelledby": titleId },
    h("h2", { id: titleId }, t(kind.title)), tableRegion, editRegion,
    h("form", { class: "vocab-add", onsubmit: (event) => event.preventDefault() },
      h("div", { class: "fields" },
        field(t(kind.keyLabel), code),
        field(t("vocab_en"), en), field(t("vocab_zh"), zh),
        h("p", { class: "hint wide", id: `${p}-code-hint` }, t("vocab_code_hint"))),
      h("div", { class: "actions" }, addButton), formRegion));
  return { element, draw };
}

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "operator.css");
  const notice = h("div", { testid: "vocab-notice", "aria-live": "polite" });
  const categories = section("category", notice);
  const skills = section("skill", notice);
  await Promise.all([categories.draw(), skills.draw()]);
  main.replaceChildren(heading(t("vocab_title")), h("p", { class: "muted" }, t("vocab_intro")),
    notice, categories.element, skills.element);
  return unlink;
}
