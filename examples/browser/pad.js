// The 8x8 drawing pad: pointer events (mouse, pen or finger) draw strokes; the pad shows the 64
// features the model sees (raster.js: the digit centred and scaled to fill the grid, as the data
// set's digits were) as grey cells under the strokes, and reports them on change.
import { GRID, rasterize } from './raster.js';

export function drawingPad(canvas, onChange) {
  const ctx = canvas.getContext('2d');
  const strokes = [];
  let features = new Float32Array(GRID * GRID);
  let drawing = null;
  let frame = 0;

  const point = (event) => {
    const r = canvas.getBoundingClientRect();
    return {
      x: Math.min(1, Math.max(0, (event.clientX - r.left) / r.width)),
      y: Math.min(1, Math.max(0, (event.clientY - r.top) / r.height)),
    };
  };

  function render() {
    const { width, height } = canvas;
    const cw = width / GRID;
    const ch = height / GRID;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    for (let i = 0; i < GRID * GRID; i++) {
      const shade = Math.round(255 * (1 - features[i] / 16));
      ctx.fillStyle = `rgb(${shade},${shade},${shade})`;
      ctx.fillRect((i % GRID) * cw, Math.floor(i / GRID) * ch, cw, ch);
    }
    ctx.strokeStyle = '#e3e6ec';
    ctx.lineWidth = 1;
    for (let k = 1; k < GRID; k++) {
      ctx.beginPath();
      ctx.moveTo(k * cw + 0.5, 0);
      ctx.lineTo(k * cw + 0.5, height);
      ctx.moveTo(0, k * ch + 0.5);
      ctx.lineTo(width, k * ch + 0.5);
      ctx.stroke();
    }
    ctx.strokeStyle = 'rgba(47, 111, 228, 0.85)';
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of strokes) {
      ctx.beginPath();
      ctx.moveTo(s[0].x * width, s[0].y * height);
      for (const p of s) ctx.lineTo(p.x * width, p.y * height);
      // a dot: a zero-length line draws nothing
      if (s.length === 1) ctx.lineTo(s[0].x * width + 0.1, s[0].y * height);
      ctx.stroke();
    }
  }

  function changed() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      features = rasterize(strokes);
      render();
      onChange(features, strokes.length > 0);
    });
  }

  canvas.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = [point(event)];
    strokes.push(drawing);
    changed();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    for (const e of event.getCoalescedEvents?.() ?? [event]) drawing.push(point(e));
    changed();
  });
  const end = () => {
    drawing = null;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  render();
  return {
    /** Wipes the pad. */
    clear() {
      strokes.length = 0;
      drawing = null;
      changed();
    },
    /** The current 64 features (0..16). */
    get features() {
      return features;
    },
  };
}
