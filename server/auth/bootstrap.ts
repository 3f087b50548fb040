import type { Db } from '../db/db.ts';
import type { Role } from '../config.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export const DEMO_PASSWORD = 'demo1234';
/** The demo's first street (经二路街道): the worker's scope, to show scopes at work. */
const WORKER_STREET_CODE = '610302001';

const DEMO_ACCOUNTS: { username: string; displayName: string; role: Role; scopeCodes: string[] }[] = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', scopeCodes: [] },
  { username: 'planner', displayName: '网格规划员', role: 'planner', scopeCodes: [] },
  { username: 'commander', displayName: '指挥中心值班员', role: 'commander', scopeCodes: [] },
  { username: 'worker', displayName: '网格员', role: 'worker', scopeCodes: [WORKER_STREET_CODE] },
];

/** Creates the demo accounts when there are no accounts yet. Returns the usernames created. */
export async function seedDemoAccounts(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  if ((rows[0]?.n ?? 0) > 0) return [];
  const hash = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    for (const a of DEMO_ACCOUNTS) {
      const scope = await tx.query<{ id: number }>('SELECT id FROM cells WHERE code = ANY($1::text[])', [a.scopeCodes]);
      await tx.query('INSERT INTO users (username, display_name, password_hash, role, scope) VALUES ($1, $2, $3, $4, $5)',
        [a.username, a.displayName, hash, a.role, scope.rows.map((r) => r.id)]);
    }
    return DEMO_ACCOUNTS.map((a) => a.username);
  });
}

/** Usernames of active accounts that still have the demo password: a real deployment must not start with them. */
export async function accountsWithDemoPassword(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ username: string; password_hash: string }>(
    'SELECT username, password_hash FROM users WHERE active AND username = ANY($1::text[])', [DEMO_ACCOUNTS.map((a) => a.username)]);
  // Checked side by side: each scrypt takes ~0.1 s of the start, on libuv's thread pool.
  const demo = await Promise.all(rows.map((r) => verifyPassword(DEMO_PASSWORD, r.password_hash)));
  return rows.filter((_, i) => demo[i]).map((r) => r.username);
}
