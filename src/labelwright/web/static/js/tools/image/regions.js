// The shared part of the image region tools (<lw-boxes>, <lw-polygons>, <lw-keypoints>,
// <lw-masks>): label bar, region list with visibility and lock toggles, hover and selection,
// the selected region's editor (label, attributes), duplicate and delete.
//
// A region tool lives inside an <lw-image-stage> (its panel is docked there) and draws on the
// stage's overlay in source pixels. Subclasses implement the geometry: createShape(item),
// updateShape(el, item), hitItem(item, x, y, tol), drawHandles(), the pointer gestures, and
// moveItem(item, dx, dy) for nudging and duplicating.
//
// Many regions: a tool with `static canvasShapes = true` (boxes, polygons) paints its regions on
// the stage's shared canvas instead of keeping one SVG element per region (subclasses implement
// paintItem(ctx, item, view, alpha)); only the selected and the hovered region are SVG shapes
// (drawn above, highlighted), and the one being dragged is a copy in the top layer while the
// canvas leaves it out. Hit testing goes through a grid index over the regions' bounds
// (boundsOf(item)), so a click does not test every region.

import { LABEL_COLORS } from '../../lib/constants.js';
import { boundsIntersect, makeGridIndex, round } from '../../lib/geometry.js';
import { nextRegionId } from '../../lib/segments.js';
import { LwTool, optionButton } from '../base.js';
import { svg } from './stage.js';

/** Small line icons (24x24 paths, drawn with the current colour). */
const ICONS = {
  shown: 'M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z',
  hidden: 'M3 3l18 18 M10.6 6.1A9.8 9.8 0 0 1 12 6c6.4 0 10 6 10 6a17 17 0 0 1-3.2 3.9 M6.1 7.6A17 17 0 0 0 2 12s3.6 6 10 6a9.7 9.7 0 0 0 4.3-1',
  locked: 'M6 11h12v10H6z M8.5 11V7.5a3.5 3.5 0 0 1 7 0V11',
  unlocked: 'M6 11h12v10H6z M8.5 11V7.5a3.5 3.5 0 0 1 6.8-1.2',
};

/** An inline SVG icon. */
function icon(name) {
  const el = svg('svg', { viewBox: '0 0 24 24', width: 14, height: 14, 'aria-hidden': 'true', class: 'icon' });
  el.append(svg('path', { d: ICONS[name], fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }));
  return el;
}

/** Nudge distances (source pixels) for the arrow keys, without and with Shift. */
const NUDGE = [1, 10];
/** From this many regions on, the region list only builds the rows scrolled into view. */
const VIRTUAL_FROM = 150;
/** Height of a row of a long region list, in pixels (image.css gives `.rt-list.virtual li` it). */
const ROW_HEIGHT = 26;
/** Rows built above and below the visible ones of a long list. */
const ROW_SLACK = 8;
/** Up to this many regions a hit test simply tries them all; past it, a grid index is built. */
const INDEX_FROM = 48;
/** Canvas look of a region (the CSS of `.stage-layer .shape` for SVG shapes, in image.css). */
const PAINT = { fill: 0.16, inactive: 0.75, lockedDash: [2, 3], badDash: [6, 3], badFill: 0.14 };

/**
 * Fill (at alpha.fill) and stroke (at alpha.stroke) the context's current path.
 * @param {CanvasRenderingContext2D} ctx
 * @param {{fill: number, stroke: number}} alpha
 */
export function fillAndStroke(ctx, alpha) {
  ctx.globalAlpha = alpha.fill;
  ctx.fill();
  ctx.globalAlpha = alpha.stroke;
  ctx.stroke();
}

/**
 * A CSS colour usable on a canvas: custom properties (`var(--l0)`) resolved against `el`.
 * @param {string} color
 * @param {Element} el
 */
export function resolveColor(color, el) {
  const m = /^var\((--[\w-]+)(?:,\s*([^)]+))?\)$/.exec(color);
  if (!m) return color;
  return getComputedStyle(el).getPropertyValue(m[1]).trim() || m[2] || '#2563eb';
}

/**
 * Round every number of a point list.
 * @param {number[][]} points
 */
export function roundPoints(points) {
  return points.map(([x, y]) => [round(x), round(y)]);
}

export class RegionTool extends LwTool {
  /** id prefix of new regions ("b" -> b1, b2 ...) */
  static prefix = 'r';
  /** the tool's kind, shown next to the control name */
  static kind = 'Regions';
  /** whether regions can be copied (Ctrl+D) */
  static canDuplicate = true;
  /** whether regions are painted on the stage's canvas (see the top of this file) */
  static canvasShapes = false;
  /** width of a region's outline on the canvas, in screen pixels */
  static lineWidth = 1.75;

  constructor() {
    super();
    this.selectedId = null;
    this.hoverId = null;
    /** @type {Set<string>} */
    this.hiddenIds = new Set();
    /** @type {Set<string>} */
    this.lockedIds = new Set();
    /** @type {string | null} the label new regions get */
    this.label = null;
    /** @type {any} */
    this.stage = null;
    /** @type {SVGGElement | null} */
    this.g = null;
    /** @type {Map<string, SVGElement>} */
    this.shapes = new Map();
    /** @type {Map<string, HTMLElement>} */
    this.rows = new Map();
    this.gesture = null;
    this.isActive = false;
    this.message = '';
    /** @type {string | null} the region being dragged (left out of the canvas) */
    this.dragId = null;
    /** @type {{value: any, items: any[], boxes: any[], grid: any} | null} */
    this._indexed = null;
    /** @type {Map<string, string>} canvas colours by label */
    this._colors = new Map();
  }

  // ------------------------------------------------------------ lifecycle

  connectedCallback() {
    this.classList.add('lw-tool', this.localName, 'region-tool');
    this.stage = this.closest('lw-image-stage');
    if (this.stage) {
      this.g = this.stage.addTool(this);
      this.shapeLayer = svg('g', { class: 'shapes' });
      this.overLayer = this.stage.topGroup(this);
      this.g.append(this.shapeLayer);
      this.g.classList.add(`layer-${this.localName}`);
      this.overLayer.classList.add(`layer-${this.localName}`);
    }
    this.render();
  }

  disconnectedCallback() {
    this.stage?.removeTool(this);
    this.stage = null;
    this.shapes.clear();
  }

  get title() {
    return `${this.constructor.kind}: ${this.config.name || ''}`;
  }

  get items() {
    return Array.isArray(this.value) ? this.value : [];
  }

  /** Whether this tool's regions are painted on the stage's canvas. */
  get usesCanvas() {
    return this.constructor.canvasShapes && Boolean(this.stage);
  }

  get imageWidth() {
    return this.stage?.width || 0;
  }

  get imageHeight() {
    return this.stage?.height || 0;
  }

  get labels() {
    return (this.config.labels || []).map((item, i) => {
      const name = typeof item === 'string' ? item : item.name;
      const color = (typeof item === 'object' && item.color) || LABEL_COLORS[i % LABEL_COLORS.length];
      return { name, color };
    });
  }

  colorOf(label) {
    return this.labels.find((l) => l.name === label)?.color || LABEL_COLORS[9];
  }

  get currentLabel() {
    const names = this.labels.map((l) => l.name);
    return this.label && names.includes(this.label) ? this.label : names[0] || null;
  }

  get editable() {
    return !this.readonly && Boolean(this.stage);
  }

  /** A fresh region id for this control. */
  newId(items = this.items) {
    return nextRegionId(items, this.constructor.prefix);
  }

  /** Default attributes for a new region (bools start false; others are left unset). */
  newAttributes() {
    const specs = this.config.attributes || {};
    if (!Object.keys(specs).length) return undefined;
    const out = {};
    for (const [name, kind] of Object.entries(specs)) if (kind === 'bool') out[name] = false;
    return out;
  }

  /**
   * Store a new list of regions (one undo step) and select one.
   * @param {any[]} items
   * @param {string | null} [selectId]
   */
  commit(items, selectId = this.selectedId) {
    this.selectedId = selectId;
    this.emit(items.length ? items : null);
  }

  /**
   * Replace one region (by id).
   * @param {any} item
   */
  replace(item) {
    this.commit(this.items.map((x) => (x.id === item.id ? item : x)), item.id);
  }

  // ------------------------------------------------------------ stage protocol

  activeChanged(active) {
    this.isActive = active;
    this.classList.toggle('active', active);
    this.g?.classList.toggle('active', active);
    this.overLayer?.classList.toggle('active', active);
    if (!active) this.cancelDraft?.();
    this.drawHandles();
    if (this.usesCanvas) this.stage.requestPaint();
  }

  viewChanged() {
    this.drawHandles();
  }

  imageReady() {
    this.draw();
  }

  hitTest(x, y, tol) {
    return this.hitId(x, y, tol) !== null;
  }

  /**
   * The regions as drawn, with their bounds and (once many are hit-tested) a grid index; built
   * again after every value change (draw() drops it).
   */
  indexed() {
    if (!this._indexed || this._indexed.value !== this._value) {
      const items = this.items;
      this._indexed = { value: this._value, items, boxes: items.map((item) => this.boundsOf(item)), grid: null };
    }
    return this._indexed;
  }

  /**
   * Axis-aligned bounds of a region in source pixels, for the hit-test index and canvas culling;
   * null = unknown (always a candidate).
   * @returns {{x0: number, y0: number, x1: number, y1: number} | null}
   */
  boundsOf(_item) {
    return null;
  }

  /** How far (source pixels) outside its bounds a region still takes a click (e.g. a dot). */
  hitPad() {
    return 0;
  }

  /** The topmost visible region under an image point. */
  hitId(x, y, tol = 0) {
    const index = this.indexed();
    const { items } = index;
    const hits = (item) => !this.hiddenIds.has(item.id) && this.hitItem(item, x, y, tol);
    if (items.length < INDEX_FROM) {
      for (let i = items.length - 1; i >= 0; i--) if (hits(items[i])) return items[i].id;
      return null;
    }
    if (!index.grid) index.grid = makeGridIndex(index.boxes);
    // 1.5 x tol: a rotated box's tolerance band pokes out of its bounds by up to tol * sqrt(2)
    for (const i of index.grid.at(x, y, 1.5 * tol + this.hitPad())) if (hits(items[i])) return items[i].id;
    return null;
  }

  hover(p) {
    if (this.gesture) return;
    const id = p ? this.hitId(p.x, p.y, this.stage.px(3)) : null;
    this.setHover(id);
  }

  keyDown(combo) {
    if (combo === 'Escape') {
      if (this.cancelDraft?.()) return true;
      if (this.selectedId) {
        this.select(null);
        return true;
      }
      return false;
    }
    if (combo === 'Ctrl+d') return this.duplicateSelected();
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const bare = combo.replace('Shift+', '');
    if (arrows[bare] && this.selectedId && !this.lockedIds.has(this.selectedId)) {
      const step = NUDGE[combo.startsWith('Shift+') ? 1 : 0];
      const item = this.items.find((x) => x.id === this.selectedId);
      if (item) this.replace(this.moveItem(item, arrows[bare][0] * step, arrows[bare][1] * step));
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------ workbench hooks

  /** A label hotkey: relabel the selected region, else pick the label for new ones. */
  applyKey(label) {
    if (!this.editable) return false;
    this.stage.activate(this);
    const item = this.items.find((x) => x.id === this.selectedId);
    this.label = label;
    if (item && item.label !== label && !this.lockedIds.has(item.id)) this.replace({ ...item, label });
    else this.renderLabels();
    return true;
  }

  /** Delete the selected region; returns whether one was deleted. */
  deleteSelected() {
    if (!this.editable || !this.isActive) return false;
    if (this.cancelLastPoint?.()) return true;
    if (!this.selectedId || this.lockedIds.has(this.selectedId)) return false;
    const items = this.items.filter((x) => x.id !== this.selectedId);
    this.commit(items, null);
    return true;
  }

  duplicateSelected() {
    const item = this.items.find((x) => x.id === this.selectedId);
    if (!item || !this.editable) return false;
    const copy = { ...this.moveItem(item, 10, 10), id: this.newId() };
    this.commit([...this.items, copy], copy.id);
    return true;
  }

  // ------------------------------------------------------------ selection and hover

  select(id) {
    const before = this.selectedId;
    this.selectedId = id;
    if (before && before !== id) {
      this.shapes.get(before)?.classList.remove('sel');
      this.rows.get(before)?.classList.remove('sel');
    }
    if (id) {
      this.shapes.get(id)?.classList.add('sel');
      this.showRow(id);
      this.rows.get(id)?.classList.add('sel');
      const item = this.items.find((x) => x.id === id);
      if (item) this.label = item.label;
    }
    this.renderLabels();
    this.renderEditor();
    this.syncLifted();
    this.drawHandles();
  }

  setHover(id) {
    if (id === this.hoverId) return;
    if (this.hoverId) {
      this.shapes.get(this.hoverId)?.classList.remove('hover');
      this.rows.get(this.hoverId)?.classList.remove('hover');
    }
    this.hoverId = id;
    if (id) {
      this.shapes.get(id)?.classList.add('hover');
      this.rows.get(id)?.classList.add('hover');
    }
    this.syncLifted();
    if (this.stage && this.isActive) this.stage.viewport.style.cursor = id ? 'move' : this.cursor || '';
  }

  // ------------------------------------------------------------ rendering

  render() {
    if (!this.panel) this.buildPanel();
    this._colors.clear();
    if (this.selectedId && !this.items.some((x) => x.id === this.selectedId)) this.selectedId = null;
    this.renderLabels();
    this.renderList();
    this.renderEditor();
    this.draw();
  }

  buildPanel() {
    this.panel = document.createElement('div');
    this.panel.className = 'rt-panel';
    this.labelBar = document.createElement('div');
    this.labelBar.className = 'rt-labels';
    this.labelBar.setAttribute('role', 'toolbar');
    this.labelBar.setAttribute('aria-label', `${this.config.name} labels`);
    this.extraBar = document.createElement('div');
    this.extraBar.className = 'rt-extra';
    this.warning = document.createElement('p');
    this.warning.className = 'rt-warning small';
    this.warning.setAttribute('role', 'status');
    this.editor = document.createElement('div');
    this.editor.className = 'rt-editor';
    this.list = document.createElement('ul');
    this.list.className = 'rt-list';
    this.list.addEventListener('scroll', () => {
      if (this.list.classList.contains('virtual') && !this._listFrame) {
        this._listFrame = requestAnimationFrame(() => {
          this._listFrame = 0;
          this.renderList();
        });
      }
    });
    this.list.setAttribute('aria-label', `${this.config.name} regions`);
    this.count = document.createElement('div');
    this.count.className = 'rt-count muted small';
    this.panel.append(this.labelBar, this.extraBar, this.warning, this.editor, this.count, this.list);
    this.replaceChildren(this.panel);
  }

  renderLabels() {
    if (!this.labelBar) return;
    const current = this.currentLabel;
    const buttons = this.labels.map(({ name, color }) => {
      const b = optionButton(name, this.keys.get(name), { 'aria-pressed': String(name === current), 'data-label': name });
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = color;
      b.prepend(sw);
      b.disabled = this.readonly;
      b.addEventListener('click', () => this.applyKey(name));
      return b;
    });
    this.labelBar.replaceChildren(...buttons);
    this.renderExtra?.();
    this.warning.textContent = this.message;
    this.warning.hidden = !this.message;
  }

  /**
   * The region list: every row, or for a long list (VIRTUAL_FROM) only the rows in view, between
   * two spacers standing in for the others so the scrollbar stays true.
   */
  renderList() {
    const all = this.items;
    const virtual = all.length >= VIRTUAL_FROM;
    this.list.classList.toggle('virtual', virtual);
    let items = all;
    let index = 0;
    if (virtual) {
      if (!this.spacers) {
        this.spacers = [0, 1].map(() => {
          const li = document.createElement('li');
          li.className = 'rt-spacer';
          li.setAttribute('aria-hidden', 'true');
          return li;
        });
      }
      const [above, below] = this.spacers;
      const top = this.list.scrollTop;
      const height = Math.min(this.list.clientHeight, 2000) || 10 * ROW_HEIGHT;
      const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - ROW_SLACK);
      const last = Math.min(all.length, Math.ceil((top + height) / ROW_HEIGHT) + ROW_SLACK);
      items = all.slice(first, last);
      above.style.height = `${first * ROW_HEIGHT}px`;
      below.style.height = `${(all.length - last) * ROW_HEIGHT}px`;
      if (this.list.firstChild !== above) this.list.prepend(above);
      this.list.append(below);
      index = 1;
    } else this.spacers?.forEach((li) => li.remove());
    const seen = new Set();
    for (const item of items) {
      seen.add(item.id);
      let row = this.rows.get(item.id);
      if (!row) {
        row = this.makeRow(item.id);
        this.rows.set(item.id, row);
      }
      if (row._item !== item) this.fillRow(row, item);
      row.classList.toggle('hover', item.id === this.hoverId);
      if (this.list.children[index] !== row) this.list.insertBefore(row, this.list.children[index] || null);
      index++;
    }
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    const n = all.length;
    this.count.textContent = n ? `${n} region${n === 1 ? '' : 's'}` : 'No regions yet — draw on the image.';
  }

  /** Scroll the region list to a region's row (built first when the list is long). */
  showRow(id) {
    if (this.list.classList.contains('virtual')) {
      const i = this.items.findIndex((x) => x.id === id);
      if (i < 0) return;
      const y = i * ROW_HEIGHT;
      const { scrollTop, clientHeight } = this.list;
      if (y < scrollTop) this.list.scrollTop = y;
      else if (y + ROW_HEIGHT > scrollTop + clientHeight) this.list.scrollTop = y + ROW_HEIGHT - clientHeight;
      this.renderList();
      return;
    }
    this.rows.get(id)?.scrollIntoView?.({ block: 'nearest' });
  }

  makeRow(id) {
    const row = document.createElement('li');
    row.dataset.region = id;
    const pick = document.createElement('button');
    pick.type = 'button';
    pick.className = 'rt-pick';
    const eye = document.createElement('button');
    eye.type = 'button';
    eye.className = 'rt-toggle rt-eye';
    const lock = document.createElement('button');
    lock.type = 'button';
    lock.className = 'rt-toggle rt-lock';
    row.append(pick, eye, lock);
    pick.addEventListener('click', () => {
      this.stage?.activate(this);
      this.select(this.selectedId === id ? null : id);
    });
    eye.addEventListener('click', () => this.toggle(this.hiddenIds, id));
    lock.addEventListener('click', () => this.toggle(this.lockedIds, id));
    row.addEventListener('pointerenter', () => this.setHover(id));
    row.addEventListener('pointerleave', () => this.setHover(null));
    return row;
  }

  fillRow(row, item) {
    row._item = item;
    const [pick, eye, lock] = row.children;
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = this.colorOf(item.label);
    const name = document.createElement('b');
    name.textContent = item.label;
    const id = document.createElement('span');
    id.className = 'muted';
    id.textContent = ` ${item.id}${this.describe(item)}`;
    pick.replaceChildren(sw, name, id);
    const hidden = this.hiddenIds.has(item.id);
    const locked = this.lockedIds.has(item.id);
    eye.replaceChildren(icon(hidden ? 'hidden' : 'shown'));
    eye.title = hidden ? 'Show' : 'Hide';
    eye.setAttribute('aria-pressed', String(hidden));
    eye.setAttribute('aria-label', `${hidden ? 'Show' : 'Hide'} ${item.id}`);
    lock.replaceChildren(icon(locked ? 'locked' : 'unlocked'));
    lock.title = locked ? 'Unlock' : 'Lock';
    lock.setAttribute('aria-pressed', String(locked));
    lock.setAttribute('aria-label', `${locked ? 'Unlock' : 'Lock'} ${item.id}`);
    row.classList.toggle('sel', item.id === this.selectedId);
    row.classList.toggle('is-hidden', hidden);
    row.classList.toggle('is-locked', locked);
  }

  /** A short description of a region for the list (subclasses). */
  describe(_item) {
    return '';
  }

  toggle(set, id) {
    if (set.has(id)) set.delete(id);
    else set.add(id);
    const row = this.rows.get(id);
    const item = this.items.find((x) => x.id === id);
    if (row && item) this.fillRow(row, item);
    const shape = this.shapes.get(id);
    if (shape) {
      shape.style.display = this.hiddenIds.has(id) ? 'none' : '';
      shape.classList.toggle('locked', this.lockedIds.has(id));
    }
    if (this.usesCanvas) {
      this.syncLifted();
      this.stage.requestPaint();
    }
    this.drawHandles();
  }

  renderEditor() {
    if (!this.editor) return;
    const item = this.items.find((x) => x.id === this.selectedId);
    if (!item) {
      this.editor.replaceChildren();
      this.editor.hidden = true;
      return;
    }
    this.editor.hidden = false;
    const disabled = this.readonly || this.lockedIds.has(item.id);
    const head = document.createElement('div');
    head.className = 'rt-editor-head';
    const title = document.createElement('b');
    title.textContent = `Selected ${item.id}`;
    head.append(title);
    if (!this.readonly) {
      const dup = document.createElement('button');
      dup.type = 'button';
      dup.className = 'btn btn-sm';
      dup.dataset.action = 'duplicate';
      dup.textContent = 'Duplicate';
      dup.title = 'Duplicate (Ctrl+D)';
      dup.addEventListener('click', () => this.duplicateSelected());
      const del = document.createElement('button');
      del.type = 'button';
      del.className = 'btn btn-sm btn-danger';
      del.dataset.action = 'delete-region';
      del.textContent = 'Delete';
      del.title = 'Delete (Del)';
      del.disabled = disabled;
      del.addEventListener('click', () => {
        this.stage?.activate(this);
        this.deleteSelected();
      });
      if (this.constructor.canDuplicate) head.append(dup);
      head.append(del);
    }
    const fields = [head, this.field('Label', this.labelSelect(item, disabled))];
    for (const extra of this.editorFields(item, disabled)) fields.push(extra);
    for (const [name, kind] of Object.entries(this.config.attributes || {})) {
      fields.push(this.field(name, this.attributeInput(item, name, kind, disabled)));
    }
    this.editor.replaceChildren(...fields);
  }

  /** Extra editor rows of a subclass (rotation, visibility ...). */
  editorFields(_item, _disabled) {
    return [];
  }

  field(text, input) {
    const label = document.createElement('label');
    label.className = 'rt-field';
    const span = document.createElement('span');
    span.textContent = text;
    label.append(span, input);
    return label;
  }

  labelSelect(item, disabled) {
    const select = document.createElement('select');
    select.name = 'label';
    for (const { name } of this.labels) {
      const o = document.createElement('option');
      o.value = name;
      o.textContent = name;
      o.selected = name === item.label;
      select.append(o);
    }
    select.disabled = disabled;
    select.addEventListener('change', () => this.replace({ ...item, label: select.value }));
    return select;
  }

  attributeInput(item, name, kind, disabled) {
    const current = item.attributes?.[name];
    const set = (value) => {
      const attributes = { ...(item.attributes || {}) };
      if (value === undefined) delete attributes[name];
      else attributes[name] = value;
      this.replace({ ...item, attributes });
    };
    let input;
    if (kind === 'bool') {
      input = document.createElement('input');
      input.type = 'checkbox';
      input.checked = current === true;
      input.addEventListener('change', () => set(input.checked));
    } else if (Array.isArray(kind)) {
      input = document.createElement('select');
      for (const v of ['', ...kind]) {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = v || '—';
        o.selected = v === (current ?? '');
        input.append(o);
      }
      input.addEventListener('change', () => set(input.value || undefined));
    } else if (kind === 'int' || kind === 'float') {
      input = document.createElement('input');
      input.type = 'number';
      input.step = kind === 'int' ? '1' : 'any';
      input.value = current ?? '';
      input.addEventListener('change', () => {
        const v = input.value === '' ? undefined : Number(input.value);
        set(v === undefined || Number.isNaN(v) ? undefined : kind === 'int' ? Math.round(v) : v);
      });
    } else {
      input = document.createElement('input');
      input.type = 'text';
      input.value = current ?? '';
      input.addEventListener('change', () => set(input.value === '' ? undefined : input.value));
    }
    input.name = `attr-${name}`;
    input.disabled = disabled;
    return input;
  }

  // ------------------------------------------------------------ drawing

  /** Bring the drawing in line with the value: only changed SVG shapes are touched. */
  draw() {
    if (!this.shapeLayer) return;
    this._indexed = null;
    if (this.usesCanvas) {
      this.syncLifted();
      this.stage.requestPaint();
      this.drawHandles();
      return;
    }
    const seen = new Set();
    for (const item of this.items) {
      seen.add(item.id);
      let el = this.shapes.get(item.id);
      if (!el) {
        el = this.createShape(item);
        el.dataset.region = item.id;
        el.classList.add('shape');
        this.shapes.set(item.id, el);
        this.shapeLayer.append(el);
      }
      if (el._item !== item) {
        el._item = item;
        el.style.setProperty('--c', this.colorOf(item.label));
        this.updateShape(el, item);
      }
      el.classList.toggle('sel', item.id === this.selectedId);
      el.style.display = this.hiddenIds.has(item.id) ? 'none' : '';
    }
    for (const [id, el] of this.shapes) {
      if (!seen.has(id)) {
        el.remove();
        this.shapes.delete(id);
      }
    }
    this.drawHandles();
  }

  /**
   * Canvas mode: the hovered and the selected region as SVG shapes over the canvas (the selected
   * one on top); every other region is only painted.
   */
  syncLifted() {
    if (!this.usesCanvas || !this.shapeLayer) return;
    /** @type {Map<string, any>} */
    const want = new Map();
    for (const id of [this.hoverId, this.selectedId]) {
      if (!id || id === this.dragId || this.hiddenIds.has(id) || want.has(id)) continue;
      const item = this.indexed().items.find((x) => x.id === id);
      if (item) want.set(id, item);
    }
    for (const [id, el] of this.shapes) {
      if (!want.has(id)) {
        el.remove();
        this.shapes.delete(id);
      }
    }
    for (const [id, item] of want) {
      let el = this.shapes.get(id);
      if (!el) {
        el = this.createShape(item);
        el.dataset.region = id;
        el.classList.add('shape');
        this.shapes.set(id, el);
      }
      if (el._item !== item) {
        el._item = item;
        el.style.setProperty('--c', this.colorOf(item.label));
        this.updateShape(el, item);
      }
      el.classList.toggle('sel', id === this.selectedId);
      el.classList.toggle('hover', id === this.hoverId);
      el.classList.toggle('locked', this.lockedIds.has(id));
      if (this.shapeLayer.lastChild !== el) this.shapeLayer.append(el);
    }
  }

  /** Canvas colour of a label (null: the colour of invalid regions). */
  canvasColor(label) {
    let color = this._colors.get(label);
    if (!color) {
      color = resolveColor(label === null ? 'var(--danger, #dc2626)' : this.colorOf(label), this);
      this._colors.set(label, color);
    }
    return color;
  }

  /**
   * Paint one region on the canvas in viewport pixels (canvas mode); colour and dash are set.
   * @param {CanvasRenderingContext2D} _ctx
   * @param {any} _item
   * @param {{scale: number, tx: number, ty: number}} _view
   * @param {{fill: number, stroke: number}} _alpha
   */
  paintItem(_ctx, _item, _view, _alpha) {}

  /** Whether a region is drawn as invalid (red, dashed): a polygon that crosses itself. */
  isBad(_item) {
    return false;
  }

  /**
   * Paint the visible regions on the stage's canvas (canvas mode), in order, each filled and
   * stroked like the SVG shapes (image.css) but in screen space, so a repaint of thousands of
   * regions is a few milliseconds.
   * @param {CanvasRenderingContext2D} ctx in viewport pixels
   * @param {{scale: number, tx: number, ty: number}} view
   * @param {{x0: number, y0: number, x1: number, y1: number}} rect the visible part of the image
   */
  paint(ctx, view, rect) {
    if (!this.usesCanvas) return;
    const { items, boxes } = this.indexed();
    const normal = { fill: PAINT.fill, stroke: this.isActive ? 1 : PAINT.inactive };
    const invalid = { fill: PAINT.badFill, stroke: normal.stroke };
    ctx.lineWidth = this.constructor.lineWidth;
    let color = '';
    let dash = '';
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.id === this.dragId || this.hiddenIds.has(item.id)) continue;
      if (boxes[i] && !boundsIntersect(boxes[i], rect)) continue;
      const bad = this.isBad(item);
      const c = bad ? this.canvasColor(null) : this.canvasColor(item.label);
      if (c !== color) {
        color = c;
        ctx.fillStyle = c;
        ctx.strokeStyle = c;
      }
      const d = bad ? 'bad' : this.lockedIds.has(item.id) ? 'locked' : '';
      if (d !== dash) {
        dash = d;
        ctx.setLineDash(d === 'bad' ? PAINT.badDash : d === 'locked' ? PAINT.lockedDash : []);
      }
      this.paintItem(ctx, item, view, bad ? invalid : normal);
    }
  }

  /** @returns {SVGElement} */
  createShape(_item) {
    throw new Error('createShape is implemented by each region tool');
  }

  updateShape(_el, _item) {}

  hitItem(_item, _x, _y, _tol) {
    return false;
  }

  drawHandles() {}

  /** The region translated by (dx, dy) in source pixels, kept inside the image. */
  moveItem(item, _dx, _dy) {
    return item;
  }

  /** Handle circles of `r` screen pixels at image points, in the over layer. */
  handleDots(points, { cls = 'handle', data = 'handle' } = {}) {
    const r = this.stage.px(4.5);
    return points.map(([name, [x, y]]) => {
      const c = svg('circle', { cx: x, cy: y, r, class: cls });
      c.dataset[data] = name;
      return c;
    });
  }

  /**
   * Start dragging a region: its shape is hidden and a copy follows the pointer in the top
   * layer, so the thousands of other shapes are not repainted at every step.
   * @returns {SVGElement} the copy
   */
  startGhost(item) {
    if (this.usesCanvas) {
      this.dragId = item.id;
      this.syncLifted();
      this.stage.requestPaint();
      const ghost = this.createShape(item);
      this.updateShape(ghost, item);
      ghost.classList.add('shape', 'sel', 'dragging');
      ghost.style.setProperty('--c', this.colorOf(item.label));
      return ghost;
    }
    const el = this.shapes.get(item.id);
    const ghost = /** @type {SVGElement} */ (el ? el.cloneNode(false) : this.createShape(item));
    ghost.classList.add('shape', 'sel', 'dragging');
    ghost.style.setProperty('--c', this.colorOf(item.label));
    if (el) el.style.visibility = 'hidden';
    return ghost;
  }

  /** End a drag: show the region's own shape again. */
  endGhost(item) {
    if (this.usesCanvas) {
      if (this.dragId) {
        this.dragId = null;
        this.syncLifted();
        this.stage.requestPaint();
      }
      return;
    }
    const el = item && this.shapes.get(item.id);
    if (el) el.style.visibility = '';
  }

  selectedItem() {
    return this.items.find((x) => x.id === this.selectedId) || null;
  }
}
