/**
 * Building blocks of the API's contracts: JSON schemas written once, `as const`, from which
 * json-schema-to-ts derives the TypeScript types (types only: nothing of it is loaded at run time).
 * The server answers with these schemas, the client reads the derived types.
 */
import type { JSONSchema } from 'json-schema-to-ts';

export type { FromSchema } from 'json-schema-to-ts';

type Properties = Readonly<Record<string, JSONSchema>>;

/**
 * An object that always has these properties (but those named `optional`) and no others: what an
 * answer is built as. The serializer writes exactly these (it drops any other property, as it did
 * before), and a required property the server forgets is an error rather than a missing field.
 */
export const object = <const P extends Properties, const O extends keyof P & string = never>(properties: P, ...optional: O[]) =>
  ({
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !(optional as string[]).includes(k)),
    additionalProperties: false,
  }) as unknown as {
    readonly type: 'object';
    readonly properties: P;
    readonly required: readonly Exclude<keyof P & string, O>[];
    readonly additionalProperties: false;
  };

/** A name in both languages (a configured level, role, category…). */
export const namedSchema = object({ zh: { type: 'string' }, en: { type: 'string' } });

/** A database id: positive and within PostgreSQL's integer, so a huge number is a 400, not a 500. */
export const idSchema = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;

/** The same object, or null. */
export const orNull = <const S extends { readonly type: 'object' }>(schema: S) =>
  ({ ...schema, type: ['object', 'null'] }) as Omit<S, 'type'> & { readonly type: readonly ['object', 'null'] };

/** A GeoJSON Point (RFC 7946) at [longitude, latitude]. */
export const pointSchema = object({
  type: { const: 'Point' },
  coordinates: { type: 'array', items: [{ type: 'number' }, { type: 'number' }], minItems: 2, additionalItems: false },
});
