import type { Severity } from '../config.ts';

/** Settings of the command view (指挥中心): heatmap aggregation, severity weights, the report month. */
export interface CommandConfig {
  heatmap: {
    /** Up to this many reports in the view the heatmap gets raw points; above it, weighted bins. */
    pointThreshold: number;
    /** Side of a bin in screen pixels at the requested zoom (a Web Mercator grid, so bins are square on screen). */
    binPixels: number;
    /** A view needing more grid cells than this gets coarser bins instead of a flood of them. */
    maxGridCells: number;
  };
  /** Heat of one report by severity (一般 1, 重大 3 by default). */
  severityWeights: Record<Severity, number>;
  /** Reports in the live feed's initial load, at most. */
  feedLimit: number;
  /** The time zone of report months (月报) and days. */
  timeZone: string;
  /** Periodic evaluation (考评): see server/accountability/evaluation.ts. */
  evaluation: EvaluationConfig;
}

/**
 * Weights of the evaluation's figures in a cell's total (each figure 0–100; the total is the
 * weighted mean of the figures a cell has, so a missing figure does not count as 0), and the points
 * a person loses per warning (预警) in the period. Defaults: on time 30, rectification 25, patrol
 * coverage 15, resident satisfaction 15, 民主测评 15; 2 points per warning.
 */
export interface EvaluationConfig {
  weights: { onTime: number; rectification: number; patrol: number; satisfaction: number; democratic: number };
  warningPenalty: number;
}

type CommandFile = {
  heatmap?: Partial<CommandConfig['heatmap']>;
  severityWeights?: Partial<CommandConfig['severityWeights']>;
  feedLimit?: number;
  timeZone?: string;
  evaluation?: { weights?: Partial<EvaluationConfig['weights']>; warningPenalty?: number };
};

export function commandConfig(file: CommandFile = {}, defaultTimeZone = 'Asia/Shanghai'): CommandConfig {
  return {
    heatmap: { pointThreshold: 5000, binPixels: 16, maxGridCells: 250_000, ...file.heatmap },
    severityWeights: { ordinary: 1, major: 3, ...file.severityWeights },
    feedLimit: file.feedLimit ?? 200,
    timeZone: file.timeZone ?? defaultTimeZone,
    evaluation: {
      weights: { onTime: 30, rectification: 25, patrol: 15, satisfaction: 15, democratic: 15, ...file.evaluation?.weights },
      warningPenalty: file.evaluation?.warningPenalty ?? 2,
    },
  };
}
