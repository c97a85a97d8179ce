// /password#token=...: choose a password with the link of an invitation or a reset e-mail (a
// public page: whoever opens the link is signed out). The token travels in the fragment, so no
// server log holds it; the page takes it out of the address bar at once.
import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { banner, field, h, heading, show } from "../ui.js";

add({
  en: {
    password_title: "Choose your password",
    password_intro: "Choose a password for BenchShare: at least 8 characters. You sign in with your e-mail address and this password.",
    password_new: "New password",
    password_again: "The same password again",
    password_submit: "Save and sign in",
    password_saving: "Saving…",
    password_short: "The password needs at least 8 characters.",
    password_differ: "The two passwords differ.",
    password_no_token: "This link is incomplete. Open the link from your e-mail again, or ask for a new one.",
    password_ask_new: "Ask for a new link",
    password_sign_in: "Sign in",
    rc_link_invalid: "This link does not work (perhaps a newer e-mail replaced it). Ask for a new one.",
    rc_link_used: "This link has been used already. Sign in with your password, or ask for a new link.",
    rc_link_expired: "This link has expired. Ask for a new one.",
  },
  zh: {
    password_title: "设置密码",
    password_intro: "为 BenchShare 设置密码：至少 8 个字符。今后用您的电子邮箱和这个密码登录。",
    password_new: "新密码",
    password_again: "再次输入新密码",
    password_submit: "保存并登录",
    password_saving: "正在保存…",
    password_short: "密码至少需要 8 个字符。",
    password_differ: "两次输入的密码不一致。",
    password_no_token: "此链接不完整。请重新打开邮件中的链接，或申请新的链接。",
    password_ask_new: "申请新的链接",
    password_sign_in: "登录",
    rc_link_invalid: "此链接无效（可能已被更新的邮件取代）。请申请新的链接。",
    rc_link_used: "此链接已使用过。请用您的密码登录，或申请新的链接。",
    rc_link_expired: "此链接已过期。请申请新的链接。",
  },
});

// The token read once per page load: taken from the fragment, then the fragment is dropped so
// the link is neither in the history nor shown over a shoulder.
let kept = null;

function takeToken() {
  const found = new URLSearchParams(location.hash.replace(/^#/, "")).get("token");
  if (found) {
    kept = found;
    history.replaceState(history.state, "", location.pathname);
  }
  return kept;
}

function askNew() {
  return h("p", {}, h("a", { href: "/password/forgot", testid: "password-ask-new" },
    t("password_ask_new")), " · ", h("a", { href: "/signin" }, t("password_sign_in")));
}

export async function render(main, ctx) {
  const token = takeToken();
  document.title = `${t("password_title")} · BenchShare`;
  if (!token) {
    main.replaceChildren(h("section", { class: "card narrow", testid: "password-no-token" },
      heading(t("password_title")), banner(t("password_no_token"), { kind: "info" }), askNew()));
    return;
  }
  const first = h("input", { type: "password", name: "new-password", id: "password-new",
    autocomplete: "new-password", required: true, minLength: 8, maxLength: 256,
    testid: "password-new" });
  const second = h("input", { type: "password", name: "new-password-again",
    id: "password-again", autocomplete: "new-password", required: true, minLength: 8,
    maxLength: 256, testid: "password-again" });
  const submit = h("button", { type: "submit", testid: "password-submit" }, t("password_submit"));
  const region = h("div", { "aria-live": "polite", testid: "password-result" });
  const form = h("form", { class: "card narrow", testid: "password-form", novalidate: true },
    heading(t("password_title")), h("p", {}, t("password_intro")),
    field(t("password_new"), first), field(t("password_again"), second), submit, region);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (first.value.length < 8) {
      show(region, t("password_short"), { testid: "password-error" });
      first.focus();
      return;
    }
    if (first.value !== second.value) {
      show(region, t("password_differ"), { testid: "password-error" });
      second.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t("password_saving");
    try {
      const answer = await api.post("/auth/password", { token, password: first.value });
      kept = null;
      api.useToken(answer.access_token);
      await ctx.navigate("/", { replace: true });
    } catch (failure) {
      region.replaceChildren(banner(failure, { testid: "password-error" }),
        failure.code && failure.code.startsWith("link_") ? askNew() : "");
      submit.disabled = false;
      submit.textContent = t("password_submit");
    }
  });
  main.replaceChildren(form);
}
