// One-line readable summaries of control values (adjudication table, suggestions, data browser).

/**
 * @param {any} value
 * @param {{type?: string}} [control]
 * @returns {string}
 */
export function summarizeValue(value, control = {}) {
  if (value === null || value === undefined) return '—';
  const type = control.type;
  if (Array.isArray(value) && value.length && value[0] && typeof value[0] === 'object' && 'start' in value[0] && 'text' in value[0]) {
    return value.map((s) => `${s.label}: “${s.text}” [${s.start}–${s.end}]`).join('\n');
  }
  if (Array.isArray(value) && value.length && value[0] && typeof value[0] === 'object' && 'from' in value[0]) {
    return value.map((r) => `${r.from} → ${r.to}${r.label ? ` (${r.label})` : ''}`).join('\n');
  }
  if (type === 'ranking' || (Array.isArray(value) && value.some((v) => Array.isArray(v)))) {
    return value.map((g) => (Array.isArray(g) ? g.join(' = ') : g)).join(' > ');
  }
  if (typeof value === 'object' && !Array.isArray(value) && 'choice' in value) {
    const who = { a: 'A better', b: 'B better', tie: 'Tie' }[value.choice] || value.choice;
    return `${who}${value.strength ? ` (strength ${value.strength})` : ''}${value.reason ? ` — ${value.reason}` : ''}`;
  }
  if (Array.isArray(value)) return value.length ? value.join(', ') : '(none)';
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}: ${v}`).join(', ');
  return String(value);
}
