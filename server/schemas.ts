/** A database id: positive and within PostgreSQL's integer, so a huge number is a 400, not a 500. */
export const idSchema = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;

export const idParams = { type: 'object', properties: { id: idSchema }, required: ['id'] } as const;
