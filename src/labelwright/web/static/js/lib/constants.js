// Event names, selectors, storage keys and shortcuts shared by the pages and the tools.

/** The one event every tool emits: detail = {control, value}. */
export const CHANGE_EVENT = 'lw-change';

/**
 * A region tool tells the page that the user clicked one of its regions (relation drawing):
 * detail = {control, id}. Not a value change, so not CHANGE_EVENT.
 */
export const REGION_EVENT = 'lw-region-select';

export const API = '/api/v1';

/** localStorage key prefixes. */
export const DRAFT_PREFIX = 'lw:draft:';
export const OUTBOX_KEY = 'lw:outbox';

/** Action shortcuts of the workbench (labels get their own keys from the schema). */
export const ACTION_KEYS = Object.freeze({
  submit: 'Ctrl+Enter',
  skip: 'Alt+S',
  release: 'Alt+R',
  escalate: 'Alt+E',
  undo: 'Ctrl+Z',
  redo: 'Ctrl+Y',
  guidelines: 'G',
  deleteRegion: 'Delete',
  accept: 'Alt+A',
  reject: 'Alt+J',
  fix: 'Alt+F',
});

/** Keys handed out to labels and options without an explicit hotkey, in order. */
export const AUTO_KEYS = Object.freeze('1234567890qwertyuiopasdfhjklzxcvbnm'.split(''));

/** Single keys the workbench keeps for itself (never given to labels). */
export const RESERVED_KEYS = Object.freeze(['g', '?']);

/** Colours of labels, by index (CSS custom properties defined in app.css). */
export const LABEL_COLORS = Object.freeze(
  ['--l0', '--l1', '--l2', '--l3', '--l4', '--l5', '--l6', '--l7', '--l8', '--l9'].map(
    (v) => `var(${v})`,
  ),
);

export const RETRY_MS = 1500;

/** Custom element names, by control type. */
export const TOOL_TAGS = Object.freeze({
  choice: 'lw-choice',
  choices: 'lw-choices',
  rating: 'lw-rating',
  rubric: 'lw-rubric',
  number: 'lw-number',
  textarea: 'lw-textarea',
  spans: 'lw-spans',
  relations: 'lw-relations',
  pairwise: 'lw-pairwise',
  ranking: 'lw-ranking',
  boxes: 'lw-boxes',
  polygons: 'lw-polygons',
  keypoints: 'lw-keypoints',
  masks: 'lw-masks',
  regions: 'lw-regions',
  fields: 'lw-fields',
});

/**
 * Keys of the image stage and its region tools, listed in the workbench's shortcuts when a task
 * shows an image or a document: {keys, what, types, edit}. `types` are the control types a key
 * belongs to (null: the stage itself, any image), `edit` whether it changes the value (not shown
 * in read-only review), `rotation` whether only boxes that may rotate use it.
 */
export const IMAGE_SHORTCUTS = Object.freeze([
  { keys: ['+', '-'], what: 'Zoom in / out (or the wheel)', types: null, edit: false },
  { keys: ['Ctrl+0'], what: 'Fit the image', types: null, edit: false },
  { keys: ['Ctrl+1'], what: 'Actual size (1:1)', types: null, edit: false },
  { keys: ['Space'], what: 'Hold and drag to pan (or drag with the middle button)', types: null, edit: false },
  { keys: ['Escape'], what: 'Deselect the region, cancel a drawing', types: null, edit: true },
  { keys: ['Delete'], what: 'Delete the selected region', types: null, edit: true },
  { keys: ['Ctrl+D'], what: 'Duplicate the selected region', types: ['boxes', 'polygons', 'keypoints', 'regions'], edit: true },
  { keys: ['←', '→', '↑', '↓'], what: 'Nudge the selected region 1 px (with Shift 10 px)', types: ['boxes', 'polygons', 'keypoints', 'regions'], edit: true },
  { keys: [',', '.'], what: 'Turn the selected box by 1° (< > by 15°)', types: ['boxes'], edit: true, rotation: true },
  { keys: ['Enter'], what: 'Close the polygon being drawn', types: ['polygons', 'masks'], edit: true },
  { keys: ['Backspace'], what: 'Remove the last point of the polygon being drawn', types: ['polygons', 'masks'], edit: true },
  { keys: ['Alt+V'], what: 'Mark the selected keypoint visible / not visible', types: ['keypoints'], edit: true },
  { keys: ['[', ']'], what: 'Brush smaller / larger', types: ['masks'], edit: true },
  { keys: ['Alt+X'], what: 'Switch brush and eraser', types: ['masks'], edit: true },
]);
