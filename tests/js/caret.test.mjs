import assert from 'node:assert/strict';
import { test } from 'node:test';
import { moveCaret, snapToCharacter } from '../../src/labelwright/web/static/js/lib/caret.js';

const TEXT = 'Zoë 👩🏽‍💻 works in Zu\u0308rich.';

function walk(text, unit, forward) {
  const stops = [];
  let at = forward ? 0 : text.length;
  for (;;) {
    const next = moveCaret(text, at, { unit, forward });
    if (next === at) return stops;
    stops.push(next);
    at = next;
  }
}

test('a character step never splits an emoji sequence or a combining mark', () => {
  const forward = walk(TEXT, 'char', true);
  const chars = forward.map((end, i) => TEXT.slice(i ? forward[i - 1] : 0, end));
  assert.ok(chars.includes('👩🏽‍💻'));
  assert.ok(chars.includes('u\u0308'));
  assert.equal(chars.join(''), TEXT);
  const backward = walk(TEXT, 'char', false);
  assert.deepEqual(backward, [...forward].reverse().slice(1).concat(0));
});

test('word steps go to the end of the next word and the start of the previous one', () => {
  assert.equal(moveCaret(TEXT, 0, { unit: 'word' }), 3); // end of Zoë
  const atWorks = TEXT.indexOf('works');
  assert.equal(moveCaret(TEXT, atWorks - 1, { unit: 'word' }), atWorks + 5);
  assert.equal(moveCaret(TEXT, atWorks + 5, { unit: 'word', forward: false }), atWorks);
  // an emoji is not a word: the step skips it
  assert.equal(moveCaret(TEXT, atWorks, { unit: 'word', forward: false }), 0);
  const zurich = TEXT.indexOf('Zu\u0308rich');
  assert.equal(moveCaret(TEXT, zurich, { unit: 'word' }), zurich + 'Zu\u0308rich'.length);
  assert.equal(moveCaret(TEXT, TEXT.length, { unit: 'word', forward: false }), zurich);
  assert.equal(moveCaret(TEXT, TEXT.length, { unit: 'word' }), TEXT.length);
  assert.equal(moveCaret(TEXT, 0, { unit: 'word', forward: false }), 0);
});

test('steps far into a long text look only at a window and still land on boundaries', () => {
  const long = 'lorem ipsum '.repeat(20000) + 'end 😀';
  const at = long.length - 6;
  assert.equal(moveCaret(long, at, { unit: 'word', forward: false }), long.lastIndexOf('ipsum'));
  assert.equal(moveCaret(long, long.length - 2, { forward: true }), long.length);
  assert.equal(moveCaret(long, long.length, { forward: false }), long.length - 2);
  const spaces = 'a' + ' '.repeat(1000) + 'b';
  assert.equal(moveCaret(spaces, 1, { unit: 'word' }), spaces.length);
  assert.equal(moveCaret(spaces, spaces.length - 1, { unit: 'word', forward: false }), 0);
});

test('snapping moves a point inside a character to its start', () => {
  const emoji = TEXT.indexOf('👩');
  assert.equal(snapToCharacter(TEXT, emoji + 1), emoji);
  assert.equal(snapToCharacter(TEXT, emoji + 5), emoji);
  const u = TEXT.indexOf('u\u0308');
  assert.equal(snapToCharacter(TEXT, u + 1), u);
  assert.equal(snapToCharacter(TEXT, u + 2), u + 2);
  assert.equal(snapToCharacter(TEXT, 0), 0);
  assert.equal(snapToCharacter(TEXT, TEXT.length), TEXT.length);
});
