import { idSchema } from '../core/contracts/schema.ts';

export { idSchema };

export const idParams = { type: 'object', properties: { id: idSchema }, required: ['id'] } as const;

/** `{ required }` when names are given, else nothing: a schema without `required` stays without it. */
type Required<R> = R extends readonly string[] ? { readonly required: R } : unknown;
const requiredOf = <R extends readonly string[] | undefined>(required: R) => (required ? { required } : {}) as Required<R>;

/** A GeoJSON Feature (RFC 7946) with the given members beside its type: id, geometry, properties… */
export const featureSchema = <const M extends Record<string, unknown>, const R extends readonly string[] | undefined = undefined>(members: M, required?: R) => ({
  type: 'object',
  properties: { type: { type: 'string', const: 'Feature' }, ...members },
  ...(requiredOf(required) as object),
}) as { readonly type: 'object'; readonly properties: { readonly type: { readonly type: 'string'; readonly const: 'Feature' } } & M } & Required<R>;

/** A GeoJSON FeatureCollection of `feature`, with the answer's other members beside its features. */
export const featureCollectionSchema = <const F, const E extends Record<string, unknown> = Record<never, never>, const R extends readonly string[] | undefined = undefined>(
  feature: F, extra?: E, required?: R,
) => ({
  type: 'object',
  properties: { type: { type: 'string', const: 'FeatureCollection' }, features: { type: 'array', items: feature }, ...extra },
  ...(requiredOf(required) as object),
}) as {
  readonly type: 'object';
  readonly properties: { readonly type: { readonly type: 'string'; readonly const: 'FeatureCollection' }; readonly features: { readonly type: 'array'; readonly items: F } } & E;
} & Required<R>;
