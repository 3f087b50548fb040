/**
 * The audit log's contract: every action code the server writes, the kinds of object an entry is
 * about, and the sentence each code reads as in zh-CN and en. The server types its `audit()` calls
 * with these codes; the client and the CSV export both say them in words from here.
 */
export type AuditLang = 'zh-CN' | 'en';

export const REPORT_ACTIONS = ['verify', 'reject', 'dispatch', 'accept', 'rectify', 'close', 'return', 'transfer', 'reopen'] as const;
export const COVERAGE_FIXES = ['overlap', 'gap', 'slivers', 'stray'] as const;

export const AUDIT_ACTIONS = [
  'session.signin', 'session.signout', 'session.failed', 'session.locked',
  'token.create', 'token.revoke',
  'user.create', 'user.update',
  'cell.create', 'cell.update', 'cell.delete', 'cell.split', 'cell.merge', 'cell.restore', 'cell.import', 'cell.assignments', 'cell.partition', 'cell.duties',
  ...COVERAGE_FIXES.map((k) => `coverage.fix.${k}` as const),
  'report.create', 'report.photos', ...REPORT_ACTIONS.map((a) => `report.${a}` as const),
  'unit.create', 'unit.update', 'unit.delete', 'unit.record', 'unit.archive', 'unit.restore', 'units.import',
  'person.create', 'person.update', 'person.delete', 'assignments.import',
  'inspection.start', 'inspection.checkin', 'inspection.checklist', 'inspection.finding', 'inspection.finish',
  'settings.basemap',
  'reward.pay',
  'warning.notice', 'evaluation.democratic',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The kinds of action an admin filters by: the code's first word. */
export const AUDIT_ACTION_KINDS = ['session', 'token', 'user', 'cell', 'coverage', 'report', 'unit', 'units', 'person', 'assignments', 'inspection', 'settings', 'reward', 'warning', 'evaluation'] as const;

/** What an entry's target (`type:id`) can be. */
export const AUDIT_OBJECT_TYPES = ['cell', 'report', 'unit', 'person', 'user', 'token', 'inspection', 'import', 'settings'] as const;
export type AuditObjectType = (typeof AUDIT_OBJECT_TYPES)[number];

export const isAuditAction = (code: string): code is AuditAction => (AUDIT_ACTIONS as readonly string[]).includes(code);

const ZH: Record<AuditAction, string> = {
  'session.signin': '{actor} 登录了系统',
  'session.signout': '{actor} 退出了登录',
  'session.failed': '以 {username} 登录失败（用户名或密码错误）',
  'session.locked': '{username} 多次登录失败，已被暂时锁定',
  'token.create': '{actor} 创建了 API 令牌 {object}',
  'token.revoke': '{actor} 撤销了 API 令牌 {object}',
  'user.create': '{actor} 创建了用户 {object}（{role}）',
  'user.update': '{actor} 修改了用户 {object}的{changed}',
  'cell.create': '{actor} 新建了网格 {object}',
  'cell.update': '{actor} 修改了网格 {object}的{changed}',
  'cell.delete': '{actor} 删除了网格 {object}',
  'cell.split': '{actor} 将网格 {object} 拆分为 {count} 个网格',
  'cell.partition': '{actor} 将网格 {object} 自动划分为 {count} 个工作量均衡的网格',
  'cell.merge': '{actor} 将 {count} 个网格并入网格 {object}',
  'cell.restore': '{actor} 将网格 {object} 恢复到第 {version} 版',
  'cell.import': '{actor} 从文件 {file} 导入了 {count} 个网格',
  'cell.assignments': '{actor} 修改了网格 {object}的责任人',
  'cell.duties': '{actor} 修改了网格 {object}的{changed}（五定）',
  'coverage.fix.overlap': '{actor} 修复了网格 {object} 内的重叠',
  'coverage.fix.gap': '{actor} 填补了网格 {object} 内的空白区域',
  'coverage.fix.slivers': '{actor} 清理了网格 {object} 内的细碎缝隙',
  'coverage.fix.stray': '{actor} 修正了超出上级的网格 {object}',
  'report.create': '{actor} 上报了隐患 {object}',
  'report.photos': '{actor} 为隐患 {object} 补充了 {count} 张照片',
  'report.verify': '{actor} 核实了隐患 {object}',
  'report.reject': '{actor} 驳回了隐患 {object}（核实不属实）',
  'report.dispatch': '{actor} 派遣了隐患 {object}',
  'report.accept': '{actor} 接收了隐患 {object}',
  'report.rectify': '{actor} 提交了隐患 {object} 的整改',
  'report.close': '{actor} 核查结案了隐患 {object}',
  'report.return': '{actor} 退回了隐患 {object}',
  'report.transfer': '{actor} 移交了隐患 {object}',
  'report.reopen': '{actor} 重新打开了隐患 {object}',
  'unit.create': '{actor} 新建了单位 {object}',
  'unit.update': '{actor} 修改了单位 {object}的{changed}',
  'unit.delete': '{actor} 删除了单位 {object}',
  'unit.record': '{actor} 为单位 {object} 添加了一条档案记录（{date}）',
  'unit.archive': '{actor} 归档了单位 {object}',
  'unit.restore': '{actor} 恢复了已归档的单位 {object}',
  'units.import': '{actor} 导入了 {count} 个单位（共 {rows} 行，跳过 {skipped} 行）',
  'person.create': '{actor} 新增了人员 {object}',
  'person.update': '{actor} 修改了人员 {object}的{changed}',
  'person.delete': '{actor} 删除了人员 {object}',
  'assignments.import': '{actor} 导入了 {count} 条责任人分工（新增人员 {peopleCreated} 人，跳过 {skipped} 行）',
  'inspection.start': '{actor} 开始巡查网格 {object}',
  'inspection.checkin': '{actor} 在网格 {object} 的巡查中签到了一个单位（距离 {distance} 米）',
  'inspection.checklist': '{actor} 在网格 {object} 的巡查中填写了检查表（{count} 项不合格）',
  'inspection.finding': '{actor} 在网格 {object} 的巡查中上报了隐患',
  'inspection.finish': '{actor} 结束了网格 {object} 的巡查',
  'settings.basemap': '{actor} 修改了底图设置（{kind}）',
  'reward.pay': '{actor} 记录了隐患 {object} 举报奖励的发放：{amount} 元',
  'warning.notice': '{actor} 向 {object} 签发了预警通知书 {number}',
  'evaluation.democratic': '{actor} 录入了网格 {object} {period} 的民主测评得分 {score}',
};

const EN: Record<AuditAction, string> = {
  'session.signin': '{actor} signed in',
  'session.signout': '{actor} signed out',
  'session.failed': 'Failed sign-in as {username} (wrong username or password)',
  'session.locked': 'Sign-in as {username} locked for a while after repeated failures',
  'token.create': '{actor} created API token {object}',
  'token.revoke': '{actor} revoked API token {object}',
  'user.create': '{actor} created user {object} ({role})',
  'user.update': '{actor} changed the {changed} of user {object}',
  'cell.create': '{actor} created cell {object}',
  'cell.update': '{actor} changed the {changed} of cell {object}',
  'cell.delete': '{actor} deleted cell {object}',
  'cell.split': '{actor} split cell {object} into {count} cells',
  'cell.partition': '{actor} divided cell {object} into {count} cells of balanced workload',
  'cell.merge': '{actor} merged {count} cells into cell {object}',
  'cell.restore': '{actor} restored cell {object} to version {version}',
  'cell.import': '{actor} imported {count} cells from the file {file}',
  'cell.assignments': '{actor} changed the responsible people of cell {object}',
  'cell.duties': '{actor} changed the {changed} of cell {object}',
  'coverage.fix.overlap': '{actor} fixed an overlap in cell {object}',
  'coverage.fix.gap': '{actor} filled a gap in cell {object}',
  'coverage.fix.slivers': '{actor} cleaned up slivers in cell {object}',
  'coverage.fix.stray': '{actor} brought cell {object} back inside its parent',
  'report.create': '{actor} reported hazard {object}',
  'report.photos': '{actor} added {count} photos to hazard {object}',
  'report.verify': '{actor} verified hazard {object}',
  'report.reject': '{actor} rejected hazard {object} as unfounded',
  'report.dispatch': '{actor} dispatched hazard {object}',
  'report.accept': '{actor} accepted hazard {object}',
  'report.rectify': '{actor} submitted the rectification of hazard {object}',
  'report.close': '{actor} checked and closed hazard {object}',
  'report.return': '{actor} returned hazard {object}',
  'report.transfer': '{actor} transferred hazard {object}',
  'report.reopen': '{actor} reopened hazard {object}',
  'unit.create': '{actor} created unit {object}',
  'unit.update': '{actor} changed the {changed} of unit {object}',
  'unit.delete': '{actor} deleted unit {object}',
  'unit.record': '{actor} added a record to unit {object} ({date})',
  'unit.archive': '{actor} archived unit {object}',
  'unit.restore': '{actor} restored archived unit {object}',
  'units.import': '{actor} imported {count} units ({rows} rows, {skipped} skipped)',
  'person.create': '{actor} added person {object}',
  'person.update': '{actor} changed the {changed} of person {object}',
  'person.delete': '{actor} deleted person {object}',
  'assignments.import': '{actor} imported {count} assignments ({peopleCreated} new people, {skipped} rows skipped)',
  'inspection.start': '{actor} started a patrol of cell {object}',
  'inspection.checkin': '{actor} checked in at a unit on the patrol of cell {object} ({distance} m away)',
  'inspection.checklist': '{actor} filled in a checklist on the patrol of cell {object} ({count} items failed)',
  'inspection.finding': '{actor} reported a hazard on the patrol of cell {object}',
  'inspection.finish': '{actor} finished the patrol of cell {object}',
  'settings.basemap': '{actor} changed the basemap settings ({kind})',
  'reward.pay': '{actor} recorded the payout of the reward for hazard {object}: {amount} yuan',
  'warning.notice': '{actor} issued warning notice {number} to {object}',
  'evaluation.democratic': '{actor} entered the democratic appraisal score {score} of cell {object} for {period}',
};

export const AUDIT_SENTENCES: Record<AuditLang, Record<AuditAction, string>> = { 'zh-CN': ZH, en: EN };

/** Words for the fields an edit's `changed` list names; an unknown field shows as itself. */
const FIELDS: Record<AuditLang, Record<string, string>> = {
  'zh-CN': {
    name: '名称', geometry: '边界', code: '编码', type: '类型', address: '地址', displayName: '姓名', role: '角色', scope: '负责网格',
    personId: '关联人员', active: '启用状态', 'password (reset)': '密码（重置）', password: '密码', phone: '电话', organisation: '所在单位',
    title: '职务', note: '备注', duties: '职责', tasks: '任务', fireClass: '消防等级', contact: '联系人', attributes: '属性', idNumber: '证件号', photo: '照片',
  },
  en: {
    name: 'name', geometry: 'boundary', code: 'code', type: 'type', address: 'address', displayName: 'name', role: 'role', scope: 'cells',
    personId: 'linked person', active: 'active state', 'password (reset)': 'password (reset)', password: 'password', phone: 'phone',
    organisation: 'organisation', title: 'title', note: 'note', duties: 'duties', tasks: 'tasks', fireClass: 'fire-safety class', contact: 'contact', attributes: 'attributes', idNumber: 'ID number', photo: 'photo',
  },
};

export const AUDIT_ROLES: Record<AuditLang, Record<string, string>> = {
  'zh-CN': { admin: '管理员', planner: '规划员', commander: '指挥员', worker: '网格员' },
  en: { admin: 'admin', planner: 'planner', commander: 'commander', worker: 'grid worker' },
};

export const AUDIT_OBJECT_WORDS: Record<AuditLang, Record<AuditObjectType, string>> = {
  'zh-CN': { cell: '网格', report: '隐患', unit: '单位', person: '人员', user: '用户', token: 'API 令牌', inspection: '巡查', import: '导入', settings: '设置' },
  en: { cell: 'cell', report: 'hazard', unit: 'unit', person: 'person', user: 'user', token: 'API token', inspection: 'patrol', import: 'import', settings: 'settings' },
};

/** Fixed words of the log: who acted when no one was signed in, an object that is gone. */
export const AUDIT_WORDS: Record<AuditLang, { public: string; anonymous: string; deleted: string; details: string; and: string; none: string }> = {
  'zh-CN': { public: '群众', anonymous: '未登录', deleted: '已删除', details: '信息', and: '和', none: '（全部）' },
  en: { public: 'A member of the public', anonymous: 'not signed in', deleted: 'deleted', details: 'details', and: ' and ', none: '(all)' },
};

const count = (v: unknown) => (Array.isArray(v) ? v.length : typeof v === 'number' ? v : 0);

/** The values a code's sentence names, taken from the entry's detail, in the language asked for. */
export function sentenceParams(action: string, detail: Record<string, unknown>, lang: AuditLang): Record<string, string | number> {
  const changed = Array.isArray(detail.changed) ? detail.changed.map((f) => FIELDS[lang][String(f)] ?? String(f)) : [];
  const sep = lang === 'zh-CN' ? '、' : ', ';
  const joined = changed.length <= 1 ? (changed[0] ?? AUDIT_WORDS[lang].details) : `${changed.slice(0, -1).join(sep)}${AUDIT_WORDS[lang].and}${changed.at(-1)}`;
  const n = action === 'cell.split' ? count(detail.into)
    : action === 'cell.partition' ? count(detail.created)
    : action === 'cell.merge' ? count(detail.merged) + 1
    : action === 'cell.import' ? count(detail.cells)
    : action === 'report.photos' ? count(detail.photos)
    : action === 'units.import' ? count(detail.imported)
    : action === 'assignments.import' ? count(detail.assigned)
    : action === 'inspection.checklist' ? count(detail.failed)
    : 0;
  return {
    changed: joined,
    count: n,
    username: String(detail.username ?? '—'),
    role: AUDIT_ROLES[lang][String(detail.role)] ?? String(detail.role ?? '—'),
    version: String(detail.version ?? '—'),
    file: String(detail.file ?? '—'),
    rows: count(detail.rows),
    skipped: count(detail.skipped),
    peopleCreated: count(detail.peopleCreated),
    distance: count(detail.distanceM),
    date: String(detail.date ?? '—'),
    kind: String(detail.kind ?? '—'),
    amount: count(detail.amount),
    number: String(detail.number ?? '—'),
    period: String(detail.period ?? '—'),
    score: detail.score === undefined ? '—' : String(detail.score),
  };
}

/** One piece of a sentence: text, or the place where the object (a link in the app) goes. */
export type SentencePart = { text: string } | { object: true } | { actor: true };

/**
 * A code's sentence in pieces, with its values filled in; `{actor}` and `{object}` stay pieces of
 * their own so the app can show them as a name and a link. An unknown code (from an older version)
 * reads as the code itself.
 */
export function sentenceParts(action: string, detail: Record<string, unknown>, lang: AuditLang): SentencePart[] {
  const template = isAuditAction(action) ? AUDIT_SENTENCES[lang][action] : `{actor} ${action} {object}`;
  const params = sentenceParams(action, detail, lang);
  const parts: SentencePart[] = [];
  for (const piece of template.split(/(\{actor\}|\{object\})/)) {
    if (piece === '{actor}') parts.push({ actor: true });
    else if (piece === '{object}') parts.push({ object: true });
    else if (piece) parts.push({ text: piece.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) });
  }
  return parts;
}

/** The sentence as plain text (the CSV export), with the actor's and the object's names. */
export function sentenceText(action: string, detail: Record<string, unknown>, lang: AuditLang, actor: string, object: string): string {
  return sentenceParts(action, detail, lang).map((p) => ('text' in p ? p.text : 'actor' in p ? actor : object)).join('');
}
