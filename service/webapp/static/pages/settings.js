// Your own settings: the language of the app, your e-mails and notices (PATCH /me), and your
// password (POST /me/password; your other sessions are signed out).

import * as api from "../api.js";
import { add, personLanguage, setLanguage, t } from "../i18n.js";
import { actionButton, banner, field, h, heading, show } from "../ui.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    settings_title: "Settings",
    settings_language: "Language",
    settings_language_intro: "The app, your e-mails and your notices are written in it.",
    settings_english: "English", settings_chinese: "中文 (简体)",
    settings_language_save: "Save the language",
    settings_language_saved: "Saved: your e-mails and notices are now written in English.",
    settings_password: "Password",
    settings_password_intro: "After the change, your other sessions (other browsers, phones) "
      + "are signed out.",
    settings_current: "Current password", settings_new: "New password",
    settings_repeat: "New password again",
    settings_password_save: "Change the password",
    settings_password_saved: "Your password is changed.",
    settings_mismatch: "The two new passwords differ.",
    settings_missing: "Fill in the three boxes.",
    rc_invalid_current_password: "The current password is wrong.",
  },
  zh: {
    settings_title: "设置",
    settings_language: "语言",
    settings_language_intro: "应用界面、电子邮件和通知都会使用这种语言。",
    settings_english: "English", settings_chinese: "中文 (简体)",
    settings_language_save: "保存语言",
    settings_language_saved: "已保存：今后的电子邮件和通知将使用中文。",
    settings_password: "密码",
    settings_password_intro: "修改后，你在其他浏览器和手机上的登录会被退出。",
    settings_current: "当前密码", settings_new: "新密码", settings_repeat: "再次输入新密码",
    settings_password_save: "修改密码",
    settings_password_saved: "密码已修改。",
    settings_mismatch: "两次输入的新密码不一致。",
    settings_missing: "请填写三个输入框。",
    rc_invalid_current_password: "当前密码不正确。",
  },
});

// A save that changes the language re-draws the page in it: its confirmation outlives that.
let savedLanguage = false;

function languageSection(mine) {
  const region = h("div", { "aria-live": "polite", testid: "settings-language-notice" });
  if (savedLanguage) {
    savedLanguage = false;
    region.append(banner(t("settings_language_saved"), { kind: "ok",
      testid: "settings-language-saved" }));
  }
  let etag = mine.etag;
  const choices = [["en", t("settings_english")], ["zh-Hans", t("settings_chinese")]];
  const radios = choices.map(([value, text]) => {
    const input = h("input", { type: "radio", name: "settings-language", value,
      testid: `settings-language-${value}` });
    input.checked = value === mine.body.language;
    return h("label", { class: "check", lang: value === "en" ? "en" : "zh-CN" }, input,
      h("span", {}, text));
  });
  const save = actionButton(t("settings_language_save"), async () => {
    const language = radios.map((label) => label.querySelector("input"))
      .find((input) => input.checked).value;
    const changed = await api.patch("/me", { language }, { ifMatch: etag });
    etag = `"${changed.version}"`;
    if (personLanguage() === language) {
      region.replaceChildren(banner(t("settings_language_saved"), { kind: "ok",
        testid: "settings-language-saved" }));
    } else {
      savedLanguage = true;
      setLanguage(language === "zh-Hans" ? "zh" : "en"); // re-draws the page in it
    }
  }, { region, attrs: { testid: "settings-language-save" } });
  return h("section", { class: "card settings", testid: "settings-language",
    "aria-labelledby": "settings-language-title" },
    h("h2", { id: "settings-language-title" }, t("settings_language")),
    h("fieldset", {}, h("legend", { class: "muted" }, t("settings_language_intro")), ...radios),
    h("div", { class: "actions" }, save), region);
}

function passwordSection() {
  const box = (testid, autocomplete) => h("input", { type: "password", testid, autocomplete,
    required: true, maxlength: 256 });
  const current = box("settings-current-password", "current-password");
  const fresh = box("settings-new-password", "new-password");
  const again = box("settings-repeat-password", "new-password");
  const region = h("div", { "aria-live": "polite", testid: "settings-password-notice" });
  const form = h("form", { class: "settings-password", novalidate: true },
    field(t("settings_current"), current), field(t("settings_new"), fresh),
    field(t("settings_repeat"), again),
    h("div", { class: "actions" }, h("button", { type: "submit",
      testid: "settings-password-save" }, t("settings_password_save"))), region);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    region.replaceChildren();
    if (!current.value || !fresh.value || !again.value) {
      show(region, t("settings_missing"));
      return;
    }
    if (fresh.value !== again.value) {
      show(region, t("settings_mismatch"));
      again.focus();
      return;
    }
    try {
      await api.post("/me/password", { current_password: current.value,
        new_password: fresh.value });
      form.reset();
      region.replaceChildren(banner(t("settings_password_saved"), { kind: "ok",
        testid: "settings-password-saved" }));
    } catch (error) {
      show(region, error);
    }
  });
  return h("section", { class: "card settings", testid: "settings-password",
    "aria-labelledby": "settings-password-title" },
    h("h2", { id: "settings-password-title" }, t("settings_password")),
    h("p", { class: "muted" }, t("settings_password_intro")), form);
}

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "settings.css");
  const mine = await api.getWithEtag("/me");
  main.replaceChildren(heading(t("settings_title")), languageSection(mine), passwordSection());
  return unlink;
}
