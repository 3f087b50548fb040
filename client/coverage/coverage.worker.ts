/** The Turf coverage engine off the page's main thread (client/coverage/instant.ts starts it). */
import { analyseInput, type WorkerAnswer, type WorkerRequest } from './instant.ts';

// The project's types are the page's (lib DOM); a dedicated worker's global is typed here.
const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(answer: WorkerAnswer): void };

scope.onmessage = (e) => {
  let answer: WorkerAnswer;
  try {
    answer = { reports: analyseInput(e.data.input, e.data.tolerance) };
  } catch (err) {
    answer = { error: err instanceof Error ? err.message : String(err) };
  }
  scope.postMessage(answer);
};
