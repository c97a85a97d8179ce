// /signin/complete: where the school's sign-on lands. The outcome is in the fragment (never
// sent to a server): a token is kept and the person goes home; an error is said in words,
// with the way back to signing in.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { h, heading } from "../ui.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    signon_done_title: "Signing you in",
    signon_failed_title: "Sign-on did not work",
    signon_back: "Back to sign in",
    signon_e_sign_on_state_invalid: "This sign-on link has expired or was already used. Start again from the sign-in page.",
    signon_e_sign_on_token_invalid: "Your organisation's sign-in service answered with something we cannot trust. Try again; if it keeps happening, tell your organisation's administrator.",
    signon_e_sign_on_no_account: "Your organisation's account is fine, but there is no BenchShare account for your e-mail address yet. Ask your organisation's administrator to add you.",
    signon_e_sign_on_wrong_organisation: "Your e-mail address belongs to another organisation on BenchShare. Sign in through that organisation, or with your password.",
    signon_e_sign_on_email_unverified: "Your organisation's sign-in service has not confirmed your e-mail address. Confirm it there, then try again.",
    signon_e_account_disabled: "Your BenchShare account is disabled. Ask your organisation's administrator.",
    signon_e_sign_on_provider_unavailable: "Your organisation's sign-in service cannot be reached just now. Try again in a few minutes.",
    signon_e_sign_on_failed: "Signing in with your organisation's account did not work. Try again, or sign in with your password.",
  },
  zh: {
    signon_done_title: "正在登录",
    signon_failed_title: "统一登录未成功",
    signon_back: "返回登录页",
    signon_e_sign_on_state_invalid: "此登录链接已过期或已被使用。请从登录页重新开始。",
    signon_e_sign_on_token_invalid: "贵单位的登录服务返回了无法信任的结果。请重试；如仍出现，请告知本单位管理员。",
    signon_e_sign_on_no_account: "您的单位账号正常，但您的邮箱尚未开通 BenchShare 账号。请联系本单位管理员添加。",
    signon_e_sign_on_wrong_organisation: "您的邮箱属于 BenchShare 上的另一个单位。请通过该单位登录，或使用密码登录。",
    signon_e_sign_on_email_unverified: "贵单位的登录服务尚未确认您的邮箱。请先在那里确认，再重试。",
    signon_e_account_disabled: "您的 BenchShare 账号已被停用。请联系本单位管理员。",
    signon_e_sign_on_provider_unavailable: "暂时无法连接贵单位的登录服务。请几分钟后重试。",
    signon_e_sign_on_failed: "使用单位账号登录未成功。请重试，或使用密码登录。",
  },
});

export async function render(main, ctx) {
  const unlink = useStylesheet(ctx, "sign-on.css");
  const members = new URLSearchParams(location.hash.slice(1));
  // The token leaves the address bar (and the history) at once.
  history.replaceState(null, "", location.pathname);
  const token = members.get("access_token");
  if (token && !members.get("error")) {
    api.useToken(token);
    main.replaceChildren(heading(t("signon_done_title")));
    ctx.navigate("/", { replace: true });
    return unlink;
  }
  const code = members.get("error") || "sign_on_failed";
  const key = `signon_e_${code}`;
  const sentence = t(key) === key ? t("signon_e_sign_on_failed") : t(key);
  main.replaceChildren(h("section", { class: "card narrow", testid: "sign-on-failed",
    dataset: { code } }, heading(t("signon_failed_title")),
  h("p", { class: "banner", role: "alert", testid: "sign-on-error" }, sentence),
  h("p", {}, h("a", { href: "/signin", testid: "sign-on-back" }, t("signon_back")))));
  return unlink;
}
