// The REST API client used by every page (session cookie auth).

import { API } from './constants.js';

/** An API error carrying the problem details. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {any} problem
   */
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/**
 * Call the API. Rejects with ApiError on a problem response, TypeError on network failure.
 * @param {string} method
 * @param {string} path path under /api/v1
 * @param {{json?: any, body?: BodyInit, headers?: Record<string, string>, query?: Record<string, any>}} [options]
 * @returns {Promise<any>} parsed JSON, or null for an empty answer
 */
export async function api(method, path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  let url = path.startsWith('/api/') || path.startsWith('/ui/') ? path : API + path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query)) {
      if (v !== undefined && v !== null && v !== '') params.append(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  const response = await fetch(url, { method, headers, body, credentials: 'same-origin' });
  if (response.status === 401 && !path.includes('/auth/login')) {
    window.location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return response.status === 204 ? null : data;
}

/**
 * Every item of a cursor-paginated list.
 * @param {string} path
 * @param {Record<string, any>} [query]
 * @param {number} [max]
 * @returns {Promise<any[]>}
 */
export async function listAll(path, query = {}, max = 5000) {
  const items = [];
  let cursor;
  do {
    const page = await api('GET', path, { query: { ...query, cursor, limit: 500 } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/**
 * Readable lines for a problem's `errors` list.
 * @param {any} problem
 * @returns {string[]}
 */
export function problemLines(problem) {
  const errors = (problem && problem.errors) || [];
  if (!errors.length) return [problem && problem.detail ? problem.detail : 'Request failed'];
  return errors.map((e) => {
    // domain problems: {control | object, index?, reason}; request validation: {loc, msg}
    if (e.reason !== undefined && e.msg === undefined) {
      const where = e.control ?? e.object;
      const item = e.index !== null && e.index !== undefined ? ` item ${e.index}` : '';
      return where ? `${where}${item}: ${e.reason}` : e.reason;
    }
    const loc = (e.loc || []).filter((p) => p !== 'body').join('.');
    return loc ? `${loc}: ${e.msg}` : e.msg ?? String(e.detail ?? '');
  });
}
