import { encodePng } from './png.js';

/**
 * Dozvon's logo at any size: a rounded blue tile with a white handset dot and three sound waves —
 * "a call that speaks". Anti-aliased by supersampling each pixel 4×4.
 */
const BLUE: [number, number, number] = [31, 111, 235];
const WHITE: [number, number, number] = [255, 255, 255];

function inRoundedRect(x: number, y: number, w: number, h: number, r: number): boolean {
  const cx = Math.min(Math.max(x, r), w - r);
  const cy = Math.min(Math.max(y, r), h - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The white marks, in a unit square centred on the tile's centre (scaled to the tile's height). */
function onMark(u: number, v: number): boolean {
  const dot = (u + 0.22) ** 2 + v ** 2 <= 0.1 ** 2;
  const angle = Math.atan2(v, u + 0.22);
  const dist = Math.hypot(u + 0.22, v);
  const wave = [0.2, 0.3, 0.4].some((rad) => Math.abs(dist - rad) <= 0.035) && Math.abs(angle) <= 0.75;
  return dot || wave;
}

export function logoPng(width: number, height: number): Buffer {
  const radius = Math.min(width, height) * 0.18;
  const scale = Math.min(width, height);
  return encodePng(width, height, (x, y) => {
    let tile = 0;
    let mark = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const px = x + (i + 0.5) / 4;
        const py = y + (j + 0.5) / 4;
        if (!inRoundedRect(px, py, width, height, radius)) continue;
        tile++;
        if (onMark((px - width / 2) / scale, (py - height / 2) / scale)) mark++;
      }
    }
    if (tile === 0) return [0, 0, 0, 0];
    const m = mark / tile;
    const c = BLUE.map((b, k) => Math.round(b * (1 - m) + WHITE[k]! * m)) as [number, number, number];
    return [c[0], c[1], c[2], Math.round((tile / 16) * 255)];
  });
}

/** The sizes amoCRM asks for (brief §5): file name → [width, height]. */
export const LOGO_SIZES: Record<string, [number, number]> = {
  'logo_min.png': [84, 84],
  'logo_medium.png': [240, 84],
  'logo_main.png': [400, 272],
  'logo.png': [130, 100],
  'logo_small.png': [108, 108],
  'logo_dp.png': [174, 109],
};
