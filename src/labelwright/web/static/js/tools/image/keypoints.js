// <lw-keypoints>: labeled points in source pixels, `{id, x, y, label, visible}`.
//
// Click to place a point with the current label; the label then moves on to the next one, so a
// pose is clicked in schema order. Drag a point to move it; Alt+V (or the editor's checkbox)
// marks the selected point not visible (occluded), drawn hollow. When the control has a
// `skeleton`, its edges are drawn between the points of the two labels (the n-th point of one
// label to the n-th point of the other).

import { clampPoint, round } from '../../lib/geometry.js';
import { RegionTool } from './regions.js';
import { svg } from './stage.js';

/** Radius of a keypoint on screen, in pixels. */
const DOT = 5;

export class LwKeypoints extends RegionTool {
  static prefix = 'k';
  static kind = 'Keypoints';

  constructor() {
    super();
    this.cursor = 'crosshair';
  }

  createShape() {
    return svg('circle');
  }

  updateShape(el, k) {
    el.setAttribute('cx', k.x);
    el.setAttribute('cy', k.y);
    el.setAttribute('r', this.stage ? this.stage.px(DOT) : DOT);
    el.classList.toggle('occluded', k.visible === false);
  }

  hitItem(k, x, y, tol) {
    return Math.hypot(k.x - x, k.y - y) <= this.stage.px(DOT + 2) + tol;
  }

  boundsOf(k) {
    return { x0: k.x, y0: k.y, x1: k.x, y1: k.y };
  }

  hitPad() {
    return this.stage.px(DOT + 2);
  }

  describe(k) {
    return ` · ${Math.round(k.x)}, ${Math.round(k.y)}${k.visible === false ? ' · not visible' : ''}`;
  }

  moveItem(k, dx, dy) {
    const [x, y] = clampPoint(k.x + dx, k.y + dy, this.imageWidth, this.imageHeight);
    return { ...k, x: round(x), y: round(y) };
  }

  viewChanged() {
    const r = this.stage.px(DOT);
    for (const el of this.shapes.values()) el.setAttribute('r', r);
    this.drawHandles();
  }

  draw() {
    super.draw();
    this.drawSkeleton();
  }

  /** Lines between the points of each skeleton edge's labels, under the points. */
  drawSkeleton(override = null) {
    if (!this.shapeLayer) return;
    let layer = this.skeletonLayer;
    if (!layer) {
      layer = this.skeletonLayer = svg('g', { class: 'skeleton' });
      this.shapeLayer.prepend(layer);
    }
    const edges = this.config.skeleton || [];
    if (!edges.length) return;
    const items = this.items.map((k) => (override && k.id === override.id ? override : k));
    const byLabel = new Map();
    for (const k of items) {
      if (this.hiddenIds.has(k.id)) continue;
      if (!byLabel.has(k.label)) byLabel.set(k.label, []);
      byLabel.get(k.label).push(k);
    }
    const lines = [];
    for (const [a, b] of edges) {
      const as = byLabel.get(a) || [];
      const bs = byLabel.get(b) || [];
      for (let i = 0; i < Math.min(as.length, bs.length); i++) {
        const line = svg('line', { x1: as[i].x, y1: as[i].y, x2: bs[i].x, y2: bs[i].y, class: 'bone' });
        line.dataset.edge = `${a}-${b}`;
        lines.push(line);
      }
    }
    layer.replaceChildren(...lines);
  }

  editorFields(k, disabled) {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'visible';
    box.checked = k.visible !== false;
    box.disabled = disabled;
    box.addEventListener('change', () => this.replace({ ...k, visible: box.checked }));
    return [this.field('Visible (Alt+V)', box)];
  }

  keyDown(combo, e) {
    if (combo === 'Alt+v') {
      const k = this.selectedItem();
      if (!k || this.lockedIds.has(k.id)) return false;
      this.replace({ ...k, visible: k.visible === false });
      return true;
    }
    return super.keyDown(combo, e);
  }

  drawHandles() {
    if (!this.overLayer) return;
    const k = this.gesture?.current || this.selectedItem();
    if (!k || !this.isActive || this.hiddenIds.has(k.id)) {
      this.overLayer.replaceChildren();
      return;
    }
    const ring = svg('circle', { cx: k.x, cy: k.y, r: this.stage.px(DOT + 4), class: 'handle-ring' });
    this.overLayer.replaceChildren(ring);
  }

  /** The label after `label` in schema order (wrapping), for clicking a pose point by point. */
  nextLabel(label) {
    const names = this.labels.map((l) => l.name);
    const i = names.indexOf(label);
    return names[(i + 1) % names.length];
  }

  pointerDown(p) {
    if (!this.editable || !this.imageWidth) return false;
    const id = this.hitId(p.x, p.y, this.stage.px(2));
    if (id) {
      if (id !== this.selectedId) this.select(id);
      if (this.lockedIds.has(id)) return true;
      const k = this.selectedItem();
      this.gesture = { start: k, current: k, x0: p.x, y0: p.y };
      return true;
    }
    if (p.x < 0 || p.y < 0 || p.x > this.imageWidth || p.y > this.imageHeight) return false;
    const label = this.currentLabel;
    const point = { id: this.newId(), x: round(p.x), y: round(p.y), label, visible: true };
    const attributes = this.newAttributes();
    if (attributes) point.attributes = attributes;
    this.label = this.nextLabel(label);
    this.commit([...this.items, point], point.id);
    return true;
  }

  pointerMove(p) {
    const g = this.gesture;
    if (!g) return;
    g.current = this.moveItem(g.start, p.x - g.x0, p.y - g.y0);
    const el = this.shapes.get(g.start.id);
    if (el) this.updateShape(el, g.current);
    this.drawSkeleton(g.current);
    this.drawHandles();
  }

  pointerUp() {
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    if (g.current.x === g.start.x && g.current.y === g.start.y) return;
    this.replace(g.current);
  }

  cancelDraft() {
    const g = this.gesture;
    if (!g) return false;
    this.gesture = null;
    const el = this.shapes.get(g.start.id);
    if (el) this.updateShape(el, g.start);
    this.drawSkeleton();
    return true;
  }
}

customElements.define('lw-keypoints', LwKeypoints);
