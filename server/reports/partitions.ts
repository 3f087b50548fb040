import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/db.ts';

/** How many months after the current one have their partition ready (migration 025). */
export const REPORT_PARTITION_MONTHS_AHEAD = 3;
const DAY_MS = 24 * 3600_000;

/** The first day (UTC) of the month `months` after the one holding `at`, as YYYY-MM-DD. */
function monthOf(at: Date, months = 0): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1)).toISOString().slice(0, 10);
}

/**
 * Creates the monthly partitions of reports from the month of `from` to the month of `to` (both
 * included), and those of the months whose reports wait in the DEFAULT partition (moved into their
 * month). One process at a time across the database; returns the partitions created.
 */
export async function ensureReportPartitions(db: Db, from: Date, to: Date): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('wangge-report-partitions:' || current_schema()))`);
    const { rows } = await tx.query<{ name: string }>('SELECT report_partitions_ensure($1::date, $2::date) AS name', [monthOf(from), monthOf(to)]);
    return rows.map((r) => r.name);
  });
}

/** This month's partition and the next REPORT_PARTITION_MONTHS_AHEAD months'. */
export function ensureReportPartitionsAhead(db: Db, now: Date): Promise<string[]> {
  return ensureReportPartitions(db, now, new Date(monthOf(now, REPORT_PARTITION_MONTHS_AHEAD)));
}

/**
 * The server's partition job: at once and then daily, so a month's partition exists months before
 * its first report. The timer never keeps the process alive; returns a stop function and the
 * first run (resolves to the partitions it created).
 */
export function startReportPartitions(db: Db, log: FastifyBaseLogger, now: () => Date = () => new Date()): { stop: () => void; first: Promise<string[]> } {
  const run = () => ensureReportPartitionsAhead(db, now())
    .then((made) => {
      if (made.length) log.info({ partitions: made }, 'report partitions created');
      return made;
    })
    .catch((err: unknown) => {
      log.error({ err }, 'report partitions could not be created');
      return [] as string[];
    });
  const first = run();
  const timer = setInterval(() => void run(), DAY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer), first };
}
