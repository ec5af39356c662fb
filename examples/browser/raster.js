// Turns strokes drawn on the pad into the 64 features of the digits data set, the way the data set
// was made (UCI "Optical Recognition of Handwritten Digits"): a 32x32 bitmap of ink, divided into
// 4x4 blocks, each feature the number of inked pixels in its block (0..16).

/** Pixels per side of the ink bitmap and of the feature grid. */
export const FINE = 32;
export const GRID = 8;

/**
 * The 64 features of strokes: arrays of points {x, y} in [0, 1] (0,0 top left). The pen is a disc
 * of `radius` bitmap pixels; a stroke of one point is a dot.
 */
export function rasterize(strokes, radius = 1.6) {
  const ink = new Uint8Array(FINE * FINE);
  const stamp = (cx, cy) => {
    const x0 = Math.max(0, Math.floor(cx - radius));
    const x1 = Math.min(FINE - 1, Math.ceil(cx + radius));
    const y0 = Math.max(0, Math.floor(cy - radius));
    const y1 = Math.min(FINE - 1, Math.ceil(cy + radius));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        // pixel centres at +0.5
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        if (dx * dx + dy * dy <= radius * radius) ink[y * FINE + x] = 1;
      }
    }
  };
  for (const stroke of strokes) {
    for (let i = 0; i < stroke.length; i++) {
      const a = stroke[Math.max(0, i - 1)];
      const b = stroke[i];
      const ax = a.x * FINE;
      const ay = a.y * FINE;
      const bx = b.x * FINE;
      const by = b.y * FINE;
      const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) * 4));
      for (let s = 0; s <= steps; s++) stamp(ax + ((bx - ax) * s) / steps, ay + ((by - ay) * s) / steps);
    }
  }
  const features = new Float32Array(GRID * GRID);
  const block = FINE / GRID;
  for (let y = 0; y < FINE; y++) {
    for (let x = 0; x < FINE; x++) features[Math.floor(y / block) * GRID + Math.floor(x / block)] += ink[y * FINE + x];
  }
  return features;
}
