import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMarkdown } from '../../src/labelwright/web/static/js/lib/markdown.js';

test('headings, lists, emphasis and code render', () => {
  const html = renderMarkdown('# Title\n\nPick **every** *topic*.\n\n- one\n- `two`');
  assert.match(html, /<h1>Title<\/h1>/);
  assert.match(html, /<strong>every<\/strong>/);
  assert.match(html, /<em>topic<\/em>/);
  assert.match(html, /<ul>\n<li>one<\/li>\n<li><code>two<\/code><\/li>\n<\/ul>/);
});

test('no script injection: tags are escaped and unsafe links dropped', () => {
  const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://example.org/a"b)');
  assert.ok(!html.includes('<script'));
  assert.ok(!html.includes('<img'));
  assert.ok(!html.includes('javascript:'));
  assert.match(html, /<a href="https:\/\/example.org\/a&quot;b"/);
});
