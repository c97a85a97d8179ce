// Building the page: elements with textContent only (API names and texts are never parsed as
// HTML), error banners in the user's language, a confirm dialog and small form helpers.

import { t } from "./i18n.js";
import { explain } from "./refusals.js";

// h("a", {href: "/x", class: "c", dataset: {testid: "x"}, onclick: fn}, "text", child, ...)
// Strings and numbers become text nodes; null/false children are skipped; arrays are spread.
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "testid") element.dataset.testid = value;
    else if (name === "text") element.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

// Replace a container's children, skipping null/false ones (replaceChildren would write "null").
export function put(container, ...children) {
  container.replaceChildren();
  append(container, children);
  return container;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// The page's heading, focused after navigation so a screen reader announces the new page.
export function heading(text, attrs = {}) {
  return h("h1", { tabindex: "-1", testid: "page-title", ...attrs }, text);
}

// A banner for an error (or any text): the refusal explained in the user's language.
export function banner(error, { kind = "error", context = {}, testid = "error" } = {}) {
  const text = typeof error === "string" ? error : explain(error?.body || error, context);
  return h("p", { class: `banner ${kind === "error" ? "" : kind}`.trim(), role: kind === "error"
    ? "alert" : "status", testid }, text);
}

// Replace the contents of a live region (a container kept on the page) with a banner or nothing.
export function show(region, error, options) {
  region.replaceChildren(error ? banner(error, options) : "");
}

export function statusBadge(status) {
  return h("span", { class: `status ${status}`, testid: "status", dataset: { status } },
    t(`status_${status}`));
}

// A labelled field: <label><span>Label</span><input ...></label>.
export function field(label, control, attrs = {}) {
  return h("label", attrs, h("span", {}, label), control);
}

export function select(options, attrs = {}) {
  const element = h("select", attrs);
  for (const [value, label] of options) element.append(new Option(label, value));
  if (attrs.value !== undefined) element.value = attrs.value;
  return element;
}

// A button whose click runs `action` once at a time (disabled meanwhile); an error is shown in
// `region` (or thrown to the caller's banner). Returns the button.
export function actionButton(label, action, { region, attrs = {}, context } = {}) {
  const button = h("button", { type: "button", ...attrs }, label);
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    if (region) region.replaceChildren();
    try {
      await action();
    } catch (error) {
      if (region) show(region, error, { context });
      else throw error;
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });
  return button;
}

// A confirm dialog (a real <dialog>, focus kept inside): resolves true or false.
export function confirmDialog(message, { ok = t("ok"), cancel = t("cancel"), extra } = {}) {
  return new Promise((resolve) => {
    const okButton = h("button", { type: "button", testid: "dialog-ok" }, ok);
    const cancelButton = h("button", { type: "button", class: "secondary",
      testid: "dialog-cancel" }, cancel);
    const text = h("p", { id: "dialog-text" }, message);
    const dialog = h("dialog", { "aria-labelledby": "dialog-text", testid: "dialog" }, text,
      extra || null, h("div", { class: "actions" }, okButton, cancelButton));
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    okButton.addEventListener("click", () => done(true));
    cancelButton.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    okButton.focus();
  });
}

// "Loading…" placeholder, replaced by the page when its answers arrive.
export function loading() {
  return h("p", { class: "muted", role: "status", testid: "loading" }, t("loading"));
}
