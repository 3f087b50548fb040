import { createHash } from 'node:crypto';
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

/**
 * Usernames of active accounts that still have the demo password: a real deployment must not start
 * with them. Each distinct hash is checked once (the seeded accounts share one), and the answer
 * for a hash is remembered in the settings (as its SHA-256): a restart then does no scrypt at all,
 * and a changed password is a new hash, checked again.
 */
export async function accountsWithDemoPassword(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ username: string; password_hash: string }>(
    'SELECT username, password_hash FROM users WHERE active AND username = ANY($1::text[])', [DEMO_ACCOUNTS.map((a) => a.username)]);
  const { rows: saved } = await db.query<{ value: Record<string, boolean> }>("SELECT value FROM settings WHERE key = 'auth.demo-password-checks'");
  const known = saved[0]?.value ?? {};
  const digest = (hash: string) => createHash('sha256').update(hash).digest('hex');
  const hashes = [...new Set(rows.map((r) => r.password_hash))];
  const unknown = hashes.filter((h) => !(digest(h) in known));
  // Checked side by side: each scrypt takes ~0.1 s of the start, on libuv's thread pool.
  const answers = await Promise.all(unknown.map((h) => verifyPassword(DEMO_PASSWORD, h)));
  const checks = Object.fromEntries(hashes.map((h) => [digest(h), known[digest(h)] ?? answers[unknown.indexOf(h)]!]));
  if (unknown.length) {
    await db.query(`INSERT INTO settings (key, value) VALUES ('auth.demo-password-checks', $1)
                    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [JSON.stringify(checks)]);
  }
  return rows.filter((r) => checks[digest(r.password_hash)]).map((r) => r.username);
}
