import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A grid level: deployments use 3 to 5; names are configuration, not code. */
export interface LevelConfig {
  level: number;
  zh: string;
  en: string;
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

/** The roles an account can have; names are configuration, the codes are fixed. */
export type Role = 'admin' | 'planner' | 'commander' | 'worker';
export const ROLES: Role[] = ['admin', 'planner', 'commander', 'worker'];

export interface Security {
  /** Sign-in attempts per minute per client address. */
  signInPerMinute: number;
  /** Public report submissions per minute per client address. */
  reportsPerMinute: number;
  /** Failed sign-ins in a row that lock an account, and for how long. */
  lockAfterFailures: number;
  lockMinutes: number;
  sessionHours: number;
  /** Mark cookies Secure (behind HTTPS). */
  secureCookies: boolean;
}

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  levels: LevelConfig[];
  codeScheme: CodeScheme;
  basemap: Basemap;
  roleNames: Record<Role, { zh: string; en: string }>;
  security: Security;
  /** Seed the demo district on first start of an empty database (default: embedded only). */
  seedDemo: boolean;
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

/** Reads the environment and the optional JSON file named by WANGGE_CONFIG. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.WANGGE_CONFIG ? (JSON.parse(readFileSync(env.WANGGE_CONFIG, 'utf8')) as Partial<Config>) : {};
  const basemap: Basemap = { ...file.basemap };
  if (env.WANGGE_BASEMAP_STYLE) basemap.styleUrl = env.WANGGE_BASEMAP_STYLE;
  if (env.WANGGE_BASEMAP_TILES) basemap.rasterTiles = env.WANGGE_BASEMAP_TILES;
  if (env.WANGGE_BASEMAP_ATTRIBUTION) basemap.attribution = env.WANGGE_BASEMAP_ATTRIBUTION;
  return {
    port: Number(env.PORT ?? file.port ?? 8080),
    host: env.HOST ?? file.host ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.WANGGE_DATA_DIR ?? file.dataDir ?? 'data/db'),
    levels: file.levels ?? DEFAULT_LEVELS,
    codeScheme: file.codeScheme ?? { rootDigits: 6, digitsPerLevel: 3 },
    basemap,
    roleNames: { ...DEFAULT_ROLE_NAMES, ...file.roleNames },
    security: {
      signInPerMinute: 10,
      reportsPerMinute: 30,
      lockAfterFailures: 5,
      lockMinutes: 15,
      sessionHours: 12,
      secureCookies: env.WANGGE_SECURE_COOKIES === 'true',
      ...file.security,
    },
    seedDemo: env.WANGGE_SEED_DEMO ? env.WANGGE_SEED_DEMO !== 'false' : (file.seedDemo ?? !env.DATABASE_URL),
  };
}
