import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cardPlace } from './cards.js';
import { moveColumn } from './columns.js';
import { matchesSearch } from './controls.js';
import { categoryLabel, utcDate, utcHour } from './dates.js';
import { withParams } from './dom.js';

test('a column dropped to the right goes after its target, to the left before it', () => {
  assert.deepEqual(moveColumn(['a', 'b', 'c', 'd'], 'a', 'c'), ['b', 'c', 'a', 'd']);
  assert.deepEqual(moveColumn(['a', 'b', 'c', 'd'], 'd', 'b'), ['a', 'd', 'b', 'c']);
});

test('a card opens below its trigger, above it when there is no room, inside the window', () => {
  const r = { left: 300, top: 100, bottom: 120 };
  assert.deepEqual(cardPlace(r, 200, 150, 390, 800), { left: 182, top: 120, above: false });
  assert.deepEqual(cardPlace({ left: 2, top: 700, bottom: 720 }, 200, 150, 390, 800), { left: 8, top: 550, above: true });
  // No room either way: below, where the page can scroll to it.
  assert.deepEqual(cardPlace({ left: 20, top: 100, bottom: 120 }, 200, 700, 390, 800), { left: 20, top: 120, above: false });
});

test('the coin search matches anywhere, in any case, ignoring spaces around', () => {
  assert.ok(matchesSearch('Bitcoin BTC', '  btc '));
  assert.ok(matchesSearch('Bitcoin BTC', ''));
  assert.ok(!matchesSearch('Dogecoin DOGE', 'eth'));
});

test('times are UTC', () => {
  assert.equal(utcDate(Date.UTC(2028, 1, 29, 23)), '2028-02-29');
  assert.equal(utcHour(Date.UTC(2027, 0, 31, 23, 30)), '2027-01-31 23:00 UTC');
  assert.equal(categoryLabel('2026-11-30', 'day'), 'Nov 30');
  assert.equal(categoryLabel('2026-11-30 14:00', 'hour'), '14:00');
  assert.equal(categoryLabel('2026-12-01 00:00', 'hour'), 'Dec 1');
});

test('parameters join a URL with or without a query', () => {
  assert.equal(withParams('/p', 'a=1'), '/p?a=1');
  assert.equal(withParams('/p?x=2', 'a=1'), '/p?x=2&a=1');
});
