/**
 * Response declarations for answers that are not JSON objects built by the serializer: files,
 * tiles, images, XML, CSV, HTML pages, empty answers, and JSON documents the route writes itself.
 *
 * Fastify serializes only objects with the schema: a Buffer, a stream, or a string sent with a
 * content type goes out as it is, so these declarations document the answer (in the OpenAPI
 * document) without touching its bytes (tests/api/response-schemas.test.ts checks both: that every
 * route declares its 2xx answers, and that the answers are byte for byte those of an app without
 * the declarations).
 */

/** A file or a binary body (tile, image, spreadsheet, GeoPackage …) of one or more media types. */
export function binaryResponse(description: string, ...mediaTypes: string[]) {
  return {
    description,
    content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
  } as const;
}

/** A text body (CSV, XML, HTML, a QGIS project …) of one or more media types. */
export function textResponse(description: string, ...mediaTypes: string[]) {
  return {
    description,
    content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: 'string' } }])),
  } as const;
}

/**
 * A JSON document the route writes itself (sent as a string, so never passed through the
 * serializer), or a JSON document with its HTML rendering: `schema` describes the JSON.
 */
export function documentResponse(description: string, schema: Record<string, unknown>, mediaType = 'application/json', html = false) {
  return {
    description,
    content: {
      [mediaType]: { schema },
      ...(html ? { 'text/html': { schema: { type: 'string' } } } : {}),
    },
  } as const;
}

/** An answer without a body (204 No Content, 304 Not Modified). */
export const emptyResponse = (description: string) => ({ description, type: 'null' }) as const;
