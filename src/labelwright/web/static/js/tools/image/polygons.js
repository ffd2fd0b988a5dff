// <lw-polygons>: closed polygons in source pixels, `{id, points: [[x, y], ...], label}`.
//
// Click to add points; click the first point, double-click or press Enter to close (three points
// at least); Escape cancels, Backspace removes the last point. On a selected polygon: drag a
// vertex, drag an edge's midpoint to insert a vertex, Alt+click a vertex to delete it, drag the
// inside to move. A polygon that crosses itself is drawn in red and named in a warning.

import {
  bounds,
  clampPoint,
  deleteVertex,
  hitVertex,
  isSelfIntersecting,
  movePolygon,
  moveVertex,
  nearestEdge,
  pointInPolygon,
} from '../../lib/geometry.js';
import { fillAndStroke, RegionTool, roundPoints } from './regions.js';
import { svg } from './stage.js';

/** The "x,y x,y ..." form of an SVG points attribute. */
function pointsAttr(points) {
  return points.map(([x, y]) => `${x},${y}`).join(' ');
}

export class LwPolygons extends RegionTool {
  static prefix = 'p';
  static kind = 'Polygons';
  static canvasShapes = true;

  constructor() {
    super();
    this.cursor = 'crosshair';
    /** @type {{points: number[][], shape: SVGElement, rubber: SVGElement} | null} */
    this.drawing = null;
    /** @type {WeakMap<any[], boolean>} whether a point list crosses itself (computed once) */
    this.crossingOf = new WeakMap();
  }

  /** Whether a polygon's outline crosses itself. */
  isBad(item) {
    let bad = this.crossingOf.get(item.points);
    if (bad === undefined) {
      bad = item.points.length > 3 && isSelfIntersecting(item.points);
      this.crossingOf.set(item.points, bad);
    }
    return bad;
  }

  boundsOf(item) {
    return bounds(item.points);
  }

  paintItem(ctx, item, { scale, tx, ty }, alpha) {
    ctx.beginPath();
    for (const [x, y] of item.points) ctx.lineTo(x * scale + tx, y * scale + ty);
    ctx.closePath();
    fillAndStroke(ctx, alpha);
  }

  createShape() {
    return svg('polygon');
  }

  updateShape(el, item) {
    el.setAttribute('points', pointsAttr(item.points));
    el.classList.toggle('bad', this.isBad(item));
  }

  hitItem(item, x, y, tol) {
    if (pointInPolygon(item.points, x, y)) return true;
    return tol > 0 && nearestEdge(item.points, x, y).dist <= tol;
  }

  describe(item) {
    return ` · ${item.points.length} points`;
  }

  moveItem(item, dx, dy) {
    return { ...item, points: roundPoints(movePolygon(item.points, dx, dy, this.imageWidth, this.imageHeight)) };
  }

  render() {
    super.render();
    const bad = this.items.filter((item) => this.isBad(item)).map((item) => item.id);
    this.message = bad.length ? `${bad.join(', ')} ${bad.length === 1 ? 'crosses itself' : 'cross themselves'}: move a vertex so the outline does not cross.` : '';
    this.warning.textContent = this.message;
    this.warning.hidden = !this.message;
  }

  drawHandles() {
    if (!this.overLayer) return;
    const parts = [];
    if (this.drawing) {
      parts.push(this.drawing.shape, this.drawing.rubber);
      const first = this.drawing.points[0];
      if (first) parts.push(...this.handleDots([['0', first]], { cls: 'handle handle-first' }));
    } else {
      const item = this.gesture?.current || this.selectedItem();
      if (item && this.isActive && !this.readonly && !this.hiddenIds.has(item.id) && !this.lockedIds.has(item.id)) {
        const n = item.points.length;
        const mids = item.points.map((a, i) => {
          const b = item.points[(i + 1) % n];
          return [String(i + 1), [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2]];
        });
        parts.push(...this.handleDots(mids, { cls: 'handle handle-mid', data: 'mid' }));
        parts.push(...this.handleDots(item.points.map((pt, i) => [String(i), pt]), { data: 'vertex' }));
      }
      if (this.gesture?.ghost) parts.unshift(this.gesture.ghost);
    }
    this.overLayer.replaceChildren(...parts);
  }

  // ------------------------------------------------------------ drawing a new polygon

  startDrawing(point) {
    const shape = svg('polyline', { class: 'draft' });
    shape.style.setProperty('--c', this.colorOf(this.currentLabel));
    const rubber = svg('line', { class: 'draft rubber' });
    rubber.style.setProperty('--c', this.colorOf(this.currentLabel));
    this.drawing = { points: [point], shape, rubber };
    this.updateDrawing(point);
  }

  updateDrawing(cursor) {
    const d = this.drawing;
    if (!d) return;
    d.shape.setAttribute('points', pointsAttr(d.points));
    const last = d.points[d.points.length - 1];
    const to = cursor || last;
    for (const [k, v] of Object.entries({ x1: last[0], y1: last[1], x2: to[0], y2: to[1] })) d.rubber.setAttribute(k, v);
    this.drawHandles();
  }

  /** Close the polygon being drawn; returns whether it was stored. */
  closeDrawing() {
    const d = this.drawing;
    if (!d) return false;
    const tol = this.stage.px(3);
    // a double-click adds the same point twice: drop repeats
    const points = d.points.filter((pt, i, all) => i === 0 || Math.hypot(pt[0] - all[i - 1][0], pt[1] - all[i - 1][1]) > tol);
    if (points.length < 3) return false;
    this.drawing = null;
    const polygon = { id: this.newId(), points: roundPoints(points), label: this.currentLabel };
    const attributes = this.newAttributes();
    if (attributes) polygon.attributes = attributes;
    this.commit([...this.items, polygon], polygon.id);
    return true;
  }

  cancelDraft() {
    if (this.drawing) {
      this.drawing = null;
      this.drawHandles();
      return true;
    }
    if (this.gesture) {
      const g = this.gesture;
      this.gesture = null;
      this.endGhost(g.start);
      this.drawHandles();
      return true;
    }
    return false;
  }

  /** Backspace while drawing removes the last point. */
  cancelLastPoint() {
    if (!this.drawing) return false;
    this.drawing.points.pop();
    if (!this.drawing.points.length) this.drawing = null;
    this.updateDrawing(null);
    return true;
  }

  // ------------------------------------------------------------ gestures

  pointerDown(p, e) {
    if (!this.editable || !this.imageWidth) return false;
    const W = this.imageWidth;
    const H = this.imageHeight;
    const point = clampPoint(p.x, p.y, W, H);
    if (this.drawing) {
      const first = this.drawing.points[0];
      if (this.drawing.points.length >= 3 && Math.hypot(p.x - first[0], p.y - first[1]) <= this.stage.px(8)) {
        this.closeDrawing();
      } else {
        this.drawing.points.push(point);
        this.updateDrawing(point);
      }
      return true;
    }
    const sel = this.selectedItem();
    if (sel && !this.lockedIds.has(sel.id) && !this.hiddenIds.has(sel.id)) {
      const v = hitVertex(sel.points, p.x, p.y, this.stage.px(7));
      if (v >= 0) {
        if (e.altKey) {
          const points = deleteVertex(sel.points, v);
          if (points !== sel.points) this.replace({ ...sel, points });
          return true;
        }
        this.gesture = { kind: 'vertex', index: v, start: sel, current: sel };
        return true;
      }
      const n = sel.points.length;
      for (let i = 0; i < n; i++) {
        const a = sel.points[i];
        const b = sel.points[(i + 1) % n];
        const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
        if (Math.hypot(p.x - mid[0], p.y - mid[1]) <= this.stage.px(6)) {
          const points = [...sel.points.slice(0, i + 1), mid, ...sel.points.slice(i + 1)];
          const current = { ...sel, points };
          this.gesture = { kind: 'vertex', index: i + 1, start: sel, current, inserted: true };
          return true;
        }
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
    if (p.x < 0 || p.y < 0 || p.x > W || p.y > H) return false;
    if (this.selectedId) this.select(null);
    this.startDrawing(point);
    return true;
  }

  pointerMove(p) {
    if (this.drawing) {
      this.updateDrawing(clampPoint(p.x, p.y, this.imageWidth, this.imageHeight));
      return;
    }
    const g = this.gesture;
    if (!g) return;
    const W = this.imageWidth;
    const H = this.imageHeight;
    const points =
      g.kind === 'move'
        ? movePolygon(g.start.points, p.x - g.x0, p.y - g.y0, W, H)
        : moveVertex(g.current.points, g.index, clampPoint(p.x, p.y, W, H));
    g.current = { ...g.start, points };
    if (!g.ghost) g.ghost = this.startGhost(g.start);
    g.ghost.setAttribute('points', pointsAttr(points));
    this.drawHandles();
  }

  hover(p) {
    if (this.drawing) {
      if (p) this.updateDrawing(clampPoint(p.x, p.y, this.imageWidth, this.imageHeight));
      return;
    }
    super.hover(p);
  }

  pointerUp() {
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    const next = { ...g.current, points: roundPoints(g.current.points) };
    this.endGhost(g.start);
    if (JSON.stringify(next.points) === JSON.stringify(g.start.points)) {
      this.drawHandles();
      return;
    }
    this.replace(next);
  }

  doubleClick(p) {
    if (this.drawing) {
      this.closeDrawing();
      return;
    }
    const sel = this.selectedItem();
    if (!sel || this.lockedIds.has(sel.id)) return;
    const edge = nearestEdge(sel.points, p.x, p.y);
    if (edge.dist <= this.stage.px(6) && hitVertex(sel.points, p.x, p.y, this.stage.px(7)) < 0) {
      const points = [...sel.points.slice(0, edge.index), edge.point, ...sel.points.slice(edge.index)];
      this.replace({ ...sel, points: roundPoints(points) });
    }
  }

  keyDown(combo, e) {
    if (combo === 'Enter' && this.drawing) {
      this.closeDrawing();
      return true;
    }
    return super.keyDown(combo, e);
  }
}

customElements.define('lw-polygons', LwPolygons);
