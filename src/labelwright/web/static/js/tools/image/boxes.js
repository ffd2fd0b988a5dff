// <lw-boxes>: rectangles in source pixels, `{id, x, y, w, h, rotation?, label, attributes?}`.
//
// Drag on the image to draw; drag a box to move it, its handles to resize, the round handle
// above it to rotate (when the control has `rotation: true`; Shift snaps to 15°). Label keys
// relabel the selected box or pick the label of the next one; arrows nudge, Ctrl+D duplicates,
// Delete removes, `,` `.` turn by 1° and `<` `>` by 15°. Boxes always stay inside the image.

import {
  boxBounds,
  boxCorners,
  boxFromCorners,
  boxHandles,
  hitHandle,
  isBoxInside,
  moveBox,
  normalizeAngle,
  pointInBox,
  resizeBox,
  rotationTowards,
  round,
  snapBoxInside,
} from '../../lib/geometry.js';
import { fillAndStroke, RegionTool } from './regions.js';
import { svg } from './stage.js';

/** Screen pixels between a box's top edge and its rotate handle. */
const ROTATE_OFFSET = 22;

/**
 * Round a box's numbers for storage and keep it inside the image.
 * @param {any} box
 * @param {number} width
 * @param {number} height
 */
export function finalizeBox(box, width, height) {
  let out = { ...box, x: round(box.x), y: round(box.y), w: round(box.w), h: round(box.h) };
  if (box.rotation !== undefined) out.rotation = round(normalizeAngle(box.rotation));
  for (let i = 0; i < 5 && !isBoxInside(out, width, height); i++) {
    out = snapBoxInside(out, width, height);
    out = { ...out, x: round(out.x), y: round(out.y), w: Math.floor(out.w * 100) / 100, h: Math.floor(out.h * 100) / 100 };
  }
  return out;
}

export class LwBoxes extends RegionTool {
  static prefix = 'b';
  static kind = 'Boxes';
  static canvasShapes = true;
  static lineWidth = 2;

  constructor() {
    super();
    this.cursor = 'crosshair';
  }

  get canRotate() {
    return Boolean(this.config.rotation);
  }

  createShape() {
    return svg('rect');
  }

  updateShape(el, b) {
    el.setAttribute('x', b.x);
    el.setAttribute('y', b.y);
    el.setAttribute('width', b.w);
    el.setAttribute('height', b.h);
    if (b.rotation) el.setAttribute('transform', `rotate(${b.rotation} ${b.x + b.w / 2} ${b.y + b.h / 2})`);
    else el.removeAttribute('transform');
  }

  hitItem(b, x, y, tol) {
    return pointInBox(b, x, y, tol);
  }

  boundsOf(b) {
    return boxBounds(b);
  }

  paintItem(ctx, b, { scale, tx, ty }, alpha) {
    if (!b.rotation) {
      // whole screen pixels: a 2 px outline on pixel edges is crisp and the fastest to draw
      const x0 = Math.round(b.x * scale + tx);
      const y0 = Math.round(b.y * scale + ty);
      const w = Math.round((b.x + b.w) * scale + tx) - x0;
      const h = Math.round((b.y + b.h) * scale + ty) - y0;
      ctx.globalAlpha = alpha.fill;
      ctx.fillRect(x0, y0, w, h);
      ctx.globalAlpha = alpha.stroke;
      ctx.strokeRect(x0, y0, w, h);
      return;
    }
    ctx.beginPath();
    for (const [x, y] of boxCorners(b)) ctx.lineTo(x * scale + tx, y * scale + ty);
    ctx.closePath();
    fillAndStroke(ctx, alpha);
  }

  describe(b) {
    return ` · ${Math.round(b.w)}×${Math.round(b.h)}${b.rotation ? ` · ${Math.round(b.rotation)}°` : ''}`;
  }

  moveItem(b, dx, dy) {
    return finalizeBox(moveBox(b, dx, dy, this.imageWidth, this.imageHeight), this.imageWidth, this.imageHeight);
  }

  editorFields(b, disabled) {
    const rows = [];
    const geo = document.createElement('span');
    geo.className = 'muted small';
    geo.dataset.geometry = '';
    geo.textContent = `x ${b.x} · y ${b.y} · ${b.w} × ${b.h}`;
    rows.push(this.field('Box', geo));
    if (this.canRotate) {
      const input = document.createElement('input');
      input.type = 'number';
      input.name = 'rotation';
      input.step = '1';
      input.min = '-180';
      input.max = '180';
      input.value = String(b.rotation || 0);
      input.disabled = disabled;
      input.addEventListener('change', () => this.turnSelected(Number(input.value) - (b.rotation || 0)));
      rows.push(this.field('Rotation °', input));
    }
    return rows;
  }

  /** Turn the selected box by `deg` degrees (kept inside the image). */
  turnSelected(deg) {
    const b = this.selectedItem();
    if (!b || !this.canRotate || this.lockedIds.has(b.id) || !Number.isFinite(deg)) return false;
    const turned = { ...b, rotation: normalizeAngle((b.rotation || 0) + deg) };
    this.replace(finalizeBox(snapBoxInside(turned, this.imageWidth, this.imageHeight), this.imageWidth, this.imageHeight));
    return true;
  }

  keyDown(combo, e) {
    const turns = { ',': -1, '.': 1, '<': -15, '>': 15 };
    if (combo in turns && this.canRotate && this.selectedId) return this.turnSelected(turns[combo]);
    return super.keyDown(combo, e);
  }

  drawHandles() {
    if (!this.overLayer || this.gesture?.kind === 'draw') return;
    const b = this.gesture?.current || this.selectedItem();
    if (!b || !this.isActive || this.hiddenIds.has(b.id) || this.readonly || this.lockedIds.has(b.id)) {
      this.overLayer.replaceChildren();
      return;
    }
    const hs = boxHandles(b, { rotateOffset: this.canRotate ? this.stage.px(ROTATE_OFFSET) : null });
    const parts = [];
    if (hs.rotate) {
      const [tx, ty] = hs.n;
      parts.push(svg('line', { x1: tx, y1: ty, x2: hs.rotate[0], y2: hs.rotate[1], class: 'handle-stem' }));
    }
    parts.push(...this.handleDots(Object.entries(hs)));
    if (this.gesture?.ghost) parts.unshift(this.gesture.ghost);
    this.overLayer.replaceChildren(...parts);
  }

  // ------------------------------------------------------------ gestures

  pointerDown(p) {
    if (!this.editable || !this.imageWidth) return false;
    const sel = this.selectedItem();
    if (sel && !this.lockedIds.has(sel.id) && !this.hiddenIds.has(sel.id)) {
      const rotateOffset = this.canRotate ? this.stage.px(ROTATE_OFFSET) : null;
      const handle = hitHandle(sel, p.x, p.y, this.stage.px(7), { rotateOffset });
      if (handle) {
        this.gesture = { kind: handle === 'rotate' ? 'rotate' : 'resize', handle, start: sel, current: sel };
        return true;
      }
    }
    const id = this.hitId(p.x, p.y, this.stage.px(3));
    if (id) {
      if (id !== this.selectedId) this.select(id);
      if (this.lockedIds.has(id)) return true;
      const item = this.selectedItem();
      this.gesture = { kind: 'move', start: item, current: item, x0: p.x, y0: p.y };
      return true;
    }
    if (p.x < 0 || p.y < 0 || p.x > this.imageWidth || p.y > this.imageHeight) return false;
    if (this.selectedId) this.select(null);
    const rect = svg('rect', { class: 'draft' });
    rect.style.setProperty('--c', this.colorOf(this.currentLabel));
    this.overLayer.replaceChildren(rect);
    this.gesture = { kind: 'draw', a: [p.x, p.y], rect, current: null };
    return true;
  }

  pointerMove(p, e) {
    const g = this.gesture;
    if (!g) return;
    const W = this.imageWidth;
    const H = this.imageHeight;
    if (g.kind === 'draw') {
      const b = boxFromCorners(g.a, [p.x, p.y], W, H);
      g.current = b;
      this.updateShape(g.rect, b);
      return;
    }
    let next;
    if (g.kind === 'move') next = moveBox(g.start, p.x - g.x0, p.y - g.y0, W, H);
    else if (g.kind === 'resize') next = snapBoxInside(resizeBox(g.start, g.handle, p.x, p.y), W, H);
    else next = snapBoxInside({ ...g.start, rotation: rotationTowards(g.start, p.x, p.y, { step: e.shiftKey ? 15 : 0 }) }, W, H);
    g.current = next;
    if (!g.ghost) g.ghost = this.startGhost(g.start);
    this.updateShape(g.ghost, next);
    this.drawHandles();
  }

  pointerUp() {
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    const W = this.imageWidth;
    const H = this.imageHeight;
    if (g.kind === 'draw') {
      this.overLayer.replaceChildren();
      const b = g.current;
      if (!b || b.w < this.stage.px(3) || b.h < this.stage.px(3)) {
        this.drawHandles();
        return;
      }
      const box = finalizeBox({ id: this.newId(), ...b, label: this.currentLabel }, W, H);
      const attributes = this.newAttributes();
      if (attributes) box.attributes = attributes;
      this.commit([...this.items, box], box.id);
      return;
    }
    const next = finalizeBox(g.current, W, H);
    this.endGhost(g.start);
    if (JSON.stringify(next) === JSON.stringify(g.start)) {
      this.drawHandles();
      return;
    }
    this.replace(next);
  }

  cancelDraft() {
    const g = this.gesture;
    if (!g) return false;
    this.gesture = null;
    if (g.start) this.endGhost(g.start);
    this.overLayer?.replaceChildren();
    this.drawHandles();
    return true;
  }
}

customElements.define('lw-boxes', LwBoxes);
