/** What one cell's workload is made of, each measured from the units, reports and ground it holds. */
export interface WorkloadWeights {
  /** Per household of residential units (attributes.households). */
  households: number;
  /** Per unit on file, times the unit's weight (unitWeights). */
  units: number;
  /** Per km² of ground. */
  areaKm2: number;
  /** Per hazard report of the last 12 months. */
  reports: number;
  /** Per resident, where units record attributes.population. */
  population: number;
  /** Per hour of unit inspections a month that the patrol cadences require. */
  patrolHours: number;
}

export { WORKLOAD_MEASURES } from '../../core/contracts/partition.ts';

/** The measure a band applies to: one of the weighted measures, or the combined workload. */
export type BandMetric = 'workload' | 'households' | 'units' | 'reports' | 'population';

export interface WorkloadConfig {
  weights: WorkloadWeights;
  /**
   * A unit's weight by its kind (attributes.kind: school, factory …) or else its type code; 1 when
   * neither is listed. A school or a factory is more work than a shop.
   */
  unitWeights: Record<string, number>;
  /** Minutes one inspection of a unit takes, for the patrol hours the cadences imply. */
  visitMinutes: number;
  /** The band a cell should fall in (e.g. 200–500 households per 网格); cells outside it are listed. */
  band: { metric: BandMetric; min: number; max: number } | null;
  /** Tessellation of a parent for division: about this many tiles, none smaller than minSideM. */
  tiles: { target: number; minSideM: number };
}

export const DEFAULT_UNIT_WEIGHTS: Record<string, number> = {
  // by kind (attributes.kind)
  school: 5, kindergarten: 4, hospital: 5, factory: 5, market: 4, warehouse: 3, construction: 3,
  gas_station: 3, auto_repair: 2, restaurant: 1.5, internet_cafe: 1.5, shop: 1, pharmacy: 1, residential: 1,
  // by type, for units without a kind
  key_fire_a: 4, key_fire_b: 3, key_fire_c: 2, pollution_source: 3, company: 2, small_place: 1, rented_housing: 1, other: 1,
};

type WorkloadFile = Partial<Omit<WorkloadConfig, 'weights' | 'tiles'>> & { weights?: Partial<WorkloadWeights>; tiles?: Partial<WorkloadConfig['tiles']> };

/** Defaults: a household counts 1, a unit 10 times its weight, a report 2, an hour of patrol 1, a km² 20. */
export function workloadConfig(file: WorkloadFile = {}): WorkloadConfig {
  return {
    weights: { households: 1, units: 10, areaKm2: 20, reports: 2, population: 0, patrolHours: 1, ...file.weights },
    unitWeights: file.unitWeights ?? DEFAULT_UNIT_WEIGHTS,
    visitMinutes: file.visitMinutes ?? 30,
    band: file.band === undefined ? { metric: 'households', min: 200, max: 500 } : file.band,
    tiles: { target: 2000, minSideM: 5, ...file.tiles },
  };
}
