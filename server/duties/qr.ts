import QRCode from 'qrcode';

/** The module matrix (rows of booleans, true = dark) of `text`, error correction M, without the quiet zone. */
export function encodeQr(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  return Array.from({ length: n }, (_, y) => Array.from({ length: n }, (_, x) => modules.data[y * n + x] === 1));
}

/**
 * The symbol as an SVG for print: one path of unit squares, a 4-module quiet zone, scaled by the
 * caller's CSS; the encoded text is kept in data-qr-text.
 */
export function qrSvg(text: string, { title = '' } = {}): string {
  const m = encodeQr(text);
  const n = m.length + 8;
  let d = '';
  m.forEach((row, y) => row.forEach((dark, x) => { if (dark) d += `M${x + 4} ${y + 4}h1v1h-1z`; }));
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges" role="img"${title ? ` aria-label="${esc(title)}"` : ''} data-qr-text="${esc(text)}">`
    + `<rect width="${n}" height="${n}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}
