import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisFormatter, coinOption, dashboardOption, NARROW } from './chart-options.js';

const symbols = { usd: '$' };

function lineChart() {
  return {
    option: {
      grid: [{ right: '32' }],
      xAxis: [{ type: 'time' }],
      yAxis: [{ type: 'value' }],
      series: [{ lineStyle: { color: '#light' }, itemStyle: { color: '#light' } }],
      tooltip: { trigger: 'axis', className: 'chart-tip-box' },
    },
    meta: {
      kind: 'line', mode: 'price', granularity: 'daily', currencies: ['usd'], symbols, dark: ['#dark'], panels: 1,
      axes: [{ currency: 'usd', unit: { size: 1000, suffix: 'K' } }],
    },
  };
}

test('axis labels follow the axis format Go chose', () => {
  assert.equal(axisFormatter({ currency: 'usd', unit: { size: 1000, suffix: 'K' } }, symbols)(80000), '$80K');
  assert.equal(axisFormatter({ currency: 'usd', unit: { size: 1000, suffix: 'K' } }, symbols)(100000), '$100K');
  assert.equal(axisFormatter({ percent: true, unit: { size: 1, suffix: '' } }, symbols)(-2.5), '-2.5%');
  const log = axisFormatter({ log: true, currency: 'usd', unit: { size: 1, suffix: '' } }, symbols);
  assert.deepEqual([1, 1000, 1e5].map(log), ['$1', '$1,000', '$100K']);
});

test('a wide light chart keeps the colours and margins of the option', () => {
  const { option, meta } = lineChart();
  const out = dashboardOption(option, meta, { width: 1000, height: 400, dark: false, doc: null });
  assert.equal(out.series[0].lineStyle.color, '#light');
  assert.equal(out.grid[0].right, '32');
  assert.equal(out.xAxis[0].splitNumber, 8);
  assert.equal(out.yAxis[0].axisLabel.formatter(50000), '$50K');
  assert.equal(out.tooltip.trigger, 'axis');
  assert.equal(out.tooltip.className, 'chart-tip-box');
  assert.equal(typeof out.tooltip.formatter, 'function');
  assert.equal(out.yAxis[0].axisPointer.label.formatter({ value: 91234.567 }), '$91,234.57');
  assert.equal(out.xAxis[0].axisPointer.label.formatter({ value: Date.UTC(2026, 10, 25) }), '2026-11-25');
});

test('a narrow dark chart takes the dark shades, less margin and fewer labels', () => {
  const { option, meta } = lineChart();
  const out = dashboardOption(option, meta, { width: NARROW - 1, height: 400, dark: true, doc: null });
  assert.equal(out.series[0].lineStyle.color, '#dark');
  assert.equal(out.series[0].itemStyle.color, '#dark');
  assert.equal(out.grid[0].right, 22);
  assert.equal(out.xAxis[0].splitNumber, 5);
});

test('panels share the chart height', () => {
  const { option, meta } = lineChart();
  option.grid = [{}, {}];
  option.yAxis = [{}, {}];
  meta.panels = 2;
  meta.axes = [meta.axes[0], { unit: { size: 1, suffix: '' } }];
  const out = dashboardOption(option, meta, { width: 1000, height: 600, dark: false, doc: null });
  // 600 less 24 on top, 64 below and a 36 gap leaves 238 each.
  assert.deepEqual(out.grid.map((g) => [g.top, g.height]), [[24, 238], [298, 238]]);
  assert.equal(out.yAxis[1].axisLabel.formatter(1500), '1,500');
});

test('a coin chart takes its roles\' shades for the theme', () => {
  const colors = {
    up: { light: '#up', dark: '#UP' }, down: { light: '#down', dark: '#DOWN' },
    downPartial: { light: '#dp', dark: '#DP' }, volume: { light: '#vol', dark: '#VOL' }, cap: { light: '#cap', dark: '#CAP' },
  };
  const option = {
    grid: [{}, {}, {}],
    xAxis: [{}, {}, {}],
    yAxis: [{}, {}, {}],
    series: [
      { type: 'candlestick', itemStyle: {}, data: [{ value: [1, 2, 0, 3] }, { value: [2, 1, 0, 3], itemStyle: { color0: '#dp' } }] },
      { id: 'volume', type: 'bar', itemStyle: {} },
      { id: 'cap', type: 'line', lineStyle: {}, itemStyle: {} },
    ],
  };
  const unit = { size: 1e9, suffix: 'B' };
  const meta = { kind: 'coin', step: 'day', currency: 'usd', symbols, colors, axes: [{ currency: 'usd', unit: { size: 1, suffix: '' } }, { currency: 'usd', unit }, { currency: 'usd', unit }] };
  const out = coinOption(option, meta, { width: 400, dark: true, doc: null });
  assert.equal(out.series[0].itemStyle.borderColor, '#UP');
  assert.equal(out.series[0].data[1].itemStyle.color0, '#DP');
  assert.equal(out.series[1].itemStyle.color, '#VOL');
  assert.equal(out.series[2].lineStyle.color, '#CAP');
  assert.equal(out.yAxis[2].axisLabel.formatter(1.5e9), '$1.5B');
  assert.equal(out.yAxis[0].axisPointer.label.formatter({ value: 1234.5678 }), '$1,234.57');
  assert.equal(out.xAxis[0].axisLabel.formatter('2026-11-30'), 'Nov 30');
  assert.equal(out.grid[0].left, 18);
});
