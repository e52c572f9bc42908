import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axisLabel, axisPercent, axisScale, compact, percent, price } from './format.js';

// The cases internal/numfmt's Go test reads too: a change to either side that the other does
// not follow fails one of the two.
const cases = JSON.parse(readFileSync(new URL('../../../internal/numfmt/testdata/cases.json', import.meta.url)));
const num = (v) => Number(v);

test('the case table has every table', () => {
  for (const name of ['percent', 'price', 'compact', 'axis', 'axisPercent']) {
    assert.ok(cases[name].length > 0, name);
  }
});

test('percent', () => {
  for (const c of cases.percent) assert.equal(percent(num(c.value), c.decimals), c.expected, c.name);
});

test('price', () => {
  for (const c of cases.price) assert.equal(price(c.currency, cases.symbols, num(c.value)), c.expected, c.name);
});

test('compact', () => {
  for (const c of cases.compact) assert.equal(compact(c.currency, cases.symbols, num(c.value)), c.expected, c.name);
});

test('axis labels: one scale per axis', () => {
  for (const c of cases.axis) {
    const scale = axisScale(c.max);
    assert.deepEqual(c.ticks.map((v) => axisLabel(v, scale, c.currency, cases.symbols)), c.expected, c.name);
  }
});

test('axis percent', () => {
  for (const c of cases.axisPercent) assert.equal(axisPercent(c.value), c.expected, c.name);
});
