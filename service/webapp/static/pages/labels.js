// A printable sheet of QR labels for one training base: each item's name, asset tag and QR
// code (fetched with the bearer token, shown through a blob: URL). Printed with labels.css.

import * as api from "../api.js";
import { add, t } from "../i18n.js";
import { h, heading } from "../ui.js";
import { useStylesheet } from "./teach.js";

add({
  en: {
    labels_title: "QR labels: {base}",
    labels_hint: "Print this page and stick each label on its item: a scan opens the item's page.",
    labels_print: "Print", labels_count: "{count} items",
    labels_qr: "QR code for {name}", labels_none: "This base has no equipment.",
    labels_qr_failed: "QR code unavailable",
  },
  zh: {
    labels_title: "二维码标签：{base}",
    labels_hint: "打印本页，把标签贴在对应设备上：扫码即可打开设备页面。",
    labels_print: "打印", labels_count: "{count} 台设备",
    labels_qr: "{name} 的二维码", labels_none: "该基地没有设备。",
    labels_qr_failed: "二维码不可用",
  },
});

export async function render(main, ctx) {
  const unlink = [useStylesheet(ctx), useStylesheet(ctx, "labels.css")];
  const urls = [];
  const baseId = Number(ctx.params.base_id);
  const [base, items] = await Promise.all([
    api.get(`/training-bases/${baseId}`),
    api.all("/equipment", { base_id: baseId, sort: "asset_tag" }),
  ]);
  const live = items.filter((item) => item.status !== "retired");

  const labels = await Promise.all(live.map(async (item) => {
    let picture;
    try {
      const response = await api.raw(`/equipment/${item.id}/qr.svg`, {}, "image/svg+xml");
      const url = URL.createObjectURL(await response.blob());
      urls.push(url);
      picture = h("img", { src: url, alt: t("labels_qr", { name: item.name }), class: "qr-code",
        width: 160, height: 160, testid: "label-qr" });
    } catch (error) {
      if (error?.status === 401) throw error;
      picture = h("p", { class: "qr-missing", testid: "label-qr-missing" }, t("labels_qr_failed"));
    }
    return h("li", { class: "label", testid: "label", dataset: { equipmentId: item.id } },
      picture,
      h("p", { class: "label-name" }, item.name),
      h("p", { class: "label-tag" }, item.asset_tag),
      h("p", { class: "label-base" }, base.name));
  }));

  main.replaceChildren(
    heading(t("labels_title", { base: base.name })),
    h("div", { class: "no-print card" },
      h("p", {}, t("labels_hint")),
      h("p", { class: "row spread" }, h("span", { testid: "labels-count" },
        t("labels_count", { count: live.length })),
      h("button", { type: "button", testid: "labels-print", onclick: () => window.print() },
        t("labels_print")))),
    labels.length ? h("ul", { class: "labels", testid: "labels" }, labels)
      : h("p", { class: "muted" }, t("labels_none")));
  return () => {
    for (const url of urls) URL.revokeObjectURL(url);
    for (const undo of unlink) undo();
  };
}
