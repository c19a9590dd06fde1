// Chinese labels for the English ids of the API, and times in China time.

export const CHANNELS: Record<string, string> = {
  wechat: "微信",
  weibo: "微博",
  web: "网站",
  hotline: "12345热线",
  app: "移动端",
  letter: "来信",
};

export const ROLES: Record<string, string> = {
  clerk: "受理员",
  dispatcher: "派单员",
  handler: "承办人",
  supervisor: "督办员",
  citizen: "群众",
};

export const LEVELS: Record<string, string> = {
  reminder: "催办",
  supervision: "督办",
  listed: "挂牌督办",
};

/** Why an effect is owed (`Effect.reason`). */
export const REASONS: Record<string, string> = {
  dispatched: "派单",
  transferred: "转办",
  returned: "退回",
  assist_requested: "请求会办",
  opinion_submitted: "会办意见",
  reply: "答复",
  notice: "告知",
  closed: "办结",
  extended: "延期",
  linked: "并案",
  sla_warning: "时限预警",
  sla_breach: "超时",
  supervision: "督办",
  supervision_answered: "督办答复",
  bounced: "多次退转",
  opinion_overdue: "会办意见逾期",
  supervision_overdue: "督办答复逾期",
  overdue: "逾期",
};

/** A post's kind (信息类别) in publishing and account-health. */
export const POST_KINDS: Record<string, string> = {
  government: "政务",
  service: "服务",
  repost: "转载",
};

export const KINDS: Record<string, string> = {
  city: "市",
  district: "区县",
  township: "乡镇",
  village: "村（社区）",
  department: "部门",
  organisation: "社会组织",
};

export const CATEGORIES: Record<string, string> = {
  municipal: "市政设施",
  environment: "生态环境",
  land: "土地纠纷",
  social_security: "社会保障",
  public_safety: "治安",
  other: "其他",
};

export const SATISFACTION: Record<string, string> = {
  satisfied: "满意",
  basically_satisfied: "基本满意",
  unsatisfied: "不满意",
};

const clock = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  month: "numeric",
  day: "numeric",
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** An instant as China time: "1月9日周五 17:00". */
export function when(ms: number): string {
  return clock.format(new Date(ms));
}

/** A span as days, hours and minutes: "2天3时", "45分". */
export function span(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d}天${h}时` : `${d}天`;
  if (h > 0) return m > 0 ? `${h}时${m}分` : `${h}时`;
  return `${m}分`;
}

/** A rate in [0, 1] as a percentage, or a dash when there is nothing to measure. */
export function percent(rate: number | undefined | null): string {
  return rate === undefined || rate === null ? "—" : `${(rate * 100).toFixed(1)}%`;
}
