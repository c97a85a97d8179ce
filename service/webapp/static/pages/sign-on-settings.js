// /sign-on: an organisation's own sign-on (OpenID Connect), for its admin or enterprise manager:
// the provider's issuer, client id and secret (write-only), the claims read, whether people are
// created on their first sign-on, and whether password sign-in stays on. Saved with If-Match.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { banner, confirmDialog, field, h, heading, select } from "../ui.js";
import { failure } from "../workspace.js";
import { checkbox, useStylesheet } from "./teach.js";

add({
  en: {
    signon_settings_title: "Sign-on with your accounts",
    signon_settings_intro: "Let your people sign in with the accounts your organisation already "
      + "has (OpenID Connect). Register BenchShare at your identity provider with the redirect "
      + "URI below, then enter what the provider gives you.",
    signon_redirect_uri: "Redirect URI to register at your provider",
    signon_issuer: "Issuer URL", signon_client_id: "Client ID",
    signon_client_secret: "Client secret",
    signon_secret_kept: "A secret is stored. Leave this empty to keep it.",
    signon_email_claim: "Claim with the e-mail address", signon_role_claim: "Claim with the role (optional)",
    signon_class_claim: "Claim with the class (optional)",
    signon_language_claim: "Claim with the language (optional)",
    signon_create_users: "Create an account on a person's first sign-on",
    signon_default_role: "Role of a new account", signon_no_role: "None",
    signon_password_sign_in: "People may still sign in with a password",
    signon_save: "Save", signon_saved: "Saved. Your people can now sign on.",
    signon_remove: "Remove sign-on",
    signon_remove_confirm: "Remove sign-on? Everyone signs in with a password again.",
    signon_removed: "Sign-on removed.", signon_not_set: "Sign-on is not set up yet.",
    rc_invalid_issuer: "The issuer must be an https:// address.",
    rc_default_role_required: "Choose the role new accounts get.",
    rc_identity_provider_not_configured: "Sign-on is not set up yet.",
  },
  zh: {
    signon_settings_title: "单位账号统一登录",
    signon_settings_intro: "让本单位人员用单位现有账号登录（OpenID Connect）。请先在身份提供方"
      + "用下面的重定向 URI 注册 BenchShare，再填写提供方给出的信息。",
    signon_redirect_uri: "在身份提供方登记的重定向 URI",
    signon_issuer: "签发者（Issuer）地址", signon_client_id: "客户端 ID",
    signon_client_secret: "客户端密钥",
    signon_secret_kept: "已保存密钥。留空则保持不变。",
    signon_email_claim: "邮箱所在的声明", signon_role_claim: "角色所在的声明（可选）",
    signon_class_claim: "班级所在的声明（可选）",
    signon_language_claim: "语言所在的声明（可选）",
    signon_create_users: "首次登录时自动创建账号",
    signon_default_role: "新账号的角色", signon_no_role: "无",
    signon_password_sign_in: "仍允许使用密码登录",
    signon_save: "保存", signon_saved: "已保存。本单位人员现在可以统一登录。",
    signon_remove: "取消统一登录",
    signon_remove_confirm: "确定取消统一登录？所有人将重新使用密码登录。",
    signon_removed: "已取消统一登录。", signon_not_set: "尚未设置统一登录。",
    rc_invalid_issuer: "签发者地址必须以 https:// 开头。",
    rc_default_role_required: "请选择新账号的角色。",
    rc_identity_provider_not_configured: "尚未设置统一登录。",
  },
});

const ROLES_OF = { admin: ["student", "instructor", "admin"], enterprise_staff: ["enterprise_staff"] };

// api.js has no PUT: the same bearer token, If-Match and problem+json.
async function put(path, body, ifMatch) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method: "PUT", body: JSON.stringify(body),
      headers: { Accept: "application/json", "Content-Type": "application/json",
        Authorization: `Bearer ${api.token()}`, ...(ifMatch ? { "If-Match": ifMatch } : {}) } });
  } catch (error) {
    throw new api.ApiError(0, { status: 0, code: "network", detail: String(error) });
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new api.ApiError(response.status, answer);
  return { body: answer, etag: response.headers.get("ETag") };
}

async function current(path) {
  try {
    return await api.getWithEtag(path);
  } catch (error) {
    if (error?.status === 404 && error.body?.code === "identity_provider_not_configured") {
      return { body: null, etag: null };
    }
    throw error;
  }
}

const text = (value, attrs) => h("input", { type: "text", value: value ?? "", ...attrs });
const orNull = (input) => input.value.trim() || null;

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "sign-on.css");
  const path = `/organisations/${ctx.me.organisation_id}/identity-provider`;
  let loaded;
  try {
    loaded = await current(path);
  } catch (error) {
    main.replaceChildren(heading(t("signon_settings_title")), banner(error));
    return unlink;
  }
  draw(main, ctx, path, loaded);
  return unlink;
}

function draw(main, ctx, path, { body, etag }, note = null) {
  const p = body || {};
  const issuer = text(p.issuer, { type: "url", required: true, testid: "signon-issuer",
    placeholder: "https://login.school.example" });
  const clientId = text(p.client_id, { required: true, testid: "signon-client-id",
    autocomplete: "off" });
  const secret = h("input", { type: "password", autocomplete: "new-password",
    testid: "signon-client-secret", required: !body,
    "aria-describedby": body ? "signon-secret-kept" : null });
  const emailClaim = text(p.email_claim ?? "email", { required: true, testid: "signon-email-claim" });
  const roleClaim = text(p.role_claim, { testid: "signon-role-claim" });
  const classClaim = text(p.class_claim, { testid: "signon-class-claim" });
  const languageClaim = text(body ? p.language_claim : "locale", { testid: "signon-language-claim" });
  const create = h("input", { type: "checkbox", checked: !!p.create_users,
    testid: "signon-create-users" });
  const roles = ROLES_OF[ctx.me.role] || [];
  const role = select([["", t("signon_no_role")], ...roles.map((r) => [r, t(`role_${r}`)])],
    { testid: "signon-default-role", value: p.default_role ?? "" });
  const passwords = h("input", { type: "checkbox", checked: body ? p.password_sign_in : true,
    testid: "signon-password-sign-in" });
  const region = h("div", { "aria-live": "polite", testid: "signon-notice" }, note);
  const redirect = p.redirect_uri || `${location.origin}/api/v1/auth/sign-on/callback`;
  const save = h("button", { type: "submit", testid: "signon-save" }, t("signon_save"));
  const form = h("form", { class: "card", testid: "signon-form" },
    h("p", { class: "muted" }, t("signon_settings_intro")),
    h("p", {}, h("span", { class: "label" }, t("signon_redirect_uri")), " ",
      h("code", { testid: "signon-redirect-uri" }, redirect)),
    h("div", { class: "fields" },
      field(t("signon_issuer"), issuer, { class: "wide" }),
      field(t("signon_client_id"), clientId), field(t("signon_client_secret"), secret),
      body ? h("p", { class: "hint wide", id: "signon-secret-kept" }, t("signon_secret_kept"))
        : null,
      field(t("signon_email_claim"), emailClaim), field(t("signon_role_claim"), roleClaim),
      field(t("signon_class_claim"), classClaim), field(t("signon_language_claim"), languageClaim),
      field(t("signon_default_role"), role)),
    checkbox(create, t("signon_create_users")),
    checkbox(passwords, t("signon_password_sign_in")),
    h("div", { class: "actions" }, save,
      body ? h("button", { type: "button", class: "secondary", testid: "signon-remove",
        onclick: () => remove() }, t("signon_remove")) : null),
    region);
  if (!body) region.replaceChildren(banner(t("signon_not_set"), { kind: "info" }));

  const reload = async (message) => draw(main, ctx, path, await current(path), message);

  async function remove() {
    if (!await confirmDialog(t("signon_remove_confirm"))) return;
    try {
      await api.del(path, { ifMatch: etag });
      await reload(banner(t("signon_removed"), { kind: "ok", testid: "signon-removed" }));
    } catch (error) {
      await settle(error);
    }
  }

  async function settle(error) {
    if (error?.status === 412) {
      const stale = new Error(t("ws_stale"));
      stale.stale = true;
      await reload(failure(stale));
    } else {
      region.replaceChildren(failure(error));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    const settings = { issuer: issuer.value.trim(), client_id: clientId.value.trim(),
      email_claim: emailClaim.value.trim() || "email", role_claim: orNull(roleClaim),
      class_claim: orNull(classClaim), language_claim: orNull(languageClaim),
      create_users: create.checked, default_role: role.value || null,
      password_sign_in: passwords.checked };
    if (secret.value) settings.client_secret = secret.value;
    try {
      const saved = await put(path, settings, etag);
      draw(main, ctx, path, saved,
        banner(t("signon_saved"), { kind: "ok", testid: "signon-saved" }));
    } catch (error) {
      save.disabled = false;
      await settle(error);
    }
  });
  main.replaceChildren(heading(t("signon_settings_title")), form);
}
