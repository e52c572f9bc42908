import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coinTooltip, renderTooltip, seriesTooltip } from './tooltip.js';

const day = Date.UTC(2026, 10, 30);

test('a line tooltip names the day and each line\'s price in its currency', () => {
  const meta = { kind: 'line', mode: 'price', granularity: 'daily', currencies: ['usd', 'eur'], symbols: { usd: '$', eur: '€' } };
  const tip = seriesTooltip([
    { seriesName: 'BTC / USD', seriesIndex: 0, value: [day, 91234.567], color: '#f7931a' },
    { seriesName: 'BTC / EUR', seriesIndex: 1, value: [day, -0.5], color: '#aaa' },
  ], meta);
  assert.deepEqual(tip, {
    head: '2026-11-30',
    rows: [{ label: 'BTC / USD', value: '$91,234.57', color: '#f7931a' }, { label: 'BTC / EUR', value: '-€0.50', color: '#aaa' }],
    notes: [],
  });
});

test('a % tooltip of bars writes each change with two decimals', () => {
  const meta = { kind: 'bar', mode: 'pct', currencies: [''], symbols: {} };
  const tip = seriesTooltip({ name: 'BTC', seriesIndex: 0, value: -0.001, color: '#f00' }, meta);
  assert.equal(tip.head, 'BTC');
  assert.deepEqual(tip.rows, [{ label: 'Change', value: '0.00%', color: '#f00' }]);
});

test('an hourly tooltip names the hour in UTC', () => {
  const meta = { kind: 'line', mode: 'pct', granularity: 'hourly', currencies: [''], symbols: {} };
  assert.equal(seriesTooltip([{ seriesName: 'x', seriesIndex: 0, value: [day + 14 * 3600e3, 1.5] }], meta).head, '2026-11-30 14:00 UTC');
});

test('a candle tooltip lists the day and says how many hours a partial day holds', () => {
  const meta = { step: 'day', currency: 'usd', symbols: { usd: '$' }, samples: [24, 13], partial: [false, true], ends: ['23:00', '12:00'] };
  const tip = coinTooltip([
    { seriesType: 'candlestick', dataIndex: 1, axisValue: '2026-11-30', value: [1, 100, 110, 95, 120] },
    { seriesName: '24 h volume', dataIndex: 1, data: { value: 2.5e9 }, color: '#999' },
    { seriesName: 'Market cap', dataIndex: 1, data: '-', color: '#f90' },
  ], meta);
  assert.equal(tip.head, '2026-11-30');
  assert.deepEqual(tip.rows.map((r) => r.label + ' ' + r.value), [
    'Open $100.00', 'High $120.00', 'Low $95.00', 'Close $110.00', 'Open to close +10.00%',
    '24 h volume $2,500,000,000.00', 'Market cap not reported',
  ]);
  assert.deepEqual(tip.notes, ['Partial day: 13 of 24 hours', 'Volume and market cap as of 12:00 UTC, the day\'s last stored hour']);
});

test('no params, no tooltip', () => {
  assert.equal(seriesTooltip([], {}), null);
  assert.equal(renderTooltip(null, null), '');
});

// A document just big enough for renderTooltip: elements with a class, text, children and
// style properties.
function fakeDocument() {
  const make = (tag) => ({
    tag, className: '', textContent: undefined, children: [], props: {},
    style: { setProperty(k, v) { this.owner.props[k] = v; } },
    append(...kids) { this.children.push(...kids); },
  });
  return {
    createElement(tag) {
      const e = make(tag);
      e.style.owner = e;
      return e;
    },
  };
}

test('a tooltip is elements with classes, its colour a custom property, no inline styles', () => {
  const box = renderTooltip(fakeDocument(), { head: 'Nov 30', rows: [{ label: 'BTC', value: '$1.00', color: '#f00' }], notes: ['note'] });
  assert.equal(box.className, 'chart-tip');
  assert.deepEqual(box.children.map((c) => c.className), ['chart-tip-head', 'chart-tip-row', 'chart-tip-note']);
  const [label, value] = box.children[1].children;
  assert.equal(label.children[0].className, 'chart-tip-marker');
  assert.equal(label.children[0].props['--c'], '#f00');
  assert.equal(label.children[1], 'BTC');
  assert.equal(value.textContent, '$1.00');
});
