// The app's words in English and Simplified Chinese: t(key, params), add() for each page's own
// strings, the language chosen on the page (localStorage) or else the browser's first.

const STORE = "benchshare.lang";
const LANGS = ["en", "zh"];
const HTML_LANG = { en: "en", zh: "zh-CN" };
const STRINGS = { en: {}, zh: {} };
const listeners = new Set();

// Add strings: add({en: {key: "text {name}"}, zh: {key: "文字 {name}"}}).
export function add(table) {
  for (const lang of LANGS) Object.assign(STRINGS[lang], table[lang] || {});
}

function fromBrowser() {
  const wanted = navigator.languages && navigator.languages.length
    ? navigator.languages : [navigator.language || "en"];
  for (const tag of wanted) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGS.includes(base)) return base;
  }
  return "en";
}

let current = (() => {
  const kept = localStorage.getItem(STORE);
  return LANGS.includes(kept) ? kept : fromBrowser();
})();

export function language() { return current; }
// The BCP 47 tag for Intl and <html lang>.
// The locale dates and numbers are written in: Chinese as zh-CN; English in the browser's own
// variant when it has one (en-GB writes "Tue 8 Dec", en-US "Tue, Dec 8").
export function locale() {
  if (current !== "en") return HTML_LANG[current];
  const tags = navigator.languages && navigator.languages.length ? navigator.languages
    : [navigator.language || "en"];
  const english = tags.find((tag) => /^en(-|$)/i.test(String(tag)));
  try {
    return english && Intl.DateTimeFormat.supportedLocalesOf([english]).length ? english : "en";
  } catch {
    return "en";
  }
}

export function setLanguage(lang) {
  if (!LANGS.includes(lang)) return;
  current = lang;
  localStorage.setItem(STORE, lang);
  apply();
  for (const listener of listeners) listener(lang);
}

// language: a person's own language (me.language, "en" | "zh-Hans") and back.
export function personLanguage(lang = current) { return lang === "zh" ? "zh-Hans" : "en"; }

// language: on sign-in, a Chinese reader's own language, unless they chose one in this browser
// (a choice made here wins, and is not stored by adopting, so the next person is not bound by
// it). English is everyone's language until they or an import say otherwise, so it is no
// choice: the browser's own language stays. Quiet: the page about to be drawn is drawn in it.
export function adopt(person) {
  if (LANGS.includes(localStorage.getItem(STORE)) || person !== "zh-Hans") return;
  const lang = "zh";
  if (lang === current) return;
  current = lang;
  apply();
}

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// The text of `key` in the current language with {name} replaced from params; English if the
// key has no translation, the key itself if it has none at all.
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    (params[name] === undefined || params[name] === null ? whole : String(params[name])));
}

export function number(value, digits = 1) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

// Sets <html lang> and translates the shell's static elements (data-i18n="key").
export function apply() {
  document.documentElement.lang = HTML_LANG[current];
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}

add({
  en: {
    app_name: "BenchShare",
    skip: "Skip to content",
    sign_out: "Sign out",
    other_language: "中文",
    nav_label: "Main",
    nav_home: "My bookings", nav_find: "Find", nav_notifications: "Notifications",
    nav_practice: "My practice", nav_calendar: "Calendar", nav_class: "Book for a class",
    nav_approvals: "Approvals", nav_qualifications: "Qualifications",
    nav_work: "Workspace", nav_offers: "Offers", nav_dashboard: "Dashboard",
    nav_settings: "Settings", forgot_password: "Forgot your password?",
    unread_count: "{count} unread",
    signin_title: "Sign in", email: "E-mail", password: "Password", signin_button: "Sign in",
    signed_in_as: "Signed in as {name} ({org})",
    session_expired: "Your session has ended. Sign in again to go back where you were.",
    not_found_title: "Not found", not_found_text: "There is nothing at this address, or it is not visible to you.",
    go_home: "Go to my bookings",
    not_for_role: "This page is not for your role.",
    page_failed: "This page could not be loaded. Try again.",
    loading: "Loading…",
    retry: "Try again", close: "Close", ok: "OK", cancel: "Cancel", yes: "Yes", no: "No",
    back: "Back",
    status_pending: "awaiting approval", status_confirmed: "confirmed",
    status_checked_in: "checked in", status_completed: "completed",
    status_cancelled: "cancelled", status_rejected: "rejected", status_no_show: "no-show",
    role_student: "student", role_instructor: "instructor", role_admin: "administrator",
    role_enterprise_staff: "enterprise staff", role_operator: "operator",
  },
  zh: {
    app_name: "BenchShare",
    skip: "跳到正文",
    sign_out: "退出登录",
    other_language: "English",
    nav_label: "主导航",
    nav_home: "我的预约", nav_find: "查找设备", nav_notifications: "通知",
    nav_practice: "我的实训", nav_calendar: "日历", nav_class: "为班级预约",
    nav_approvals: "审批", nav_qualifications: "资质",
    nav_work: "工作台", nav_offers: "设备共享", nav_dashboard: "数据看板",
    nav_settings: "设置", forgot_password: "忘记密码？",
    unread_count: "{count} 条未读",
    signin_title: "登录", email: "电子邮箱", password: "密码", signin_button: "登录",
    signed_in_as: "已登录：{name}（{org}）",
    session_expired: "会话已结束。请重新登录，登录后将回到原来的页面。",
    not_found_title: "未找到", not_found_text: "此地址没有内容，或您无权查看。",
    go_home: "前往我的预约",
    not_for_role: "此页面不适用于您的角色。",
    page_failed: "页面无法加载，请重试。",
    loading: "加载中…",
    retry: "重试", close: "关闭", ok: "确定", cancel: "取消", yes: "是", no: "否",
    back: "返回",
    status_pending: "待审批", status_confirmed: "已确认",
    status_checked_in: "已签到", status_completed: "已完成",
    status_cancelled: "已取消", status_rejected: "已拒绝", status_no_show: "未到场",
    role_student: "学生", role_instructor: "教师", role_admin: "管理员",
    role_enterprise_staff: "企业员工", role_operator: "平台运营",
  },
});
