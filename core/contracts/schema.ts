/**
 * Building blocks of the API's contracts: JSON schemas written once, `as const`, from which
 * json-schema-to-ts derives the TypeScript types (types only: nothing of it is loaded at run time).
 * The server answers with these schemas, the client reads the derived types.
 */
import type { JSONSchema } from 'json-schema-to-ts';

export type { FromSchema } from 'json-schema-to-ts';

type Properties = Readonly<Record<string, JSONSchema>>;

/**
 * An object that always has all these properties and no others: what an answer is built as. The
 * serializer writes exactly these (it drops any other property, as it did before), and a property
 * the server forgets is an error rather than a silently missing field.
 */
export const object = <const P extends Properties>(properties: P) =>
  ({ type: 'object', properties, required: Object.keys(properties), additionalProperties: false }) as unknown as {
    readonly type: 'object';
    readonly properties: P;
    readonly required: readonly (keyof P & string)[];
    readonly additionalProperties: false;
  };

/** A name in both languages (a configured level, role, category…). */
export const namedSchema = object({ zh: { type: 'string' }, en: { type: 'string' } });
