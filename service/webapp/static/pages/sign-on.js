// The sign-in page's way in with an organisation's own accounts (OpenID Connect): one link per
// organisation that set up sign-on; nothing at all when none did, or when the list fails
// (password sign-in stays usable whatever happens here).

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { h } from "../ui.js";

add({
  en: {
    signon_or: "Or sign in with your school's or company's account:",
    signon_with: "Sign in with {name}",
  },
  zh: {
    signon_or: "或使用学校或企业的账号登录：",
    signon_with: "使用{name}账号登录",
  },
});

export async function renderProviders(container) {
  container.replaceChildren();
  let items = [];
  try {
    ({ items } = await api.get("/auth/sign-on"));
  } catch {
    return; // no list, no buttons: the password form above is still there
  }
  if (!Array.isArray(items) || items.length === 0) return;
  // A full-page navigation: the start redirects to the organisation's provider.
  const links = items.map((item) => h("li", {}, h("a", {
    href: `${item.start_url}`, class: "button secondary", testid: "sign-on-start",
    dataset: { organisation: String(item.organisation_id) },
  }, t("signon_with", { name: item.organisation_name }))));
  container.replaceChildren(h("section", { class: "card narrow", "aria-labelledby": "sign-on-or" },
    h("p", { id: "sign-on-or" }, t("signon_or")), h("ul", { class: "list actions" }, links)));
}
