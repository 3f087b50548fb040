/**
 * Seamless coverage (无缝对接、全面覆盖), computed with Turf in the browser or in Node: the public face
 * of the engine, one module per concern (the definitions and their reasons are in definitions.ts).
 * Import from here; the modules are split for reading, not for separate use.
 */
export {
  DEFAULT_MIN_AREA_M2, MIN_BORDER_M, NEGLIGIBLE_AREA_M2, NEGLIGIBLE_WIDTH_M, ON_BOUNDARY_DEG, isNegligible, isSliver, widthOf,
  type Areal, type CoverageCell, type CoverageReport, type CoverageTolerance, type GapFault, type InvalidCell,
  type OverlapFault, type Piece, type Sliver, type StrayFault,
} from './definitions.ts';
export { areaM2, polygonAreaM2, polygonPerimeterM, polygonsOf } from './measure.ts';
export { invalidReason } from './validity.ts';
export { CellIndex, bordering, cellsFrom } from './cell-index.ts';
export { analyseCoverage, assembleReport, summarise, type CoverageSummary, type ParentInput } from './analyse.ts';
export { drawingFeedback, type DrawingFeedback } from './feedback.ts';
