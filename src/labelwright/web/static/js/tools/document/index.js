// The document tools: one import registers the page viewer, <lw-regions> and <lw-fields>.

const STYLES = '/static/css/document.css';
if (typeof document !== 'undefined' && !document.querySelector(`link[href="${STYLES}"]`)) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLES;
  document.head.append(link);
}

export { LwDocument } from './viewer.js';
export { LwRegions } from './regions.js';
export { LwFields } from './fields.js';
