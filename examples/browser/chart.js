// A small line chart on a canvas: one value per epoch for a few series (no chart library).

/** Sizes the canvas backing store for the screen's pixel ratio; returns its 2D context in CSS pixels. */
function context(canvas) {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = canvas.width / (canvas.dataset.ratio || 1);
  const height = canvas.height / (canvas.dataset.ratio || 1);
  canvas.dataset.ratio = String(ratio);
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width, height };
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * A chart of `series` ({ key, label, color }) over `epochs` epochs. `range` fixes the y axis
 * ([min, max]); without it the axis runs from 0 to a round number above the largest value.
 */
export function lineChart(canvas, { title, series, epochs, range, format = (v) => v.toFixed(2) }) {
  const { ctx, width, height } = context(canvas);
  const values = new Map(series.map((s) => [s.key, []]));
  const pad = { left: 44, right: 10, top: 26, bottom: 26 };

  function draw() {
    ctx.clearRect(0, 0, width, height);
    ctx.font = '12px system-ui, sans-serif';
    const all = [...values.values()].flat();
    const [lo, hi] = range ?? [0, niceMax(Math.max(0, ...all))];
    const x = (epoch) => pad.left + ((width - pad.left - pad.right) * epoch) / Math.max(1, epochs - 1);
    const y = (v) => height - pad.bottom - ((height - pad.top - pad.bottom) * (v - lo)) / (hi - lo || 1);
    // grid and labels
    ctx.strokeStyle = '#e3e6ec';
    ctx.fillStyle = '#5d6677';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) * i) / 4;
      ctx.beginPath();
      ctx.moveTo(pad.left, y(v));
      ctx.lineTo(width - pad.right, y(v));
      ctx.stroke();
      ctx.fillText(format(v), pad.left - 6, y(v));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const e of [0, Math.floor((epochs - 1) / 2), epochs - 1])
      ctx.fillText(String(e + 1), x(e), height - pad.bottom + 6);
    // title and legend
    ctx.textAlign = 'left';
    ctx.fillStyle = '#1d2330';
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.fillText(title, pad.left, 4);
    ctx.font = '12px system-ui, sans-serif';
    let lx = width - pad.right;
    for (const s of [...series].reverse()) {
      lx -= ctx.measureText(s.label).width;
      ctx.fillStyle = s.color;
      ctx.fillText(s.label, lx, 5);
      lx -= 16;
    }
    // lines
    for (const s of series) {
      const v = values.get(s.key);
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      v.forEach((value, e) => {
        if (e === 0) ctx.moveTo(x(e), y(value));
        else ctx.lineTo(x(e), y(value));
      });
      ctx.stroke();
      if (v.length === 1) {
        ctx.fillStyle = s.color;
        ctx.fillRect(x(0) - 2, y(v[0]) - 2, 4, 4);
      }
    }
  }

  draw();
  return {
    /** Adds one epoch's logs (a value per series key). */
    push(logs) {
      for (const s of series) if (Number.isFinite(logs[s.key])) values.get(s.key).push(logs[s.key]);
      draw();
    },
    /** Forgets every value. */
    reset() {
      for (const v of values.values()) v.length = 0;
      draw();
    },
  };
}
