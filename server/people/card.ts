import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import { maskPhone } from './phone.ts';
import { roleName } from '../../core/people/rules.ts';
import { cellDuties } from '../duties/model.ts';
import { cardSchema, type Card } from '../../core/contracts/people.ts';
import { personPhotoUrl } from './photo.ts';

/** The public card of a cell: phones masked as the deployment's card rule says. */
export const levelName = (config: Config, level: number) => {
  const l = config.levels.find((x) => x.level === level);
  return { zh: l?.zh ?? String(level), en: l?.en ?? String(level) };
};

export async function loadCard(q: Queryable, config: Config, cellId: number): Promise<Card> {
  const { rows: chain } = await q.query<{ id: number; code: string; name: string; level: number; area_m2: number; depth: number; inside: { coordinates: [number, number] } | null }>(
    `WITH up AS (
       SELECT c.id, c.code, c.name, c.level, c.geom, (cardinality(s.ancestors) + 1 - a.n)::int AS depth
       FROM cells s CROSS JOIN LATERAL unnest(s.ancestors || s.id) WITH ORDINALITY AS a (id, n) JOIN cells c ON c.id = a.id
       WHERE s.id = $1
     )
     SELECT id, code, name, level, CASE WHEN depth = 0 THEN ST_Area(geom::geography) END AS area_m2,
            CASE WHEN depth = 0 THEN ST_AsGeoJSON(ST_PointOnSurface(geom), 6)::json END AS inside, depth FROM up ORDER BY depth DESC`,
    [cellId]);
  const self = chain.at(-1);
  if (!self || self.depth !== 0) throw problem('people.cell-not-found', { id: cellId });
  const { rows: people } = await q.query<{ id: number; name: string; role: string; phone: string | null; organisation: string | null; title: string | null; photo: boolean }>(
    `SELECT p.id, p.name, a.role, p.phone, p.organisation, p.title, p.photo_file IS NOT NULL AS photo FROM cell_assignments a JOIN people p ON p.id = a.person_id
     WHERE a.cell_id = $1 ORDER BY a.position`, [cellId]);
  const fiveDefs = await cellDuties(q, config.duties, self.id, self.level);
  const ref = (c: { id: number; code: string; name: string; level: number }) => ({ id: c.id, code: c.code, name: c.name, level: c.level, levelName: levelName(config, c.level) });
  return {
    ...ref(self),
    areaM2: Math.round(self.area_m2 * 100) / 100,
    pointInside: self.inside?.coordinates ?? null,
    parents: chain.slice(0, -1).map(ref),
    people: people.map((p) => ({
      name: p.name, role: p.role, roleName: roleName(config.assignmentRoles, p.role),
      phone: p.phone && config.card.maskPhones ? maskPhone(p.phone) : p.phone,
      organisation: p.organisation, title: p.title, photoUrl: p.photo ? personPhotoUrl(p.id, true) : null,
    })),
    duties: fiveDefs.duties,
    tasks: fiveDefs.tasks,
    rewardRules: fiveDefs.rewardRules,
  };
}

/** The public card of a cell (亮身份): who answers for this ground, without an account. */
export default async function cardRoutes(app: FastifyInstance, { db, config }: AppContext) {
  const card = (q: Queryable, id: number) => loadCard(q, config, id);
  app.get<{ Params: { id: number } }>('/api/cells/:id/card', {
    config: { access: 'public' },
    schema: {
      tags: ['people'],
      summary: "A cell's public card: name, code, level, area, parents and who is responsible (no account needed)",
      params: idParams,
      response: { 200: cardSchema, '4xx': problemSchema },
    },
  }, async (request) => card(db, request.params.id));

  app.get<{ Querystring: { lon: number; lat: number } }>('/api/cards/at', {
    config: { access: 'public' },
    schema: {
      tags: ['people'],
      summary: 'The card of the smallest cell containing a point (no account needed)',
      description: 'The point goes where route_point() files units and reports: the deepest-level cell containing it, '
        + 'boundary inclusive; on a border shared by cells of that level, the one with the lowest id.',
      querystring: {
        type: 'object',
        properties: { lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 } },
        required: ['lon', 'lat'],
        additionalProperties: false,
      },
      response: { 200: cardSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const { lon, lat } = request.query;
    const { rows } = await db.query<{ id: number | null }>('SELECT route_point(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)) AS id', [lon, lat]);
    const id = rows[0]?.id;
    if (id == null) throw problem('people.no-cell-at-point', { lon, lat });
    return card(db, id);
  });
}
