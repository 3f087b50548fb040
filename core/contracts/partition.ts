/**
 * Workload and balanced division (任务相当) as the API answers them (server/partition): the measures
 * of ground, the balance of a set of cells, a proposed division, a rebalancing of present children
 * and a committed division.
 */
import type { FeatureCollection, MultiPolygon } from 'geojson';
import { coverageReportSchema, type CoverageReport } from './coverage.ts';
import { geometrySchema } from './cells.ts';
import { object, orNull, type FromSchema } from './schema.ts';

const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const idList = { type: 'array', items: int } as const;

const measureProperties = {
  households: num,
  units: { ...num, description: 'Units on file (active), counted' },
  unitsWeighted: { ...num, description: 'Units on file, each counted by its weight (a school 5, a shop 1 …)' },
  population: num,
  areaM2: num,
  reports: { ...num, description: 'Hazard reports of the last 12 months' },
  patrolMinutes: { ...num, description: 'Minutes of unit inspections a month that the patrol cadences require' },
} as const;

/** What a piece of ground holds: households, units, people, area, reports, patrol time. */
export const measuresSchema = object(measureProperties);
export type Measures = FromSchema<typeof measuresSchema>;

/** How even a set of workloads is. */
export const balanceSchema = object({
  mean: num,
  cv: { ...num, description: 'Coefficient of variation: standard deviation / mean (0 = perfectly even)' },
  min: num,
  max: num,
  maxMin: { type: ['number', 'null'], description: 'max / min (null when the lightest cell has none)' },
});
export type Balance = FromSchema<typeof balanceSchema>;

/** The band a cell's measure should stay within (configuration workload.band), or null. */
export const bandSchema = orNull(object({ metric: { type: 'string' }, min: num, max: num }));
export type Band = FromSchema<typeof bandSchema>;

const outsideBand = { type: ['string', 'null'], enum: ['below', 'above', null] } as const;
/** The measures a workload weighs, and a weight each (configuration workload.weights). */
export const WORKLOAD_MEASURES = ['households', 'units', 'areaKm2', 'reports', 'population', 'patrolHours'] as const;
const weightsOut = {
  type: 'object',
  properties: { households: num, units: num, areaKm2: num, reports: num, population: num, patrolHours: num },
  required: WORKLOAD_MEASURES,
  additionalProperties: num,
  description: 'the weights used: the configured ones with those of the request',
} as const;
/** The weights as the server keeps them (the schema lets a deployment's extra keys through). */
export type WorkloadWeights = { [K in (typeof WORKLOAD_MEASURES)[number]]: number };
type WithWeights<T> = Omit<T, 'weights'> & { weights: WorkloadWeights };
const workload = { ...num, description: 'each measure times its weight' } as const;

/** A child of the cell with its measures and workload. */
export const childWorkloadSchema = object({ id: int, code: { type: 'string' }, name: { type: 'string' }, ...measureProperties, workload, outsideBand });
export type ChildWorkload = FromSchema<typeof childWorkloadSchema>;

/** GET /api/cells/:id/workload: each child's workload, what lies in the parent itself, the balance and the cells outside the band. */
export const cellWorkloadSchema = object({
  parentId: int,
  weights: weightsOut,
  band: bandSchema,
  cells: { type: 'array', items: childWorkloadSchema },
  unfiled: { ...object({ ...measureProperties, workload }), description: 'filed in the parent itself: ground no child covers' },
  balance: balanceSchema,
  outsideBand: idList,
});
export type CellWorkload = WithWeights<FromSchema<typeof cellWorkloadSchema>>;

/** An area's measures and workload. */
export const areaWorkloadSchema = object({ ...measureProperties, workload, outsideBand });
export type AreaWorkload = FromSchema<typeof areaWorkloadSchema>;

/** POST /api/workload: the workload of any areas, in the order of the features. */
export const areasWorkloadSchema = object({
  weights: weightsOut,
  band: bandSchema,
  areas: { type: 'array', items: areaWorkloadSchema, description: 'in the order of the features' },
  balance: balanceSchema,
});
export type AreasWorkload = WithWeights<FromSchema<typeof areasWorkloadSchema>>;

const multiPolygon = { type: 'object', additionalProperties: true, description: 'GeoJSON MultiPolygon, EPSG:4326' } as const;
const featureType = { type: 'string', const: 'Feature' } as const;
const collectionType = { type: 'string', const: 'FeatureCollection' } as const;

/** A proposed cell: its measures, workload and shape. */
export const proposalPropertiesSchema = object({
  index: int,
  ...measureProperties,
  workload,
  share: { ...num, description: 'workload over the mean' },
  outsideBand,
  parts: { ...int, description: 'polygons in the cell: 1 when contiguous' },
  compactness: { ...num, description: 'Polsby–Popper 4πA/P²' },
});
export type ProposalProperties = FromSchema<typeof proposalPropertiesSchema>;

/** POST /api/cells/:id/partition: a GeoJSON FeatureCollection of the proposed cells. */
export const proposalSchema = object({
  type: collectionType,
  features: { type: 'array', items: object({ type: featureType, geometry: multiPolygon, properties: proposalPropertiesSchema }) },
  parentId: int,
  count: int,
  seed: int,
  weights: weightsOut,
  balance: balanceSchema,
  tiles: { ...object({ count: int, sideM: num }), description: 'the tiles the division is built from' },
});
export type Proposal = FeatureCollection<MultiPolygon, ProposalProperties> & WithWeights<Omit<FromSchema<typeof proposalSchema>, 'type' | 'features'>>;

/** A present child a rebalancing reshapes, with its version and its workload before and after. */
export const rebalancePropertiesSchema = object({ id: int, version: int, before: num, workload: num, parts: int });
export type RebalanceProperties = FromSchema<typeof rebalancePropertiesSchema>;

/** POST /api/cells/:id/rebalance: the children that change, with their versions. */
export const rebalanceSchema = object({
  type: collectionType,
  features: { type: 'array', items: object({ type: featureType, id: int, geometry: multiPolygon, properties: rebalancePropertiesSchema }) },
  parentId: int,
  before: balanceSchema,
  balance: balanceSchema,
  moved: { ...object({ tiles: int, areaM2: num }), description: 'Tiles that changed cell, and their area' },
});
export type Rebalance = FeatureCollection<MultiPolygon, RebalanceProperties> & Omit<FromSchema<typeof rebalanceSchema>, 'type' | 'features'>;

/** POST /api/cells/:id/partition/commit: the cells created and replaced, the assignments carried over, the parent's coverage. */
export const commitResultSchema = object({
  created: idList,
  replaced: idList,
  assignments: { ...object({ carried: int, dropped: int }), description: 'Assignments carried from a replaced child to the new cell overlapping it most, and those a role\'s maximum left out' },
  coverage: coverageReportSchema,
});
export type CommitResult = Omit<FromSchema<typeof commitResultSchema>, 'coverage'> & { coverage: CoverageReport };

const weight = { type: 'number', minimum: 0, maximum: 1e6 } as const;
/** Weights a request gives (over the configured ones): a number for each measure named. */
export const weightsSchema = {
  type: 'object',
  properties: Object.fromEntries(WORKLOAD_MEASURES.map((k) => [k, weight])),
  additionalProperties: false,
} as unknown as { readonly type: 'object'; readonly properties: { readonly [K in (typeof WORKLOAD_MEASURES)[number]]: typeof weight }; readonly additionalProperties: false };
export type WeightsBody = FromSchema<typeof weightsSchema>;
/** Weights of unit types (over the configured ones). */
export const unitWeightsSchema = { type: 'object', additionalProperties: { type: 'number', minimum: 0, maximum: 1e6 }, maxProperties: 200 } as const;

/** POST /api/workload: the workload of any areas (drawn, proposed, adjusted). */
export const workloadBodySchema = {
  type: 'object',
  properties: {
    type: { const: 'FeatureCollection' },
    features: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'object', properties: { geometry: geometrySchema }, required: ['geometry'] } },
    weights: weightsSchema,
    unitWeights: unitWeightsSchema,
  },
  required: ['features'],
} as const;
export type WorkloadBody = FromSchema<typeof workloadBodySchema>;

/** POST /api/cells/:id/partition: propose a division of a cell (nothing is saved). */
export const partitionBodySchema = {
  type: 'object',
  properties: {
    count: { type: 'integer', minimum: -1000000, maximum: 1000000 },
    people: { type: 'integer', minimum: -1000000, maximum: 1000000 },
    targetWorkload: { type: 'number', exclusiveMinimum: 0, maximum: 1e12 },
    weights: weightsSchema,
    unitWeights: unitWeightsSchema,
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    lines: {
      type: 'array', maxItems: 200, description: 'lines the borders follow where the balance allows (roads, rivers): GeoJSON LineString or MultiLineString in lon/lat',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['LineString', 'MultiLineString'] },
          coordinates: { type: 'array', minItems: 1, maxItems: 5000, items: { type: 'array', minItems: 2, maxItems: 5000, items: { anyOf: [{ type: 'number', minimum: -180, maximum: 180 }, { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number', minimum: -180, maximum: 180 } }] } } },
        },
        required: ['type', 'coordinates'],
      },
    },
    followChildren: { type: 'boolean', description: "also follow the borders of the parent's current children" },
  },
  additionalProperties: false,
} as const;
export type PartitionBody = FromSchema<typeof partitionBodySchema>;

/** POST /api/cells/:id/rebalance: the smallest border moves that even out the children's workloads. */
export const rebalanceBodySchema = { type: 'object', properties: { weights: weightsSchema, unitWeights: unitWeightsSchema }, additionalProperties: false } as const;
export type RebalanceBody = FromSchema<typeof rebalanceBodySchema>;

/** POST /api/cells/:id/partition/commit: create the cells of a division as the cell's children. */
export const commitBodySchema = {
  type: 'object',
  properties: {
    type: { const: 'FeatureCollection' },
    features: {
      type: 'array', minItems: 1, maxItems: 1000,
      items: {
        type: 'object',
        properties: { type: { const: 'Feature' }, geometry: geometrySchema, properties: { type: ['object', 'null'], properties: { name: { type: 'string', maxLength: 200 } } } },
        required: ['geometry'],
      },
    },
    replaceChildren: { type: 'boolean' },
  },
  required: ['features'],
} as const;
export type CommitBody = FromSchema<typeof commitBodySchema>;
