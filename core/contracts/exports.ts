/** Exports as the API takes their requests (server/exchange/export). */
import type { FromSchema } from './schema.ts';

/** POST /api/export/project.qgs: with one of your API tokens, the project has the units too (the token travels in the body, never in a URL). */
export const qgisProjectBodySchema = { type: 'object', properties: { token: { type: 'string', minLength: 10, maxLength: 200 } }, additionalProperties: false } as const;
export type QgisProjectBody = FromSchema<typeof qgisProjectBodySchema>;
