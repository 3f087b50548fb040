import type { CollectionDef } from './collections.ts';

/**
 * The OpenAPI 3.0 definition of the /ogc endpoints (OGC API – Features Part 1, requirement class
 * oas30): one items path per collection, so clients see each collection's properties.
 */
export function openApiDocument(base: string, collections: CollectionDef[], limits: { defaultLimit: number; maxLimit: number }) {
  const f = { name: 'f', in: 'query', required: false, description: 'the representation: json (GeoJSON for features) or html', schema: { type: 'string', enum: ['json', 'html'] } };
  const problem = { description: 'An error (RFC 9457 problem+json)', content: { 'application/problem+json': { schema: { type: 'object' } } } };
  const json = (description: string, type = 'application/json') => ({
    description,
    content: { [type]: { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } } },
  });
  const itemParams = [
    { name: 'limit', in: 'query', required: false, style: 'form', explode: false, description: `at most this many features per page (${limits.maxLimit} at most)`, schema: { type: 'integer', minimum: 1, maximum: limits.maxLimit, default: limits.defaultLimit } },
    { name: 'offset', in: 'query', required: false, description: 'skip this many features (the next link carries it)', schema: { type: 'integer', minimum: 0, default: 0 } },
    { name: 'bbox', in: 'query', required: false, style: 'form', explode: false, description: 'minLon,minLat,maxLon,maxLat (CRS84)', schema: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } } },
    { name: 'datetime', in: 'query', required: false, style: 'form', explode: false, description: 'an RFC 3339 instant or interval (start/end, ".." for open); applies to the time a report was filed', schema: { type: 'string' } },
    f,
  ];
  const paths: Record<string, unknown> = {
    '/': { get: { summary: 'Landing page', operationId: 'getLandingPage', tags: ['Capabilities'], parameters: [f], responses: { 200: json('Links to the API definition, conformance and collections') } } },
    '/conformance': { get: { summary: 'Conformance classes implemented', operationId: 'getConformanceDeclaration', tags: ['Capabilities'], parameters: [f], responses: { 200: json('The conformance classes') } } },
    '/api': { get: { summary: 'This API definition', operationId: 'getAPI', tags: ['Capabilities'], parameters: [f], responses: { 200: json('The OpenAPI document', 'application/vnd.oai.openapi+json;version=3.0') } } },
    '/collections': { get: { summary: 'The feature collections', operationId: 'getCollections', tags: ['Capabilities'], parameters: [f], responses: { 200: json('The collections') } } },
  };
  for (const c of collections) {
    const properties = Object.fromEntries(Object.entries(c.properties).map(([k, type]) => [k, { type, nullable: true }]));
    const feature = { type: 'object', required: ['type', 'geometry', 'properties'], properties: { type: { type: 'string', enum: ['Feature'] }, id: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, geometry: { type: 'object' }, properties: { type: 'object', properties } } };
    const collection = {
      type: 'object',
      required: ['type', 'features'],
      properties: {
        type: { type: 'string', enum: ['FeatureCollection'] },
        features: { type: 'array', items: feature },
        numberMatched: { type: 'integer' },
        numberReturned: { type: 'integer' },
        timeStamp: { type: 'string', format: 'date-time' },
        links: { type: 'array', items: { type: 'object' } },
      },
    };
    const op = c.id.replace(/[^A-Za-z0-9]/g, '_');
    const security = c.needsUser ? [{ bearer: [] }] : undefined;
    paths[`/collections/${c.id}`] = { get: { summary: `The collection ${c.id}: ${c.title}`, operationId: `describeCollection_${op}`, tags: [c.id], parameters: [f], security, responses: { 200: json(c.description), 404: problem } } };
    paths[`/collections/${c.id}/items`] = {
      get: {
        summary: `Features of ${c.id}, a page at a time`, operationId: `getFeatures_${op}`, tags: [c.id], parameters: itemParams, security,
        responses: { 200: { description: 'A page of features; the next link leads on', content: { 'application/geo+json': { schema: collection }, 'text/html': { schema: { type: 'string' } } } }, 400: problem },
      },
    };
    paths[`/collections/${c.id}/items/{featureId}`] = {
      get: {
        summary: `One feature of ${c.id}`, operationId: `getFeature_${op}`, tags: [c.id], security,
        parameters: [{ name: 'featureId', in: 'path', required: true, description: c.id.startsWith('cells') ? 'the cell code' : 'the id', schema: { type: 'string' } }, f],
        responses: { 200: { description: 'The feature', content: { 'application/geo+json': { schema: feature }, 'text/html': { schema: { type: 'string' } } } }, 404: problem },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Wangge 网格 — OGC API – Features',
      version: '1.0.0',
      description: 'Grid cells (all, and per level), units (signed-in users) and hazard reports (public fields only) as OGC API – Features Part 1.',
      license: { name: 'MIT' },
    },
    servers: [{ url: base }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a Wangge API token' } } },
    paths,
  };
}
