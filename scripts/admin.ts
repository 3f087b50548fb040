// Account administration from the shell, for the first admin of a real deployment:
//   npm run admin -- create <username> [display name]   (password from WANGGE_ADMIN_PASSWORD or a prompt)
//   npm run admin -- password <username>                 (reset a password the same way)
//   npm run admin -- list
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../server/config.ts';
import { openDb } from '../server/db/open.ts';
import { migrate } from '../server/db/migrate.ts';
import { hashPassword, weakPassword } from '../server/auth/passwords.ts';

async function askPassword(): Promise<string> {
  if (process.env.WANGGE_ADMIN_PASSWORD) return process.env.WANGGE_ADMIN_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const pw = await rl.question('Password: ');
  rl.close();
  return pw;
}

const [command, username, ...rest] = process.argv.slice(2);
const config = loadConfig();
const db = await openDb(config);
await migrate(db);
try {
  if (command === 'list') {
    const { rows } = await db.query<{ username: string; role: string; active: boolean }>('SELECT username, role, active FROM users ORDER BY username');
    for (const r of rows) console.log(`${r.username}\t${r.role}\t${r.active ? 'active' : 'inactive'}`);
  } else if ((command === 'create' || command === 'password') && username) {
    const password = await askPassword();
    const weak = weakPassword(password);
    if (weak) throw new Error(`password ${weak}`);
    const hash = await hashPassword(password);
    if (command === 'create') {
      await db.query(`INSERT INTO users (username, display_name, password_hash, role) VALUES ($1, $2, $3, 'admin')`, [username, rest.join(' ') || username, hash]);
      await db.query(`INSERT INTO audit_log (username, action, target) VALUES ('cli', 'user.create', $1)`, [`username:${username}`]);
      console.log(`created admin ${username}`);
    } else {
      const r = await db.query('UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, version = version + 1 WHERE username = $1', [username, hash]);
      if (!r.rowCount) throw new Error(`no user ${username}`);
      await db.query('DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)', [username]);
      await db.query(`INSERT INTO audit_log (username, action, target) VALUES ('cli', 'user.password', $1)`, [`username:${username}`]);
      console.log(`password of ${username} changed`);
    }
  } else {
    console.error('usage: npm run admin -- create <username> [display name] | password <username> | list');
    process.exitCode = 2;
  }
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
