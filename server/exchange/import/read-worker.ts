/**
 * The reading worker (read.ts, readInWorker): one uploaded file parsed off the server's thread, so
 * a big or hostile file never holds up other requests; the parent stops it past the time limit,
 * and its heap is capped (IMPORT_LIMITS).
 */
import { parentPort } from 'node:worker_threads';
import { UnreadableFile, readFile, type WorkerAnswer } from './read.ts';

parentPort!.once('message', async ({ fileName, data }: { fileName: string; data: Uint8Array }) => {
  let answer: WorkerAnswer;
  try {
    answer = { data: await readFile(fileName, Buffer.from(data.buffer, data.byteOffset, data.byteLength)) };
  } catch (e) {
    answer = e instanceof UnreadableFile
      ? { unreadable: { reason: e.reason, status: e.status, limit: e.limit } }
      : { failed: (e as Error)?.message ?? String(e) };
  }
  parentPort!.postMessage(answer);
});
