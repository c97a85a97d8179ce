// What the keeping pages (bases, a base, an item's edit page, people, quotas) share: the
// sentences of the refusals they meet (rc_<code>, read by refusals.js's explain), weekday and
// role names in the page's language, and who may keep what.

import { add, locale, t } from "../i18n.js";
import { h } from "../ui.js";

add({
  en: {
    rc_blackout_conflict: "Bookings fall inside this blackout.",
    rc_blackout_in_past: "That blackout is over: the past stays as it was.",
    rc_closure_in_past: "That closure is over: the past stays as it was.",
    rc_effective_date_in_past: "A change takes effect today or later, never before.",
    rc_invalid_opening_hours: "The opening hours do not fit together: each span must close "
      + "after it opens, and the spans of a day must not overlap.",
    rc_invalid_booking_rules: "The booking rules do not fit together (the shortest booking "
      + "must not be longer than the longest, and both on the slot grid).",
    rc_offers_off_new_grid: "Offers of this item use times that would fall off the new slot "
      + "grid.",
    rc_equipment_has_history: "The item has bookings at its base: retire it and list it again "
      + "at the other base.",
    rc_base_has_history: "The base's equipment has bookings: its time zone stays.",
    rc_name_taken: "That name is already used.",
    rc_email_taken: "That e-mail is already registered.",
    rc_asset_tag_taken: "That asset tag is already used.",
    rc_not_your_base: "This base is run by another organisation.",
    rc_not_your_equipment: "This item belongs to another organisation.",
    rc_not_your_organisation: "That belongs to another organisation.",
    rc_role_does_not_fit_organisation: "That role does not exist in your organisation.",
    rc_manager_is_staff: "Only enterprise staff can be managers.",
    rc_cannot_change_self: "You cannot disable or demote yourself.",
    rc_co_owners_need_co_built: "Only a co-built base has co-owners.",
    rc_validation_error: "Some values are not valid.",
    equipment_status_active: "in service", equipment_status_maintenance: "maintenance",
    equipment_status_retired: "retired",
    school_yes: "yes", school_no: "no",
    school_saved: "Saved.",
    school_read_only: "You can read this page; your organisation's managers change it.",
  },
  zh: {
    rc_blackout_conflict: "该停用时段内已有预约。",
    rc_blackout_in_past: "该停用时段已结束：过去的记录保持不变。",
    rc_closure_in_past: "该闭馆已结束：过去的记录保持不变。",
    rc_effective_date_in_past: "变更只能从今天或之后生效，不能追溯。",
    rc_invalid_opening_hours: "开放时间不合理：每个时段的结束须晚于开始，且同一天的时段不能重叠。",
    rc_invalid_booking_rules: "预约规则互相矛盾（最短时长不能超过最长时长，且须对齐时间格）。",
    rc_offers_off_new_grid: "此设备的共享时段将无法对齐新的时间格。",
    rc_equipment_has_history: "设备在该基地已有预约：请先停用报废，再在另一基地重新登记。",
    rc_base_has_history: "基地的设备已有预约：时区不能更改。",
    rc_name_taken: "该名称已被使用。",
    rc_email_taken: "该邮箱已注册。",
    rc_asset_tag_taken: "该资产编号已被使用。",
    rc_not_your_base: "该基地由其他机构管理。",
    rc_not_your_equipment: "该设备属于其他机构。",
    rc_not_your_organisation: "该内容属于其他机构。",
    rc_role_does_not_fit_organisation: "贵机构没有该角色。",
    rc_manager_is_staff: "只有企业员工可以担任管理者。",
    rc_cannot_change_self: "不能停用自己或降低自己的角色。",
    rc_co_owners_need_co_built: "只有共建基地才有共建方。",
    rc_validation_error: "部分填写内容无效。",
    equipment_status_active: "在用", equipment_status_maintenance: "维护中",
    equipment_status_retired: "已报废",
    school_yes: "是", school_no: "否",
    school_saved: "已保存。",
    school_read_only: "您可以查看本页；由贵机构的管理者修改。",
  },
});

// ISO weekday 1..7 (Monday first) in the page's language: "Saturday" / "星期六".
export function weekdayName(isoWeekday, width = "long") {
  // 2024-01-01 was a Monday.
  return new Intl.DateTimeFormat(locale(), { weekday: width, timeZone: "UTC" })
    .format(new Date(Date.UTC(2024, 0, isoWeekday)));
}

// Whether the signed-in person runs their organisation: its bases, closures and people.
export function managesOrganisation(me) {
  return me.role === "admin" || (me.role === "enterprise_staff" && me.is_manager);
}

// A section of a page: a card with its own h2 (named for screen readers).
export function section(id, title, ...children) {
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title), ...children);
}

// A success note in a live region.
export function said(region, text, testid = "saved") {
  region.replaceChildren(h("p", { class: "banner ok", role: "status", testid }, text));
}

export const yesNo = (value) => t(value ? "school_yes" : "school_no");
