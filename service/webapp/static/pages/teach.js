// What the instructors' pages share: their own small stylesheet (teach.css, linked while one of
// them is shown: the shell's CSP allows no inline style) and a labelled checkbox.

import { h } from "../ui.js";

// Link /app/static/<name> (versioned like the shell's assets); returns the cleanup that unlinks.
export function useStylesheet(ctx, name = "teach.css") {
  const href = `/app/static/${name}${ctx?.version ? `?v=${ctx.version}` : ""}`;
  // One link per page shown: a cleanup that runs after the next page linked its own removes
  // only its own.
  const link = h("link", { rel: "stylesheet", href, dataset: { teach: name } });
  document.head.append(link);
  return () => link.remove();
}

// <label class="check"><input type=checkbox> text</label>: the box beside its words.
export function checkbox(input, text, attrs = {}) {
  return h("label", { class: "check", ...attrs }, input, h("span", {}, text));
}
