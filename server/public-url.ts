import type { FastifyRequest } from 'fastify';

/**
 * The base of every absolute link the server answers with (OGC API, TileJSON, styles, Open311): the
 * configured public URL; else, behind a trusted proxy, the host it forwards; else the server's own
 * address the request came in on. Never the request's Host header, which any client can set (links
 * to another site in a shared cache).
 */
export function publicBase(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  if (process.env.WANGGE_TRUST_PROXY === 'true') return `${request.protocol}://${request.host}`;
  const { localAddress, localPort } = request.raw.socket;
  const address = localAddress?.replace(/^::ffff:/, '') || '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${request.protocol}://${host}${localPort ? `:${localPort}` : ''}`;
}
