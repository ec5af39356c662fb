// Turns strokes drawn on the pad into the 64 features of the digits data set, the way the data set
// was made (UCI "Optical Recognition of Handwritten Digits", from NIST's preprocessing): the digit
// is size-normalised and centred in a 32x32 bitmap, its stroke width normalised, and the bitmap is
// cut into 4x4 blocks, each feature the number of inked pixels in its block (0..16). So where and
// how large the digit is drawn on the pad does not matter, nor how thick the pen is.

/** Pixels per side of the ink bitmap and of the feature grid. */
export const FINE = 32;
export const GRID = 8;

/**
 * The box the pen's path is scaled into, centred: the data set's digits fill the height (median
 * ink extent 8 of 8 cells, in every class) and are at most about 3/4 as wide (median 5-6 cells);
 * the pen's width adds about 2 pixels on each side.
 */
export const PATH_HEIGHT = 27;
export const PATH_WIDTH = 20;

/**
 * Inked pixels of the 32x32 bitmap: the median sum of the 64 features in the data set, which is
 * 303-330 in every class (the stroke width was normalised), so the pen is as thick as needed to
 * ink this many pixels: a "1" becomes a broad bar, a "0" a ring of about 4 pixels.
 */
export const INK_PIXELS = 310;

/** The pen's radius is kept in this range (bitmap pixels) whatever the ink target asks. */
const MIN_RADIUS = 0.75;
const MAX_RADIUS = 8;

/** Distance from (px, py) to the segment a-b. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The path without points closer than a quarter pixel to the one before (a mouse sends many): fewer segments to measure. */
function thin(path) {
  const kept = [path[0]];
  for (const p of path.slice(1)) {
    const last = kept[kept.length - 1];
    if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 0.25) kept.push(p);
  }
  if (kept.length > 1 && kept[kept.length - 1] !== path[path.length - 1]) kept.push(path[path.length - 1]);
  return kept;
}

/**
 * The 64 features (0..16) of strokes: arrays of points {x, y} (any units, y down; the pad uses
 * [0, 1]). A stroke of one point is a dot. No strokes give 64 zeros.
 */
export function rasterize(strokes) {
  const features = new Float32Array(GRID * GRID);
  const points = strokes.flat();
  if (points.length === 0) return features;

  // size normalisation: the path's bounding box, scaled (aspect kept) into the box and centred
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  // the height fills the box; the width scales alike (aspect kept) up to the box's width, and a
  // digit wider than that is narrowed to it, as round zeros are in the data set.
  // A dot (or a tap) has no size: it stays a dot in the middle.
  const w = x1 - x0;
  const h = y1 - y0;
  const sy = h > 0 ? PATH_HEIGHT / h : w > 0 ? PATH_WIDTH / w : 0;
  const sx = w > 0 ? Math.min(sy, PATH_WIDTH / w) : sy;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const paths = strokes
    .filter((s) => s.length > 0)
    .map((s) => thin(s.map((p) => [FINE / 2 + (p.x - cx) * sx, FINE / 2 + (p.y - cy) * sy])));

  // each pixel's distance (from its centre) to the nearest point of the pen's path
  const distance = new Float64Array(FINE * FINE);
  for (let y = 0; y < FINE; y++) {
    for (let x = 0; x < FINE; x++) {
      let d = Infinity;
      for (const path of paths) {
        for (let i = 0; i < path.length; i++) {
          const a = path[Math.max(0, i - 1)];
          const b = path[i];
          d = Math.min(d, segmentDistance(x + 0.5, y + 0.5, a[0], a[1], b[0], b[1]));
        }
      }
      distance[y * FINE + x] = d;
    }
  }

  // stroke-width normalisation: the pen radius that inks INK_PIXELS pixels
  const sorted = Float64Array.from(distance).sort();
  const radius = Math.min(MAX_RADIUS, Math.max(MIN_RADIUS, sorted[INK_PIXELS - 1]));
  const block = FINE / GRID;
  for (let y = 0; y < FINE; y++) {
    for (let x = 0; x < FINE; x++) {
      if (distance[y * FINE + x] <= radius) features[Math.floor(y / block) * GRID + Math.floor(x / block)]++;
    }
  }
  return features;
}
