/** How often something must be inspected: `times` inspections in every rolling `every` × `period`. */
export interface Cadence {
  period: 'day' | 'week' | 'month';
  /** Length of the rolling window in periods (default 1). */
  every?: number;
  /** Inspections required inside the window (default 1): "twice a week" is {period: 'week', times: 2}. */
  times?: number;
  /** Only inspections at these local times of day count, "HH:MM"; from > to crosses midnight (20:00–01:00). */
  window?: { from: string; to: string };
}

/**
 * A patrol plan: what must be inspected (cells of a level, or units of some types), how often, and
 * which assignment roles of the cell answer for it. A unit follows the first plan listing its type.
 */
export interface PatrolPlanConfig {
  code: string;
  zh: string;
  en: string;
  level?: number;
  unitTypes?: string[];
  roles: string[];
  cadence: Cadence;
}

export interface ChecklistItemConfig {
  code: string;
  zh: string;
  en: string;
}

export interface PatrolsConfig {
  /** The time zone of days, weeks, months and time windows. */
  timeZone: string;
  /** Weeks start on Monday in China. */
  weekStartsOn: 0 | 1;
  /** A check-in farther than this from the unit is flagged (never refused). */
  farCheckInMetres: number;
  plans: PatrolPlanConfig[];
  /** Checklist items per unit type; "default" for the types not listed. */
  checklists: Record<string, ChecklistItemConfig[]>;
}

const item = (code: string, zh: string, en: string): ChecklistItemConfig => ({ code, zh, en });

const FIRE_BASICS = [
  item('exits_clear', '安全出口、疏散通道畅通', 'Exits and escape routes clear'),
  item('extinguishers', '灭火器配置齐全且在有效期内', 'Extinguishers present and in date'),
  item('wiring', '电气线路无私拉乱接', 'No improvised or overloaded wiring'),
  item('gas', '燃气使用安全、无泄漏', 'Gas used safely, no leaks'),
];

/**
 * Defaults from the documents: street patrols daily (街面巡防每天进行), the community weekly (居村委每周
 * 一次全面排查), the township monthly (乡镇每月组织一次检查), fire supervisors at least twice a week in
 * the evening, 20:00 to 01:00 (消防监督员每周2次以上，晚上8时至次日凌晨1时); class A key fire-safety
 * units weekly, nine small places monthly, pollution sources twice a month (每月至少2次现场检查).
 */
export const DEFAULT_PATROL_PLANS: PatrolPlanConfig[] = [
  { code: 'area_daily', zh: '片区日常巡查', en: 'Daily area patrol', level: 4, roles: ['specific_responsible', 'info_officer', 'assistant'], cadence: { period: 'day' } },
  { code: 'community_weekly', zh: '社区每周排查', en: 'Weekly community check', level: 3, roles: ['direct_responsible', 'chief', 'manager'], cadence: { period: 'week' } },
  { code: 'fire_supervisor_evening', zh: '消防监督员夜间巡防', en: 'Fire supervisor evening patrol', level: 3, roles: ['supervisor'], cadence: { period: 'week', times: 2, window: { from: '20:00', to: '01:00' } } },
  { code: 'township_monthly', zh: '乡镇（街道）每月检查', en: 'Monthly township check', level: 2, roles: ['first_responsible', 'chief'], cadence: { period: 'month' } },
  { code: 'key_fire_a_weekly', zh: '一级消防重点单位每周检查', en: 'Key fire-safety units class A, weekly', unitTypes: ['key_fire_a'], roles: ['supervisor', 'specific_responsible', 'info_officer'], cadence: { period: 'week' } },
  { code: 'pollution_twice_monthly', zh: '污染源每月两次现场检查', en: 'Pollution sources, twice a month', unitTypes: ['pollution_source'], roles: ['specific_responsible', 'info_officer'], cadence: { period: 'month', times: 2 } },
  { code: 'units_monthly', zh: '九小场所及其他单位每月检查', en: 'Nine small places and other units, monthly', unitTypes: ['small_place', 'key_fire_b', 'key_fire_c', 'company', 'rented_housing', 'other'], roles: ['specific_responsible', 'info_officer'], cadence: { period: 'month' } },
];

export const DEFAULT_CHECKLISTS: Record<string, ChecklistItemConfig[]> = {
  default: FIRE_BASICS,
  key_fire_a: [
    ...FIRE_BASICS,
    item('fire_systems', '消防报警、喷淋等设施完好有效', 'Fire alarm and sprinklers working'),
    item('emergency_lighting', '应急照明、疏散指示标志完好', 'Emergency lighting and exit signs working'),
    item('duty_records', '消防控制室值班及巡查记录完整', 'Fire control room duty and patrol records kept'),
  ],
  small_place: [
    ...FIRE_BASICS,
    item('no_living_in', '无“三合一”住人', 'Nobody sleeping in the shop or workshop'),
  ],
  pollution_source: [
    item('treatment_running', '治污设施正常运行', 'Treatment facilities running'),
    item('permit_valid', '排污许可证在有效期内', 'Discharge permit valid'),
    item('no_illegal_discharge', '无偷排、漏排、超标排放', 'No illegal, leaking or excess discharge'),
    item('records_kept', '环保台账记录完整', 'Environmental records kept'),
  ],
};

export type PatrolsFile = Partial<PatrolsConfig>;

/** Patrol settings: configured plans and checklists replace the defaults as a whole. */
export function patrolsConfig(file: PatrolsFile = {}): PatrolsConfig {
  return {
    timeZone: file.timeZone ?? 'Asia/Shanghai',
    weekStartsOn: file.weekStartsOn ?? 1,
    farCheckInMetres: file.farCheckInMetres ?? 150,
    plans: file.plans ?? DEFAULT_PATROL_PLANS,
    checklists: file.checklists ?? DEFAULT_CHECKLISTS,
  };
}
