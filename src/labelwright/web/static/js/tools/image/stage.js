// <lw-image-stage>: one image with zoom and pan, and an overlay several tools draw on at once.
//
// Stage API (stable; the document tools build on it)
// ----------------------------------------------------
//   const stage = document.createElement('lw-image-stage');
//   stage.setImage({src, previewSrc?, width, height})
//       Show an image whose source size is width x height pixels. `src` (a URL, or an async
//       function returning one, e.g. a fresh signed URL) is the full image; when `previewSrc` is
//       given it is shown first and `src` is fetched once the zoom needs more pixels. Unknown
//       sizes (null) are read from the loaded image (then it must not be a preview).
//   await stage.load(data)
//       setImage() from an image object's task data: a "media:<sha256>" reference (resolved by
//       the media endpoint: signed URL, downscaled preview, size), a URL, or
//       {src|url, width?, height?}. Returns {width, height}.
//   stage.dock(element)            put a panel (a tool's controls) in the side dock
//   stage.addTool(tool) / stage.removeTool(tool)
//       Attach a tool; returns its own SVG group `g` (children in source-pixel coordinates).
//   stage.topGroup(tool) -> SVGGElement
//       The tool's group in a second SVG above all tools, for handles, drafts and the shape
//       being dragged: changing it does not repaint the (possibly thousands of) other shapes.
//       A tool is any object with (all optional but `title`):
//         title: string                       its name on the tool switcher
//         hitTest(x, y, tol) -> boolean        does a region of it lie under the image point?
//         pointerDown(p, event) -> boolean     take a gesture; p = {x, y, sx, sy} (image and
//                                              viewport-screen coordinates); true = captured,
//                                              then pointerMove(p, e) / pointerUp(p, e) follow
//         doubleClick(p, event), hover(p | null), keyDown(combo, event) -> boolean
//         viewChanged(view), activeChanged(isActive), imageReady(width, height)
//         cursor: string                       CSS cursor while it is active
//         paint(ctx, view, rect)               draw its regions on the stage's shared region
//                                              canvas (under the SVG overlays) in viewport
//                                              pixels: screen = image * view.scale + view.t;
//                                              rect = {x0, y0, x1, y1} is the visible part of
//                                              the image in source pixels (skip what is outside)
//   stage.requestPaint()
//       Repaint the region canvas on the next animation frame (a tool's regions changed). The
//       canvas is screen-sized: after a zoom or pan step it follows the view as a CSS transform
//       and is repainted once the steps settle (SETTLE_MS), and every PAINT_EVERY_MS while a
//       gesture goes on.
//   stage.addCanvas(tool) -> {canvas, ctx, factor}
//       A canvas over the image (for masks); one canvas pixel covers factor x factor source
//       pixels (factor > 1 only for very large images).
//   stage.activate(tool) / stage.active    the tool that gets pointer gestures and keys
//   stage.view {scale, tx, ty}; stage.setView(v); stage.fit(); stage.actualSize();
//   stage.zoomBy(factor, sx?, sy?)
//   stage.toImage(clientX, clientY) -> [x, y]; stage.clientOf(x, y) -> [clientX, clientY]
//   stage.px(n) -> n screen pixels in source pixels (handle sizes that stay constant on screen)
//   stage.width, stage.height       source size (0 until known)
//   stage.readonly                   no tool gestures; zoom and pan still work
// Keys while the pointer last worked on this stage: + / - zoom, Ctrl+0 fit, Ctrl+1 actual size,
// Space + drag (or middle button drag) pans, the wheel zooms at the pointer; other keys go to
// the active tool's keyDown.
// Events: 'lw-stage-view' (detail: view) after every zoom or pan, 'lw-stage-ready' (detail:
// {width, height}) when the size is known. They are stage events, not tool changes.

import { api } from '../../lib/api.js';
import { actualSizeView, fitView, panBy, toImage, zoomAt } from '../../lib/geometry.js';
import { comboOf } from '../../lib/hotkeys.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Longest side of the downscaled preview asked from the server. */
export const PREVIEW_SIDE = 2048;
/** Canvas layers stay under this many pixels (a 8000x6000 mask canvas is drawn at half size). */
const MAX_CANVAS_PIXELS = 12_000_000;
/** The region canvas is repainted this long after the last step of a pan or wheel zoom ... */
const SETTLE_MS = 90;
/** ... and at least this often while the gesture goes on, so uncovered edges fill in. */
const PAINT_EVERY_MS = 200;

/** @type {LwImageStage | null} the stage keyboard shortcuts go to */
let current = null;

/**
 * Create an SVG element.
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function isTyping(target) {
  const el = /** @type {HTMLElement} */ (target);
  return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/**
 * What the stage needs to show an image object's task data.
 * @param {any} data
 * @returns {Promise<{src: string | (() => Promise<string>), previewSrc: string | null, width: number | null, height: number | null}>}
 */
export async function resolveImage(data) {
  const ref = typeof data === 'string' ? data : data && (data.src ?? data.url);
  const width = (data && typeof data === 'object' && data.width) || null;
  const height = (data && typeof data === 'object' && data.height) || null;
  if (typeof ref !== 'string' || !ref) throw new Error('The task has no image reference.');
  if (!ref.startsWith('media:')) return { src: ref, previewSrc: null, width, height };
  const sha = ref.slice(6);
  const info = await api('GET', `/media/${sha}/url`, { query: { preview: PREVIEW_SIDE } });
  const fresh = async () => (await api('GET', `/media/${sha}/url`)).url;
  return {
    src: info.preview_url ? fresh : info.url,
    previewSrc: info.preview_url || null,
    width: width || info.width || null,
    height: height || info.height || null,
  };
}

export class LwImageStage extends HTMLElement {
  constructor() {
    super();
    this.width = 0;
    this.height = 0;
    /** @type {{scale: number, tx: number, ty: number}} */
    this.view = { scale: 1, tx: 0, ty: 0 };
    /** @type {any[]} */
    this.tools = [];
    /** @type {Map<any, SVGGElement>} */
    this.groups = new Map();
    this.active = null;
    this.readonly = false;
    this._built = false;
    this._fitted = false;
    this._gesture = null;
    this._space = false;
    this._full = null; // full-resolution src (string or async function)
    this._fullLoaded = false;
    this._previewWidth = 0;
    this._paintFrame = 0;
    this._settleTimer = 0;
    this._paintedAt = 0;
    this._movedAt = 0;
    this._burstAt = 0;
    /** @type {{scale: number, tx: number, ty: number} | null} the view the region canvas shows */
    this._paintedView = null;
    this._onKeyDown = (e) => this._key(e, true);
    this._onKeyUp = (e) => this._key(e, false);
  }

  connectedCallback() {
    this._build();
    document.addEventListener('keydown', this._onKeyDown);
    document.addEventListener('keyup', this._onKeyUp);
    if (!current || !current.isConnected) current = this;
    this._resizeObserver = new ResizeObserver(() => {
      if (!this._fitted && this.width) this.fit();
      this.requestPaint();
    });
    this._resizeObserver.observe(this.viewport);
  }

  disconnectedCallback() {
    document.removeEventListener('keydown', this._onKeyDown);
    document.removeEventListener('keyup', this._onKeyUp);
    this._resizeObserver?.disconnect();
    cancelAnimationFrame(this._paintFrame);
    this._paintFrame = 0;
    clearTimeout(this._settleTimer);
    if (current === this) current = null;
  }

  _build() {
    if (this._built) return;
    this._built = true;
    this.classList.add('stage');
    this.bar = document.createElement('div');
    this.bar.className = 'stage-bar';
    this.switcher = document.createElement('div');
    this.switcher.className = 'stage-tools';
    this.switcher.setAttribute('role', 'toolbar');
    this.switcher.setAttribute('aria-label', 'Tools');
    const zoom = document.createElement('div');
    zoom.className = 'stage-zoom';
    const button = (text, title, action, attrs = {}) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn btn-sm';
      b.textContent = text;
      b.title = title;
      for (const [k, v] of Object.entries(attrs)) b.setAttribute(k, v);
      b.addEventListener('click', action);
      return b;
    };
    this.zoomLabel = document.createElement('span');
    this.zoomLabel.className = 'stage-zoom-label muted small';
    zoom.append(
      button('−', 'Zoom out (-)', () => this.zoomBy(1 / 1.25), { 'data-zoom': 'out', 'aria-label': 'Zoom out' }),
      this.zoomLabel,
      button('+', 'Zoom in (+)', () => this.zoomBy(1.25), { 'data-zoom': 'in', 'aria-label': 'Zoom in' }),
      button('Fit', 'Fit the image (Ctrl+0)', () => this.fit(), { 'data-zoom': 'fit' }),
      button('1:1', 'Actual size (Ctrl+1)', () => this.actualSize(), { 'data-zoom': 'actual' }),
    );
    this.bar.append(this.switcher, zoom);

    const body = document.createElement('div');
    body.className = 'stage-body';
    this.viewport = document.createElement('div');
    this.viewport.className = 'stage-viewport';
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('aria-label', 'Image; wheel to zoom, Space or middle button and drag to pan');
    this.world = document.createElement('div');
    this.world.className = 'stage-world';
    this.img = document.createElement('img');
    this.img.className = 'stage-img';
    this.img.alt = '';
    this.img.draggable = false;
    this.world.append(this.img);
    this.regionCanvas = document.createElement('canvas');
    this.regionCanvas.className = 'stage-regions';
    this.regionCtx = /** @type {CanvasRenderingContext2D} */ (this.regionCanvas.getContext('2d'));
    this.overlay = /** @type {SVGSVGElement} */ (svg('svg', { class: 'stage-overlay' }));
    this.root = /** @type {SVGGElement} */ (svg('g', { class: 'stage-root' }));
    this.overlay.append(this.root);
    this.overlayTop = /** @type {SVGSVGElement} */ (svg('svg', { class: 'stage-overlay stage-overlay-top' }));
    this.rootTop = /** @type {SVGGElement} */ (svg('g', { class: 'stage-root' }));
    this.overlayTop.append(this.rootTop);
    /** @type {Map<any, SVGGElement>} */
    this.topGroups = new Map();
    this.status = document.createElement('div');
    this.status.className = 'stage-status small';
    this.viewport.append(this.world, this.regionCanvas, this.overlay, this.overlayTop, this.status);
    this.dockArea = document.createElement('div');
    this.dockArea.className = 'stage-dock';
    body.append(this.viewport, this.dockArea);
    const hint = document.createElement('div');
    hint.className = 'stage-hint muted small';
    hint.textContent = 'Wheel or +/− to zoom · Space+drag or middle-drag to pan · Ctrl+0 fit · Ctrl+1 actual size';
    this.append(this.bar, body, hint);

    const vp = this.viewport;
    vp.addEventListener('pointerdown', (e) => this._down(e));
    vp.addEventListener('pointermove', (e) => this._move(e));
    vp.addEventListener('pointerup', (e) => this._up(e));
    vp.addEventListener('pointercancel', (e) => this._up(e));
    vp.addEventListener('pointerleave', () => this.active?.hover?.(null));
    vp.addEventListener('dblclick', (e) => {
      if (!this.readonly && this.active?.doubleClick) this.active.doubleClick(this._point(e), e);
    });
    vp.addEventListener('wheel', (e) => this._wheel(e), { passive: false });
    vp.addEventListener('contextmenu', (e) => e.preventDefault());
    vp.addEventListener('pointerenter', () => (current = this));
  }

  // ------------------------------------------------------------ image

  /**
   * @param {{src: string | (() => Promise<string>), previewSrc?: string | null, width?: number | null, height?: number | null}} image
   * @returns {Promise<{width: number, height: number}>}
   */
  setImage({ src, previewSrc = null, width = null, height = null }) {
    this._build();
    this._full = src;
    this._fullLoaded = !previewSrc;
    this._fitted = false;
    const first = previewSrc || (typeof src === 'string' ? src : null);
    return new Promise((resolve, reject) => {
      const done = () => {
        this.width = width || this.img.naturalWidth;
        this.height = height || this.img.naturalHeight;
        this._previewWidth = this.img.naturalWidth;
        this._sizeWorld();
        this._paintedView = null; // a new image: paint at once, not after the view settles
        this.fit();
        this.dataset.ready = 'true';
        for (const tool of this.tools) tool.imageReady?.(this.width, this.height);
        this.dispatchEvent(new CustomEvent('lw-stage-ready', { detail: { width: this.width, height: this.height } }));
        resolve({ width: this.width, height: this.height });
      };
      this.img.onload = () => {
        this.img.onload = null;
        done();
      };
      this.img.onerror = () => {
        this.status.textContent = 'The image could not be loaded.';
        reject(new Error('The image could not be loaded.'));
      };
      if (first) this.img.src = first;
      else Promise.resolve(/** @type {() => Promise<string>} */ (src)()).then((url) => (this.img.src = url), reject);
    });
  }

  /**
   * Resolve an image object's task data and show it.
   * @param {any} data
   */
  async load(data) {
    this._build();
    this.status.textContent = 'Loading image…';
    try {
      const info = await resolveImage(data);
      const size = await this.setImage(info);
      this.status.textContent = '';
      return size;
    } catch (err) {
      this.status.textContent = `Image unavailable: ${err.message}`;
      throw err;
    }
  }

  _sizeWorld() {
    this.img.style.width = `${this.width}px`;
    this.img.style.height = `${this.height}px`;
  }

  /** Swap the preview for the full image once the zoom shows more pixels than it has. */
  _maybeLoadFull() {
    if (this._fullLoaded || !this._full || !this.width) return;
    if (this.view.scale * this.width <= this._previewWidth * 1.05) return;
    this._fullLoaded = true;
    const full = new Image();
    full.onload = () => {
      this.img.src = full.src;
      this.dataset.full = 'true';
    };
    full.onerror = () => (this._fullLoaded = false);
    Promise.resolve(typeof this._full === 'string' ? this._full : this._full()).then((url) => (full.src = url));
  }

  // ------------------------------------------------------------ tools and panels

  /** @param {HTMLElement} element */
  dock(element) {
    this._build();
    this.dockArea.append(element);
  }

  /**
   * @param {any} tool
   * @returns {SVGGElement} the tool's own group, in source pixels
   */
  addTool(tool) {
    this._build();
    if (this.groups.has(tool)) return /** @type {SVGGElement} */ (this.groups.get(tool));
    const g = /** @type {SVGGElement} */ (svg('g', { class: 'stage-layer' }));
    this.root.append(g);
    this.groups.set(tool, g);
    this.tools.push(tool);
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn btn-sm stage-tool';
    b.textContent = tool.title || 'Tool';
    b.dataset.tool = tool.title || '';
    b.addEventListener('click', () => this.activate(tool));
    tool._stageButton = b;
    this.switcher.append(b);
    if (!this.active) this.activate(tool);
    else this._syncButtons();
    if (this.width) {
      tool.imageReady?.(this.width, this.height);
      tool.viewChanged?.(this.view);
    }
    return g;
  }

  /**
   * @param {any} tool
   * @returns {SVGGElement} the tool's group in the top SVG
   */
  topGroup(tool) {
    let g = this.topGroups.get(tool);
    if (!g) {
      g = /** @type {SVGGElement} */ (svg('g', { class: 'stage-layer' }));
      this.rootTop.append(g);
      this.topGroups.set(tool, g);
    }
    return g;
  }

  /** @param {any} tool */
  removeTool(tool) {
    this.topGroups.get(tool)?.remove();
    this.topGroups.delete(tool);
    this.groups.get(tool)?.remove();
    this.groups.delete(tool);
    tool._stageButton?.remove();
    tool._stageCanvas?.canvas.remove();
    this.tools = this.tools.filter((t) => t !== tool);
    this.requestPaint();
    if (this.active === tool) this.activate(this.tools[0] || null);
  }

  /**
   * A canvas over the image for a tool (masks), sized to the image (downscaled when huge).
   * @param {any} tool
   * @returns {{canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, factor: number}}
   */
  addCanvas(tool) {
    if (tool._stageCanvas) return tool._stageCanvas;
    const factor = Math.max(1, Math.ceil(Math.sqrt((this.width * this.height) / MAX_CANVAS_PIXELS)));
    const canvas = document.createElement('canvas');
    canvas.className = 'stage-canvas';
    canvas.width = Math.max(1, Math.ceil(this.width / factor));
    canvas.height = Math.max(1, Math.ceil(this.height / factor));
    canvas.style.width = `${this.width}px`;
    canvas.style.height = `${this.height}px`;
    this.world.append(canvas);
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    tool._stageCanvas = { canvas, ctx, factor };
    return tool._stageCanvas;
  }

  /** @param {any} tool */
  activate(tool) {
    if (this.active === tool) return;
    const previous = this.active;
    this.active = tool;
    previous?.activeChanged?.(false);
    tool?.activeChanged?.(true);
    this.viewport.style.cursor = tool?.cursor || '';
    this._syncButtons();
    current = this;
  }

  _syncButtons() {
    for (const t of this.tools) t._stageButton?.setAttribute('aria-pressed', String(t === this.active));
    this.switcher.hidden = this.tools.length < 2;
  }

  // ------------------------------------------------------------ view

  /** @param {{scale: number, tx: number, ty: number}} view */
  setView(view) {
    this.view = view;
    const { scale, tx, ty } = view;
    this.world.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
    for (const root of [this.root, this.rootTop]) {
      root.setAttribute('transform', `matrix(${scale} 0 0 ${scale} ${tx} ${ty})`);
      root.style.setProperty('--px', String(1 / scale));
    }
    const painted = this._paintedView;
    if (painted) {
      // the painted canvas follows the view at once; a repaint sharpens it (see _viewMoved)
      const k = scale / painted.scale;
      this.regionCanvas.style.transform = `translate(${tx - k * painted.tx}px, ${ty - k * painted.ty}px) scale(${k})`;
    }
    this._viewMoved();
    this.zoomLabel.textContent = `${Math.round(scale * 100)}%`;
    this.world.classList.toggle('pixelated', scale >= 2);
    for (const tool of this.tools) tool.viewChanged?.(view);
    this._maybeLoadFull();
    this.dispatchEvent(new CustomEvent('lw-stage-view', { detail: view }));
  }

  fit() {
    if (!this.width) return;
    const { clientWidth, clientHeight } = this.viewport;
    if (!clientWidth || !clientHeight) return;
    this._fitted = true;
    this.setView(fitView(this.width, this.height, clientWidth, clientHeight));
  }

  actualSize() {
    if (!this.width) return;
    this.setView(actualSizeView(this.view, this.viewport.clientWidth, this.viewport.clientHeight));
  }

  /**
   * @param {number} factor
   * @param {number} [sx] viewport x to keep in place (default: centre)
   * @param {number} [sy]
   */
  zoomBy(factor, sx, sy) {
    const x = sx ?? this.viewport.clientWidth / 2;
    const y = sy ?? this.viewport.clientHeight / 2;
    this.setView(zoomAt(this.view, factor, x, y));
  }

  // ------------------------------------------------------------ region canvas

  /** Repaint the region canvas on the next animation frame. */
  requestPaint() {
    if (this._paintFrame) return;
    this._paintFrame = requestAnimationFrame(() => {
      this._paintFrame = 0;
      this._paint();
    });
  }

  /**
   * After a zoom or pan step the painted canvas is only moved (a CSS transform, set by setView);
   * it is painted again once the steps settle, and every PAINT_EVERY_MS during a long gesture.
   */
  _viewMoved() {
    if (!this._paintedView) return this.requestPaint();
    const now = performance.now();
    if (now - this._movedAt > SETTLE_MS) this._burstAt = now;
    this._movedAt = now;
    clearTimeout(this._settleTimer);
    this._settleTimer = setTimeout(() => this.requestPaint(), SETTLE_MS);
    if (now - Math.max(this._paintedAt, this._burstAt) > PAINT_EVERY_MS) this.requestPaint();
  }

  _paint() {
    clearTimeout(this._settleTimer);
    this._paintedAt = performance.now();
    const canvas = this.regionCanvas;
    const ctx = this.regionCtx;
    const dpr = window.devicePixelRatio || 1;
    const w = this.viewport.clientWidth;
    const h = this.viewport.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
    }
    canvas.style.transform = '';
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!this.width) return;
    const view = { ...this.view };
    this._paintedView = view;
    const [x0, y0] = toImage(view, 0, 0);
    const [x1, y1] = toImage(view, w, h);
    const margin = this.px(8);
    const rect = { x0: x0 - margin, y0: y0 - margin, x1: x1 + margin, y1: y1 + margin };
    for (const tool of this.tools) {
      if (!tool.paint) continue;
      ctx.save();
      // screen space, not the view's transform: strokes stay crisp and cheap at any zoom
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      tool.paint(ctx, view, rect);
      ctx.restore();
    }
  }

  /** @param {number} n screen pixels @returns {number} source pixels */
  px(n) {
    return n / this.view.scale;
  }

  /** @returns {[number, number]} */
  toImage(clientX, clientY) {
    const r = this.viewport.getBoundingClientRect();
    return toImage(this.view, clientX - r.left, clientY - r.top);
  }

  /** @returns {[number, number]} */
  clientOf(x, y) {
    const r = this.viewport.getBoundingClientRect();
    return [r.left + x * this.view.scale + this.view.tx, r.top + y * this.view.scale + this.view.ty];
  }

  // ------------------------------------------------------------ input

  _point(e) {
    const r = this.viewport.getBoundingClientRect();
    const sx = e.clientX - r.left;
    const sy = e.clientY - r.top;
    const [x, y] = toImage(this.view, sx, sy);
    return { x, y, sx, sy };
  }

  _down(e) {
    current = this;
    this.viewport.focus({ preventScroll: true });
    if (!this.width) return;
    const p = this._point(e);
    const pan = e.button === 1 || (e.button === 0 && this._space);
    if (!pan && e.button === 0 && !this.readonly) {
      let tool = this.active;
      if (tool && tool.pointerDown?.(p, e)) return this._capture(e, { tool });
      // a region of another tool under the pointer: switch to that tool
      for (let i = this.tools.length - 1; i >= 0; i--) {
        const other = this.tools[i];
        if (other !== this.active && other.hitTest?.(p.x, p.y, this.px(4))) {
          this.activate(other);
          tool = other;
          if (tool.pointerDown?.(p, e)) return this._capture(e, { tool });
          return;
        }
      }
    }
    if (pan || e.button === 0) {
      this._capture(e, { pan: true, sx: p.sx, sy: p.sy, view: this.view });
      this.viewport.classList.add('panning');
    }
  }

  _capture(e, gesture) {
    e.preventDefault();
    this._gesture = { ...gesture, id: e.pointerId };
    try {
      this.viewport.setPointerCapture(e.pointerId);
    } catch {
      // synthetic events (tests, benchmarks) have no capturable pointer
    }
  }

  _move(e) {
    const g = this._gesture;
    const p = this._point(e);
    if (!g) {
      if (!this.readonly) this.active?.hover?.(p);
      return;
    }
    if (g.pan) this.setView(panBy(g.view, p.sx - g.sx, p.sy - g.sy));
    else g.tool.pointerMove?.(p, e);
  }

  _up(e) {
    const g = this._gesture;
    if (!g || g.id !== e.pointerId) return;
    this._gesture = null;
    this.viewport.classList.remove('panning');
    if (!g.pan) g.tool.pointerUp?.(this._point(e), e);
  }

  _wheel(e) {
    if (!this.width) return;
    e.preventDefault();
    const p = this._point(e);
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    this.zoomBy(Math.exp(-delta * 0.0015), p.sx, p.sy);
  }

  _key(e, down) {
    if (current !== this || !this.width || document.querySelector('dialog[open]')) return;
    if (e.key === ' ' && !isTyping(e.target)) {
      if (e.target instanceof HTMLButtonElement) return;
      this._space = down;
      this.viewport.classList.toggle('pan-ready', down);
      e.preventDefault();
      return;
    }
    if (!down || isTyping(e.target)) return;
    const combo = comboOf(e);
    const run = (fn) => {
      e.preventDefault();
      fn();
    };
    if (combo === '+' || combo === '=') return run(() => this.zoomBy(1.25));
    if (combo === '-' || combo === '_') return run(() => this.zoomBy(1 / 1.25));
    if (combo === 'Ctrl+0') return run(() => this.fit());
    if (combo === 'Ctrl+1') return run(() => this.actualSize());
    if (!this.readonly && this.active?.keyDown?.(combo, e)) e.preventDefault();
  }
}

customElements.define('lw-image-stage', LwImageStage);
