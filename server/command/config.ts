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
}

type CommandFile = {
  heatmap?: Partial<CommandConfig['heatmap']>;
  severityWeights?: Partial<CommandConfig['severityWeights']>;
  feedLimit?: number;
  timeZone?: string;
};

export function commandConfig(file: CommandFile = {}, defaultTimeZone = 'Asia/Shanghai'): CommandConfig {
  return {
    heatmap: { pointThreshold: 5000, binPixels: 16, maxGridCells: 250_000, ...file.heatmap },
    severityWeights: { ordinary: 1, major: 3, ...file.severityWeights },
    feedLimit: file.feedLimit ?? 200,
    timeZone: file.timeZone ?? defaultTimeZone,
  };
}
