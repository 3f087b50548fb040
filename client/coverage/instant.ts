/**
 * The instant coverage check: the Turf engine run in the planner's browser on the cells the server
 * would analyse (GET /api/coverage/cells, unrounded), in a Web Worker so a whole level never
 * freezes the page. Its reports have the server's shape; the server's answer replaces them.
 */
import { analyseCoverage, assembleReport, type Areal, type CoverageTolerance } from '../../core/coverage/engine.ts';
import type { CoverageInput, ParentReport } from '../../core/contracts/coverage.ts';

export type { CoverageInput };

/** A parent's report as the browser computed it: the server's shape (a parent the engine failed on carries the error). */
export type InstantReport = ParentReport;

/** Every parent against its children, in the order given; a parent the engine fails on carries the error. */
export function analyseInput(input: CoverageInput, tolerance: CoverageTolerance): InstantReport[] {
  const kids = new Map<number, { id: number; geometry: Areal }[]>();
  for (const c of input.children) {
    if (!kids.has(c.parentId)) kids.set(c.parentId, []);
    kids.get(c.parentId)!.push({ id: c.id, geometry: c.geometry });
  }
  return input.parents.map((p) => {
    try {
      return analyseCoverage(p, kids.get(p.id) ?? [], tolerance);
    } catch (e) {
      return { ...assembleReport(p.id, 0, 0, [], [], tolerance), notSubdivided: false, coveredRatio: null, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

export interface WorkerRequest { input: CoverageInput; tolerance: CoverageTolerance }
export type WorkerAnswer = { reports: InstantReport[] } | { error: string };

/**
 * Runs the analysis in a worker (on the page when workers are unavailable); aborting terminates
 * the worker, so a check replaced by a newer one stops costing CPU.
 */
export function analyseInBackground(input: CoverageInput, tolerance: CoverageTolerance, signal: AbortSignal): Promise<InstantReport[]> {
  if (typeof Worker === 'undefined') return Promise.resolve(analyseInput(input, tolerance));
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./coverage.worker.ts', import.meta.url), { type: 'module' });
    const stop = () => {
      worker.terminate();
      reject(new DOMException('The check was replaced', 'AbortError'));
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    worker.onmessage = (e: MessageEvent<WorkerAnswer>) => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
      if ('error' in e.data) reject(new Error(e.data.error));
      else resolve(e.data.reports);
    };
    worker.onerror = (e) => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
      reject(new Error(e.message || 'The in-browser check failed'));
    };
    worker.postMessage({ input, tolerance } satisfies WorkerRequest);
  });
}
