// <lw-masks>: pixel masks at source resolution, `{id, rle: {size: [h, w], counts}, label}` with
// COCO run-length encoding (compact string counts, as pycocotools writes them).
//
// Brush paints into the selected mask (the first stroke with nothing selected starts a new mask
// with the current label; Escape deselects so the next stroke starts another). Eraser clears
// pixels of the selected mask (or of every unlocked mask when none is selected). Polygon mode:
// click points, close with Enter, a double-click or on the first point, and the polygon is filled
// into the mask by pycocotools' rule (lib/rle.js polygonRuns). `[` and `]` change the brush size,
// Alt+X toggles brush and eraser, Alt+click selects the mask under the pointer. Each stroke is one
// undo step.

import { clampPoint, maskArea, paintStroke } from '../../lib/geometry.js';
import { decodeRle, encodeRle, paintRuns, polygonRuns } from '../../lib/rle.js';
import { RegionTool } from './regions.js';
import { svg } from './stage.js';

const MODES = [
  ['brush', 'Brush'],
  ['eraser', 'Eraser'],
  ['polygon', 'Polygon'],
];
const ALPHA = 115;
const ALPHA_SELECTED = 165;

/** [r, g, b] of a CSS colour (custom properties resolved against `el`). */
function rgbOf(color, el) {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  const css = m ? getComputedStyle(el).getPropertyValue(m[1]).trim() : color;
  const c = document.createElement('canvas').getContext('2d');
  c.fillStyle = '#000';
  c.fillStyle = css;
  const hex = /^#([0-9a-f]{6})$/i.exec(c.fillStyle);
  if (hex) return [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16));
  const rgb = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(c.fillStyle);
  return rgb ? [1, 2, 3].map((i) => Number(rgb[i])) : [37, 99, 235];
}

export class LwMasks extends RegionTool {
  static prefix = 'm';
  static kind = 'Masks';
  static canDuplicate = false;

  constructor() {
    super();
    this.mode = 'brush';
    this.brush = 0; // radius in source pixels; 0 = not chosen yet
    /** @type {Map<string, {rle: any, mask: Uint8Array}>} decoded masks by id */
    this.bitmaps = new Map();
    /** @type {{points: number[][], shape: SVGElement} | null} */
    this.drawing = null;
    this.cursor = 'none';
  }

  get radius() {
    if (!this.brush && this.imageWidth) this.brush = Math.max(2, Math.round(Math.min(this.imageWidth, this.imageHeight) / 60));
    return this.brush || 8;
  }

  // masks draw on a canvas, not as SVG shapes
  createShape() {
    return svg('g');
  }

  hitItem(item, x, y) {
    const W = this.imageWidth;
    const i = Math.floor(x);
    const j = Math.floor(y);
    if (i < 0 || j < 0 || i >= W || j >= this.imageHeight) return false;
    return this.bitmapOf(item).mask[j * W + i] === 1;
  }

  describe(item) {
    const b = this.bitmaps.get(item.id);
    return b ? ` · ${maskArea(b.mask)} px` : '';
  }

  moveItem(item) {
    return item;
  }

  duplicateSelected() {
    return false;
  }

  /** The decoded bitmap of a mask item (cached while its RLE does not change). */
  bitmapOf(item) {
    let b = this.bitmaps.get(item.id);
    if (!b || (b.rle !== item.rle && JSON.stringify(b.rle) !== JSON.stringify(item.rle))) {
      const W = this.imageWidth;
      const H = this.imageHeight;
      let mask;
      try {
        const d = decodeRle(item.rle);
        mask = d.width === W && d.height === H ? d.mask : new Uint8Array(W * H);
        if (d.width !== W || d.height !== H) this.message = `${item.id}: mask size ${d.height}x${d.width} differs from the image's ${H}x${W}.`;
      } catch (err) {
        mask = new Uint8Array(W * H);
        this.message = `${item.id}: ${err.message}`;
      }
      b = { rle: item.rle, mask };
      this.bitmaps.set(item.id, b);
    } else b.rle = item.rle;
    return b;
  }

  imageReady() {
    this.layer = this.stage.addCanvas(this);
    this.colors = new Map();
    this.renderExtra();
    this.draw();
  }

  rgb(label) {
    if (!this.colors) this.colors = new Map();
    if (!this.colors.has(label)) this.colors.set(label, rgbOf(this.colorOf(label), this));
    return this.colors.get(label);
  }

  draw() {
    super.draw();
    if (!this.layer || !this.imageWidth) return;
    const ids = new Set(this.items.map((x) => x.id));
    for (const id of this.bitmaps.keys()) if (!ids.has(id)) this.bitmaps.delete(id);
    for (const item of this.items) this.bitmapOf(item);
    this.paintCanvas(0, 0, this.imageWidth - 1, this.imageHeight - 1);
  }

  /**
   * Repaint the canvas over a source-pixel rectangle (inclusive) from the bitmaps.
   * @param {{mask: Uint8Array, label: string, id: string}[]} [extra] masks being edited
   */
  paintCanvas(x0, y0, x1, y1, extra = []) {
    const { canvas, ctx, factor: f } = this.layer;
    const W = this.imageWidth;
    const cx0 = Math.max(0, Math.floor(x0 / f));
    const cy0 = Math.max(0, Math.floor(y0 / f));
    const cx1 = Math.min(canvas.width - 1, Math.floor(x1 / f));
    const cy1 = Math.min(canvas.height - 1, Math.floor(y1 / f));
    if (cx1 < cx0 || cy1 < cy0) return;
    const w = cx1 - cx0 + 1;
    const h = cy1 - cy0 + 1;
    const image = ctx.createImageData(w, h);
    const data = image.data;
    const layers = [];
    const editing = new Map(extra.map((e) => [e.id, e]));
    for (const item of this.items) {
      if (this.hiddenIds.has(item.id)) continue;
      const mask = editing.get(item.id)?.mask || this.bitmaps.get(item.id)?.mask;
      if (mask) layers.push({ mask, rgb: this.rgb(item.label), alpha: item.id === this.selectedId ? ALPHA_SELECTED : ALPHA });
      editing.delete(item.id);
    }
    for (const e of editing.values()) layers.push({ mask: e.mask, rgb: this.rgb(e.label), alpha: ALPHA_SELECTED });
    const half = f > 1 ? Math.floor(f / 2) : 0;
    for (let j = 0; j < h; j++) {
      const sy = Math.min(this.imageHeight - 1, (cy0 + j) * f + half);
      const row = sy * W;
      for (let i = 0; i < w; i++) {
        const sx = Math.min(W - 1, (cx0 + i) * f + half);
        for (let l = layers.length - 1; l >= 0; l--) {
          if (layers[l].mask[row + sx]) {
            const o = (j * w + i) * 4;
            const { rgb, alpha } = layers[l];
            data[o] = rgb[0];
            data[o + 1] = rgb[1];
            data[o + 2] = rgb[2];
            data[o + 3] = alpha;
            break;
          }
        }
      }
    }
    ctx.putImageData(image, cx0, cy0);
  }

  select(id) {
    super.select(id);
    if (this.layer) this.paintCanvas(0, 0, this.imageWidth - 1, this.imageHeight - 1);
  }

  toggle(set, id) {
    super.toggle(set, id);
    if (this.layer) this.paintCanvas(0, 0, this.imageWidth - 1, this.imageHeight - 1);
  }

  // ------------------------------------------------------------ panel

  renderExtra() {
    const modes = MODES.map(([mode, text]) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn btn-sm';
      b.dataset.mode = mode;
      b.textContent = text;
      b.setAttribute('aria-pressed', String(this.mode === mode));
      b.disabled = this.readonly;
      b.addEventListener('click', () => this.setMode(mode));
      return b;
    });
    const size = document.createElement('input');
    size.type = 'range';
    size.name = 'brush-size';
    size.min = '1';
    size.max = '200';
    size.value = String(this.radius || 8);
    size.disabled = this.readonly;
    size.setAttribute('aria-label', 'Brush radius in pixels');
    const shown = document.createElement('span');
    shown.className = 'muted small';
    shown.textContent = `${size.value} px`;
    size.addEventListener('input', () => {
      this.brush = Number(size.value);
      shown.textContent = `${size.value} px`;
    });
    const label = document.createElement('label');
    label.className = 'rt-size';
    label.append('Size [ ]', size, shown);
    const group = document.createElement('div');
    group.className = 'group';
    group.append(...modes);
    this.extraBar.replaceChildren(group, label);
  }

  setMode(mode) {
    this.cancelDraft();
    this.mode = mode;
    this.cursor = mode === 'polygon' ? 'crosshair' : 'none';
    if (this.stage && this.isActive) this.stage.viewport.style.cursor = this.cursor;
    this.stage?.activate(this);
    this.renderExtra();
    this.overLayer?.replaceChildren();
  }

  keyDown(combo, e) {
    if (combo === '[' || combo === ']') {
      this.brush = Math.max(1, Math.min(200, Math.round(this.radius * (combo === ']' ? 1.25 : 0.8)) + (combo === ']' ? 1 : -1)));
      this.renderExtra();
      return true;
    }
    if (combo === 'Alt+x') {
      this.setMode(this.mode === 'eraser' ? 'brush' : 'eraser');
      return true;
    }
    if (combo === 'Enter' && this.drawing) return this.closePolygon();
    return super.keyDown(combo, e);
  }

  // ------------------------------------------------------------ gestures

  drawHandles() {
    if (!this.overLayer) return;
    if (this.drawing) {
      const first = this.drawing.points[0];
      this.overLayer.replaceChildren(this.drawing.shape, ...this.handleDots([['0', first]], { cls: 'handle handle-first' }));
    }
  }

  hover(p) {
    if (!this.overLayer) return;
    if (this.drawing) {
      if (p) this.drawing.shape.setAttribute('points', [...this.drawing.points, [p.x, p.y]].map((q) => q.join(',')).join(' '));
      return;
    }
    if (!p || this.mode === 'polygon' || !this.isActive) {
      this.overLayer.replaceChildren();
      if (p && this.mode === 'polygon') super.hover(p);
      return;
    }
    let ring = this.overLayer.querySelector('.brush-ring');
    if (!ring) {
      ring = svg('circle', { class: `brush-ring ${this.mode}` });
      this.overLayer.replaceChildren(ring);
    }
    ring.setAttribute('class', `brush-ring ${this.mode}`);
    ring.setAttribute('cx', p.x);
    ring.setAttribute('cy', p.y);
    ring.setAttribute('r', this.radius);
  }

  /** Masks a stroke works on: [{id, label, mask, isNew}]. */
  targets() {
    const W = this.imageWidth;
    const H = this.imageHeight;
    const sel = this.selectedItem();
    if (sel && !this.lockedIds.has(sel.id) && !this.hiddenIds.has(sel.id)) {
      return [{ id: sel.id, label: sel.label, mask: this.bitmapOf(sel).mask.slice(), isNew: false }];
    }
    if (this.mode === 'eraser') {
      return this.items
        .filter((x) => !this.lockedIds.has(x.id) && !this.hiddenIds.has(x.id))
        .map((x) => ({ id: x.id, label: x.label, mask: this.bitmapOf(x).mask.slice(), isNew: false }));
    }
    return [{ id: this.newId(), label: this.currentLabel, mask: new Uint8Array(W * H), isNew: true }];
  }

  pointerDown(p, e) {
    if (!this.editable || !this.imageWidth) return false;
    const W = this.imageWidth;
    const H = this.imageHeight;
    if (e.altKey) {
      const id = this.hitId(p.x, p.y);
      this.select(id);
      return true;
    }
    if (this.mode === 'polygon') {
      const point = clampPoint(p.x, p.y, W, H);
      if (this.drawing) {
        const first = this.drawing.points[0];
        if (this.drawing.points.length >= 3 && Math.hypot(p.x - first[0], p.y - first[1]) <= this.stage.px(8)) this.closePolygon();
        else this.drawing.points.push(point);
      } else {
        const shape = svg('polygon', { class: 'draft' });
        shape.style.setProperty('--c', this.colorOf(this.selectedItem()?.label || this.currentLabel));
        this.drawing = { points: [point], shape };
      }
      this.drawHandles();
      this.hover(p);
      return true;
    }
    if (p.x < 0 || p.y < 0 || p.x > W || p.y > H) return false;
    const value = this.mode === 'eraser' ? 0 : 1;
    const targets = this.targets();
    if (!targets.length) return true;
    this.gesture = { targets, value, last: [p.x, p.y] };
    this.stroke([p.x, p.y]);
    return true;
  }

  stroke(to) {
    const g = this.gesture;
    const W = this.imageWidth;
    const H = this.imageHeight;
    let rect = null;
    for (const t of g.targets) rect = paintStroke(t.mask, W, H, g.last, to, this.radius, g.value) || rect;
    g.last = to;
    if (rect) this.paintCanvas(rect.x0, rect.y0, rect.x1, rect.y1, g.targets);
  }

  pointerMove(p) {
    if (this.gesture) this.stroke([p.x, p.y]);
    this.hover(p);
  }

  pointerUp() {
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    this.store(g.targets);
  }

  /** Encode edited masks and store them (empty masks are dropped); one undo step. */
  store(targets) {
    const W = this.imageWidth;
    const H = this.imageHeight;
    const edited = new Map(targets.map((t) => [t.id, t]));
    const out = [];
    let selectId = this.selectedId;
    for (const item of this.items) {
      const t = edited.get(item.id);
      if (!t) out.push(item);
      else if (maskArea(t.mask)) {
        const rle = encodeRle(t.mask, W, H);
        this.bitmaps.set(item.id, { rle, mask: t.mask });
        out.push({ ...item, rle });
      } else if (selectId === item.id) selectId = null;
      edited.delete(item.id);
    }
    for (const t of edited.values()) {
      if (!t.isNew || !maskArea(t.mask)) continue;
      const rle = encodeRle(t.mask, W, H);
      this.bitmaps.set(t.id, { rle, mask: t.mask });
      const item = { id: t.id, rle, label: t.label };
      const attributes = this.newAttributes();
      if (attributes) item.attributes = attributes;
      out.push(item);
      selectId = t.id;
    }
    this.commit(out, selectId);
  }

  closePolygon() {
    const d = this.drawing;
    if (!d || d.points.length < 3) return false;
    this.drawing = null;
    this.overLayer.replaceChildren();
    const targets = this.targets().filter((t) => this.mode !== 'polygon' || t.isNew || t.id === this.selectedId);
    // filled by pycocotools' polygon rule, so the mask equals what COCO tools make of the polygon
    const runs = polygonRuns(d.points, this.imageWidth, this.imageHeight);
    for (const t of targets) paintRuns(t.mask, runs, this.imageWidth, this.imageHeight, 1);
    this.store(targets);
    return true;
  }

  doubleClick() {
    if (this.drawing) {
      const tol = this.stage.px(3);
      this.drawing.points = this.drawing.points.filter((pt, i, all) => i === 0 || Math.hypot(pt[0] - all[i - 1][0], pt[1] - all[i - 1][1]) > tol);
      this.closePolygon();
    }
  }

  cancelDraft() {
    if (this.drawing) {
      this.drawing = null;
      this.overLayer?.replaceChildren();
      return true;
    }
    if (this.gesture) {
      this.gesture = null;
      this.draw();
      return true;
    }
    return false;
  }

  cancelLastPoint() {
    if (!this.drawing) return false;
    this.drawing.points.pop();
    if (!this.drawing.points.length) this.cancelDraft();
    return true;
  }
}

customElements.define('lw-masks', LwMasks);
