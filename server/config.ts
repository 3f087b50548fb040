import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isTimeZone } from '../core/time/local.ts';
import { patrolsConfig, type PatrolsConfig } from './patrols/config.ts';
import { commandConfig, type CommandConfig } from './command/config.ts';
import { workloadConfig, type WorkloadConfig } from './partition/config.ts';
import { boardConfig, dutiesConfig, type BoardConfig, type DutiesConfig, type DutiesFile } from './duties/config.ts';

/** A grid level: deployments use 3 to 5; names are configuration, not code. */
export interface LevelConfig {
  level: number;
  zh: string;
  en: string;
  /** The zooms at which the cell tiles draw this level (every zoom when absent): a city's buildings stay out of its overview. */
  minZoom?: number;
  maxZoom?: number;
}

/**
 * Cell codes follow Beijing's DB11/T 2157-2023 by default: the 6-digit GB/T 2260 division code for
 * level 1, then `digitsPerLevel` more digits for each deeper level.
 */
export interface CodeScheme {
  rootDigits: number;
  digitsPerLevel: number;
}

export interface Basemap {
  /** A MapLibre style URL, used as is. */
  styleUrl?: string;
  /** A raster XYZ tile URL template ({z}/{x}/{y}), e.g. OpenStreetMap or Tianditu. */
  rasterTiles?: string;
  attribution?: string;
}

export { ROLES, type Role } from '../core/contracts/accounts.ts';
import type { Role } from '../core/contracts/accounts.ts';

export interface Security {
  /** Sign-in attempts per minute per client address. */
  signInPerMinute: number;
  /** Public report submissions per minute per client address. */
  reportsPerMinute: number;
  /** Anonymous-capable reads (cells, tiles, OGC, report tracking) per minute per client address. */
  publicReadsPerMinute: number;
  /** Failed sign-ins in a row that lock an account, and for how long. */
  lockAfterFailures: number;
  lockMinutes: number;
  sessionHours: number;
  /** Mark cookies Secure (behind HTTPS). */
  secureCookies: boolean;
}

/** A role a person can hold in a cell, with its rules. */
export type { AssignmentRole as AssignmentRoleConfig } from '../core/contracts/people.ts';
import type { AssignmentRole as AssignmentRoleConfig } from '../core/contracts/people.ts';

/** A kind of unit or place kept on file (一户一档): company, key fire-safety unit, 九小场所 … */
export interface UnitTypeConfig {
  code: string;
  zh: string;
  en: string;
}

export interface CardConfig {
  /** Show responsible people's phones as 138****5678 on the public card. */
  maskPhones: boolean;
}

/** The two severities of a hazard report: 一般 and 重大. */
export { SEVERITIES, type Severity } from '../core/contracts/reports.ts';
import type { Severity } from '../core/contracts/reports.ts';

/** A hazard category (消防, 环境 …); codes are stored on reports, names are shown. */
export interface ReportCategoryConfig {
  code: string;
  zh: string;
  en: string;
}

/** Hours allowed for each step of a report: verify (核实), dispatch (派遣), rectify (限期整改), check (核查). */
export interface StepHours {
  verify: number;
  dispatch: number;
  rectify: number;
  check: number;
}

export interface ReportsConfig {
  categories: ReportCategoryConfig[];
  deadlines: Record<Severity, StepHours>;
  /** Exceptions per category code, e.g. { "fire": { "major": { "rectify": 72 } } }. */
  categoryDeadlines: Record<string, Partial<Record<Severity, Partial<StepHours>>>>;
  /** How often the escalation job looks for overdue reports. */
  escalationIntervalSeconds: number;
  /** Reward (有奖举报) for a verified report from the public, by severity. */
  rewards: Record<Severity, number>;
  /** Reports escalated past a person that trigger a warning, a written explanation, a public notice. */
  warningThresholds: { warning: number; explanation: number; publicNotice: number };
  photos: { dir: string; maxCount: number; maxBytes: number; thumbWidth: number };
}

export interface Config {
  port: number;
  /** The address to listen on: HOST, else the file's host; when neither is set, see listenHost. */
  host?: string;
  /** The address the public reaches the server at (https://grid.example.gov.cn), for links the API builds (OGC). */
  publicUrl?: string;
  /**
   * A glyph server for the cell names of /styles/cells.json (MapLibre's `glyphs`, with {fontstack}
   * and {range}); without one MapLibre draws them with the browser's fonts.
   */
  glyphsUrl?: string;
  /** The jurisdiction_id Open311 clients send (GeoReport v2); any or none is accepted when unset. */
  open311Jurisdiction?: string;
  databaseUrl?: string;
  dataDir: string;
  levels: LevelConfig[];
  codeScheme: CodeScheme;
  basemap: Basemap;
  roleNames: Record<Role, { zh: string; en: string }>;
  security: Security;
  /** IANA time zone of the deployment: every time people read, days, months and patrol windows (default Asia/Shanghai). */
  timeZone: string;
  /** Seed the demo district on first start of an empty database (default: embedded only). */
  seedDemo: boolean;
  assignmentRoles: AssignmentRoleConfig[];
  unitTypes: UnitTypeConfig[];
  card: CardConfig;
  reports: ReportsConfig;
  /** Patrol plans (cadences), check-in distance and checklists: see server/patrols/config.ts. */
  patrols: PatrolsConfig;
  /** Command view: heatmap threshold and bins, severity weights, report month time zone: see server/command/config.ts. */
  command: CommandConfig;
  /** Workload of cells and balanced division (任务相当): weights, unit weights, the band: see server/partition/config.ts. */
  workload: WorkloadConfig;
  /** 五定: duty, task and reward/penalty templates per level: see server/duties/config.ts. */
  duties: DutiesConfig;
  /** The printed notice board (网格公示牌): the supervision hotline. */
  board: BoardConfig;
}

export const DEFAULT_LEVELS: LevelConfig[] = [
  { level: 1, zh: '区', en: 'District' },
  { level: 2, zh: '街道', en: 'Street' },
  { level: 3, zh: '社区', en: 'Community' },
  { level: 4, zh: '片区', en: 'Area' },
  { level: 5, zh: '楼院', en: 'Building' },
];

export const DEFAULT_ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  planner: { zh: '网格规划员', en: 'Planner' },
  commander: { zh: '指挥中心', en: 'Commander' },
  worker: { zh: '网格员', en: 'Grid worker' },
};

export const DEFAULT_ASSIGNMENT_ROLES: AssignmentRoleConfig[] = [
  { code: 'first_responsible', zh: '第一责任人', en: 'First responsible', maxPerCell: 1, required: true },
  { code: 'direct_responsible', zh: '直接责任人', en: 'Direct responsible' },
  { code: 'specific_responsible', zh: '具体责任人', en: 'Specific responsible' },
  { code: 'chief', zh: '网格长', en: 'Grid chief' },
  { code: 'manager', zh: '网格管理员', en: 'Grid manager' },
  { code: 'info_officer', zh: '信息员', en: 'Information officer' },
  { code: 'supervisor', zh: '监督员', en: 'Supervisor', minPerCell: 1, maxPerCell: 5 },
  { code: 'assistant', zh: '协管员', en: 'Assistant' },
];

export const DEFAULT_UNIT_TYPES: UnitTypeConfig[] = [
  { code: 'company', zh: '企事业单位', en: 'Company or institution' },
  { code: 'key_fire_a', zh: '一级消防重点单位', en: 'Key fire-safety unit, class A' },
  { code: 'key_fire_b', zh: '二级消防重点单位', en: 'Key fire-safety unit, class B' },
  { code: 'key_fire_c', zh: '三级消防重点单位', en: 'Key fire-safety unit, class C' },
  { code: 'small_place', zh: '九小场所', en: 'Small place (nine kinds)' },
  { code: 'pollution_source', zh: '污染源', en: 'Pollution source' },
  { code: 'rented_housing', zh: '出租房屋', en: 'Rented housing' },
  { code: 'other', zh: '其他', en: 'Other' },
];

export const DEFAULT_REPORT_CATEGORIES: ReportCategoryConfig[] = [
  { code: 'fire', zh: '消防', en: 'Fire safety' },
  { code: 'environment', zh: '环境', en: 'Environment' },
  { code: 'work_safety', zh: '安全生产', en: 'Work safety' },
  { code: 'food_drug', zh: '食品药品', en: 'Food and drugs' },
  { code: 'price', zh: '价格', en: 'Prices' },
  { code: 'conduct', zh: '作风', en: 'Conduct of officials' },
  { code: 'other', zh: '其他', en: 'Other' },
];

type ReportsFile = Partial<Omit<ReportsConfig, 'deadlines' | 'photos' | 'warningThresholds' | 'rewards'>> & {
  deadlines?: Partial<Record<Severity, Partial<StepHours>>>;
  photos?: Partial<ReportsConfig['photos']>;
  warningThresholds?: Partial<ReportsConfig['warningThresholds']>;
  rewards?: Partial<ReportsConfig['rewards']>;
};

/** Report settings: defaults from the documents (verify in 24 h, rectify 7 days, major 30 days; rewards 50/300; warnings 1/3/5). */
export function reportsConfig(file: ReportsFile = {}, env: NodeJS.ProcessEnv = {}, dataDir = path.resolve('data/db')): ReportsConfig {
  return {
    categories: file.categories ?? DEFAULT_REPORT_CATEGORIES,
    deadlines: {
      ordinary: { verify: 24, dispatch: 24, rectify: 7 * 24, check: 72, ...file.deadlines?.ordinary },
      major: { verify: 24, dispatch: 24, rectify: 30 * 24, check: 72, ...file.deadlines?.major },
    },
    categoryDeadlines: file.categoryDeadlines ?? {},
    escalationIntervalSeconds: file.escalationIntervalSeconds ?? 60,
    rewards: { ordinary: 50, major: 300, ...file.rewards },
    warningThresholds: { warning: 1, explanation: 3, publicNotice: 5, ...file.warningThresholds },
    photos: {
      maxCount: 6,
      maxBytes: 10 * 1024 * 1024,
      thumbWidth: 320,
      ...file.photos,
      dir: path.resolve(env.WANGGE_PHOTO_DIR ?? file.photos?.dir ?? path.join(dataDir, 'photos')),
    },
  };
}

/**
 * Where the server listens: the configured host, else only this machine (127.0.0.1) while accounts
 * with the demo password exist (a seeded demo), else every interface.
 */
export function listenHost(config: Pick<Config, 'host'>, demoAccounts: boolean): string {
  return config.host ?? (demoAccounts ? '127.0.0.1' : '0.0.0.0');
}

/** Reads the environment and the optional JSON file named by WANGGE_CONFIG. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.WANGGE_CONFIG ? (JSON.parse(readFileSync(env.WANGGE_CONFIG, 'utf8')) as Partial<Omit<Config, 'duties' | 'board'>> & { duties?: DutiesFile; board?: Partial<BoardConfig> }) : {};
  const basemap: Basemap = { ...file.basemap };
  if (env.WANGGE_BASEMAP_STYLE) basemap.styleUrl = env.WANGGE_BASEMAP_STYLE;
  if (env.WANGGE_BASEMAP_TILES) basemap.rasterTiles = env.WANGGE_BASEMAP_TILES;
  if (env.WANGGE_BASEMAP_ATTRIBUTION) basemap.attribution = env.WANGGE_BASEMAP_ATTRIBUTION;
  // One zone for the whole deployment (patrol windows, report months, what people read); the older
  // per-section settings are read as the deployment's zone when no other is given.
  const timeZone = env.WANGGE_TIME_ZONE ?? file.timeZone ?? file.patrols?.timeZone ?? file.command?.timeZone ?? 'Asia/Shanghai';
  if (!isTimeZone(timeZone)) throw new Error(`WANGGE_TIME_ZONE / timeZone: "${timeZone}" is not an IANA time zone (e.g. Asia/Shanghai)`);
  return {
    port: Number(env.PORT ?? file.port ?? 8080),
    host: env.HOST || file.host || undefined,
    publicUrl: env.WANGGE_PUBLIC_URL || file.publicUrl || undefined,
    glyphsUrl: env.WANGGE_GLYPHS_URL || file.glyphsUrl || undefined,
    open311Jurisdiction: env.WANGGE_OPEN311_JURISDICTION || file.open311Jurisdiction || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.WANGGE_DATA_DIR ?? file.dataDir ?? 'data/db'),
    levels: file.levels ?? DEFAULT_LEVELS,
    codeScheme: file.codeScheme ?? { rootDigits: 6, digitsPerLevel: 3 },
    basemap,
    roleNames: { ...DEFAULT_ROLE_NAMES, ...file.roleNames },
    security: {
      signInPerMinute: 10,
      reportsPerMinute: 30,
      publicReadsPerMinute: 1200,
      lockAfterFailures: 5,
      lockMinutes: 15,
      sessionHours: 12,
      secureCookies: env.WANGGE_SECURE_COOKIES === 'true',
      ...file.security,
    },
    timeZone,
    seedDemo: env.WANGGE_SEED_DEMO ? env.WANGGE_SEED_DEMO !== 'false' : (file.seedDemo ?? !env.DATABASE_URL),
    assignmentRoles: file.assignmentRoles ?? DEFAULT_ASSIGNMENT_ROLES,
    unitTypes: file.unitTypes ?? DEFAULT_UNIT_TYPES,
    card: { maskPhones: true, ...file.card },
    reports: reportsConfig(file.reports, env, path.resolve(env.WANGGE_DATA_DIR ?? file.dataDir ?? 'data/db')),
    patrols: patrolsConfig({ ...file.patrols, timeZone }),
    command: commandConfig({ ...file.command, timeZone }),
    workload: workloadConfig(file.workload),
    duties: dutiesConfig(file.duties),
    board: boardConfig({ ...file.board, ...(env.WANGGE_BOARD_HOTLINE ? { hotline: env.WANGGE_BOARD_HOTLINE } : {}) }),
  };
}
