// /password/forgot: ask for an e-mail with a link to choose a new password (a public page). The
// answer is the same whether or not the address is anyone's: the API does not say, nor do we.
import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { banner, field, h, heading } from "../ui.js";

add({
  en: {
    forgot_title: "Forgot your password?",
    forgot_intro: "Give the e-mail address you sign in with. We send a link to choose a new password to it.",
    forgot_email: "E-mail address",
    forgot_submit: "Send the link",
    forgot_sending: "Sending…",
    forgot_sent: "If this address belongs to an account, a link to choose a new password is on its way. It works once, for a limited time. Nothing came? Look in the spam folder, or ask your school's administrator.",
    forgot_back: "Back to sign in",
    rc_too_many_requests: "Too many requests for a new password. Wait a while, then try again.",
  },
  zh: {
    forgot_title: "忘记密码？",
    forgot_intro: "请输入您登录用的电子邮箱。我们会把设置新密码的链接发到该邮箱。",
    forgot_email: "电子邮箱",
    forgot_submit: "发送链接",
    forgot_sending: "正在发送…",
    forgot_sent: "如果该邮箱已注册，设置新密码的链接正在发送途中。链接只能使用一次，并有时限。没有收到？请查看垃圾邮件，或联系学校的管理员。",
    forgot_back: "返回登录",
    rc_too_many_requests: "申请新密码的次数过多。请稍候再试。",
  },
});

export async function render(main) {
  document.title = `${t("forgot_title")} · BenchShare`;
  const email = h("input", { type: "email", name: "email", id: "forgot-email",
    autocomplete: "username", required: true, maxLength: 254, testid: "forgot-email" });
  const submit = h("button", { type: "submit", testid: "forgot-submit" }, t("forgot_submit"));
  const region = h("div", { "aria-live": "polite", testid: "forgot-result" });
  const form = h("form", { class: "card narrow", testid: "forgot-form" },
    heading(t("forgot_title")), h("p", {}, t("forgot_intro")),
    field(t("forgot_email"), email), submit, region,
    h("p", {}, h("a", { href: "/signin", testid: "forgot-back" }, t("forgot_back"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    submit.textContent = t("forgot_sending");
    try {
      await api.post("/auth/password-reset", { email: email.value.trim() });
      region.replaceChildren(banner(t("forgot_sent"), { kind: "ok", testid: "forgot-sent" }));
    } catch (failure) {
      region.replaceChildren(banner(failure, { testid: "forgot-error" }));
    } finally {
      submit.disabled = false;
      submit.textContent = t("forgot_submit");
    }
  });
  main.replaceChildren(form);
}
