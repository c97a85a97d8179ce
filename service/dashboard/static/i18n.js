// The dashboard's words in English and Simplified Chinese (each module adds its own with add()),
// the language chosen on the page (kept in localStorage, shared with the app) or else the
// browser's, and numbers and dates written in the page's locale (zh-CN, or the browser's own
// English: en-GB writes 13/10/2026, never the US default by accident).

const STRINGS = {
  en: {
    title: "BenchShare reports",
    sign_out: "Sign out",
    signin_title: "Sign in",
    email: "E-mail",
    password: "Password",
    signin_button: "Sign in",
    not_reporting_title: "Reports are for administrators",
    not_reporting_text: "Reports are for administrators: school admins, enterprise staff and " +
      "platform operators. Ask your school's administrator for the figures you need.",
    granularity: "Period",
    day: "Day", week: "Week", month: "Month",
    from: "From", to: "To (exclusive)",
    base: "Training base", category: "Category", all: "All",
    csv: "Download CSV",
    kpi_utilisation: "Utilisation (booked / available)",
    kpi_no_shows: "No-shows per 100 booked hours",
    kpi_late: "Late share of cancellations",
    chart_utilisation: "Utilisation over time",
    chart_items: "Least used items",
    spread_title: "Items by utilisation",
    items_hint: "Hours summed over the period. Sort by any column; a row's button (or its "
      + "no-shows and late cancellations) lists the reservations behind the figures.",
    chart_kind: "School vs enterprise equipment",
    chart_heatmap: "Occupancy by weekday and hour",
    chart_rates: "No-shows and cancellations",
    idle_title: "Idle equipment",
    item: "Item", utilisation: "Utilisation", usage: "Usage", free_hours: "Free hours",
    suggestion: "Suggestion",
    offer_to_schools: "Offer it to partner schools",
    share_or_move: "Share it with partner enterprises, or move it",
    draft_offer: "Draft offer",
    draft_for: "School",
    draft_create: "Create draft",
    draft_made: "Draft offer #{id} created ({status}), {windows} window(s).",
    idle_none: "No idle equipment in the last judged weeks.",
    idle_never: "Idle equipment has not been judged yet.",
    idle_summary: "Under {threshold} utilisation for {weeks} weeks, up to the week of {week}.",
    impact_title: "Your impact",
    hours_offered: "Hours offered", hours_booked: "Hours booked", hours_used: "Hours used",
    sessions: "Sessions", students_trained: "Students trained", no_shows: "No-shows",
    outcomes_received: "Outcomes received",
    booked: "Booked hours", available: "Available hours",
    cancellations: "Cancellations", late_cancellations: "Late cancellations",
    school: "School-owned", enterprise: "Enterprise-owned",
    partner: "Partner equipment offered to you",
    least: "Least used", most: "Most used",
    hour: "Hour", percent: "%", count: "Count",
    weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    no_data: "Nothing to show for these filters.",
    loading: "Loading…",
    scope_own: "Equipment owned by {org}",
    scope_all: "All equipment on the platform (operator)",
    signed_in_as: "{name} · {org}",
    expired: "Your session has ended; please sign in again.",
    network: "The service could not be reached.",
    switch_to: "中文",
  },
  zh: {
    title: "BenchShare 报表",
    sign_out: "退出登录",
    signin_title: "登录",
    email: "电子邮箱",
    password: "密码",
    signin_button: "登录",
    not_reporting_title: "报表仅供管理人员查看",
    not_reporting_text: "报表仅供管理人员查看：学校管理员、企业人员和平台运营人员。" +
      "如需数据，请联系本校管理员。",
    granularity: "周期",
    day: "日", week: "周", month: "月",
    from: "开始日期", to: "结束日期（不含）",
    base: "实训基地", category: "设备类别", all: "全部",
    csv: "下载 CSV",
    kpi_utilisation: "利用率（预约 / 可用）",
    kpi_no_shows: "每 100 预约小时的爽约次数",
    kpi_late: "迟取消占取消的比例",
    chart_utilisation: "利用率趋势",
    chart_items: "使用最少的设备",
    spread_title: "按利用率分布的设备数",
    items_hint: "各项为整个期间的合计小时。可按任一列排序；点击行内按钮（或爽约、迟取消数字）"
      + "可查看其背后的预约。",
    chart_kind: "学校设备与企业设备",
    chart_heatmap: "按星期与时段的占用率",
    chart_rates: "爽约与取消",
    idle_title: "闲置设备",
    item: "设备", utilisation: "利用率", usage: "使用率", free_hours: "空闲小时",
    suggestion: "建议",
    offer_to_schools: "向合作学校开放",
    share_or_move: "与合作企业共享，或调配到别处",
    draft_offer: "起草开放方案",
    draft_for: "学校",
    draft_create: "创建草稿",
    draft_made: "已创建开放方案草稿 #{id}（{status}），共 {windows} 个时段。",
    idle_none: "最近评估的几周内没有闲置设备。",
    idle_never: "尚未评估闲置设备。",
    idle_summary: "连续 {weeks} 周利用率低于 {threshold}，截至 {week} 当周。",
    impact_title: "贵企业的贡献",
    hours_offered: "开放小时", hours_booked: "预约小时", hours_used: "使用小时",
    sessions: "实训次数", students_trained: "培训学生数", no_shows: "爽约",
    outcomes_received: "收到的成果",
    booked: "预约小时", available: "可用小时",
    cancellations: "取消", late_cancellations: "迟取消",
    school: "学校设备", enterprise: "企业设备",
    partner: "合作企业提供的设备",
    least: "使用最少", most: "使用最多",
    hour: "小时", percent: "%", count: "次数",
    weekdays: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    no_data: "当前筛选条件下没有数据。",
    loading: "加载中…",
    scope_own: "{org} 所属的设备",
    scope_all: "平台上的全部设备（运营人员）",
    signed_in_as: "{name} · {org}",
    expired: "登录已过期，请重新登录。",
    network: "无法连接服务。",
    switch_to: "English",
  },
};

const STORE = "benchshare.lang"; // the app keeps "en" or "zh" under the same key
let current = pick();

function pick() {
  const kept = localStorage.getItem(STORE);
  if (kept === "en") return "en";
  if (kept === "zh" || kept === "zh-CN") return "zh";
  const wanted = navigator.languages && navigator.languages.length
    ? navigator.languages : [navigator.language || "en"];
  for (const tag of wanted) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("zh")) return "zh";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

// Add strings: add({en: {key: "text {name}"}, zh: {key: "文字 {name}"}}).
export function add(table) {
  for (const lang of ["en", "zh"]) Object.assign(STRINGS[lang], table[lang] || {});
}

export function lang() { return current; }

// The BCP 47 tag for Intl and <html lang>: zh-CN, or the browser's first English variant.
export function locale() {
  if (current === "zh") return "zh-CN";
  const tags = navigator.languages && navigator.languages.length ? navigator.languages
    : [navigator.language || "en"];
  const english = tags.find((tag) => /^en(-|$)/i.test(String(tag)));
  try {
    return english && Intl.DateTimeFormat.supportedLocalesOf([english]).length ? english : "en";
  } catch {
    return "en";
  }
}

// The string for key, with {name} placeholders filled from vars.
export function t(key, vars = {}) {
  const value = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  if (typeof value !== "string") return value;
  return value.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? vars[name] : `{${name}}`));
}

// Write the strings into the page: elements with data-i18n, <html lang>, the switch.
export function apply(root = document) {
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  const button = document.getElementById("lang-switch");
  button.textContent = t("switch_to");
  button.lang = current === "en" ? "zh-CN" : "en";
}

export function toggle() {
  current = current === "en" ? "zh" : "en";
  localStorage.setItem(STORE, current);
  apply();
}

const DASH = "–";

export function number(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

export function percent(ratio, digits = 1) {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return DASH;
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: digits })
    .format(ratio);
}

// A local day "YYYY-MM-DD" written in the page's locale (13 Oct 2026, 2026年10月13日).
export function day(iso) {
  if (!iso) return DASH;
  const [y, m, d] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", year: "numeric",
    timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

// The wall-clock time of an instant in a zone (10:30).
export function clock(iso, zone) {
  const options = { hour: "2-digit", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: zone || "UTC" })
      .format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" }).format(new Date(iso));
  }
}

// An instant in the item's base zone, with its offset (Tue 13 Oct 2026, 10:00 GMT+8).
export function instant(iso, zone) {
  const options = { weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "shortOffset" };
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: zone || "UTC" })
      .format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" })
      .format(new Date(iso));
  }
}
