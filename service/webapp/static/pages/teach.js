// What the instructors' pages share: their own small stylesheet (teach.css, linked while one of
// them is shown: the shell's CSP allows no inline style), a labelled checkbox and the search
// for the school's students by name.

import * as api from "../api.js";
import { banner, h } from "../ui.js";

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

// A search box over the school's students by name: each keystroke asks the API, the latest
// answer wins (an earlier one arriving late is dropped), a failure is shown in the list, and
// `show(found)` draws the students found.
export function searchStudents(input, matches, show) {
  let searching = 0;
  input.addEventListener("input", async () => {
    const mine = ++searching;
    const q = input.value.trim();
    if (!q) { matches.replaceChildren(); return; }
    let found;
    try {
      found = (await api.get("/users", { q, role: "student", page_size: 20 })).items;
    } catch (error) {
      if (mine === searching) matches.replaceChildren(h("li", {}, banner(error)));
      return;
    }
    if (mine === searching) show(found);
  });
}
