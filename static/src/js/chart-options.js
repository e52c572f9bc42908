// What the browser adds to the option a page carries (internal/chart builds it, with every
// series, colour and axis format): the formatter functions JSON cannot hold, each built from
// the format Meta names, the dark theme's shades, and the layout of the chart's width.
import { categoryLabel, utcDate, utcHour } from './dates.js';
import { axisLabel, axisPercent, axisScale, compact, percent, price } from './format.js';
import { coinTooltip, renderTooltip, seriesTooltip } from './tooltip.js';

// Charts narrower than this have less room on the right and show fewer x labels.
export const NARROW = 640;

const list = (o) => (Array.isArray(o) ? o : [o]);

// axisFormatter writes the ticks of an axis as internal/chart.AxisFormat.Label does.
export function axisFormatter(format, symbols) {
  if (format.percent) return (v) => axisPercent(v);
  if (format.log) return (v) => axisLabel(v, axisScale(Math.abs(v)), format.currency, symbols);
  return (v) => axisLabel(v, format.unit, format.currency, symbols);
}

function tooltipOption(option, describe, doc) {
  return Object.assign({}, option.tooltip, { formatter: (params) => renderTooltip(doc, describe(params)) });
}

// dashboardOption readies the dashboard chart's option (meta.kind 'line' or 'bar') for a chart
// of width by height pixels on the given theme.
export function dashboardOption(option, meta, { width, height, dark, doc }) {
  list(option.yAxis).forEach((y, i) => {
    const format = meta.axes[i] || meta.axes[0];
    y.axisLabel = Object.assign({}, y.axisLabel, { formatter: axisFormatter(format, meta.symbols) });
    // The pointer's label reads as the tooltip's values do.
    y.axisPointer = { label: { formatter: (p) => (format.percent ? percent(p.value / 100, 2) : price(format.currency, meta.symbols, p.value)) } };
  });
  option.tooltip = tooltipOption(option, (p) => seriesTooltip(p, meta), doc);
  if (dark && meta.dark) applyDark(option, meta);
  const grids = list(option.grid);
  if (width < NARROW) grids.forEach((g) => { g.right = 22; });
  if (meta.kind !== 'line') return option;
  list(option.xAxis).forEach((x) => {
    x.axisPointer = { label: { formatter: (p) => (meta.granularity === 'hourly' ? utcHour(p.value) : utcDate(p.value)) } };
    // About one x label per 110 px; ECharts also hides any that would overlap.
    x.splitNumber = Math.max(2, Math.min(8, Math.floor(width / 110)));
  });
  const n = meta.panels || 1;
  if (n > 1) {
    // The panels of a chart split by currency share the height the server gave the chart.
    const top = 24, bottom = 64, gap = 36;
    const each = (height - top - bottom - gap * (n - 1)) / n;
    grids.forEach((g, i) => {
      g.top = Math.round(top + i * (each + gap));
      g.bottom = null;
      g.height = Math.round(each);
    });
  }
  return option;
}

// applyDark swaps in each line's (or bar's) dark shade: the option carries the light ones.
function applyDark(option, meta) {
  const series = option.series || [];
  if (meta.kind === 'bar') {
    ((series[0] && series[0].data) || []).forEach((d, i) => {
      if (meta.dark[i]) d.itemStyle = Object.assign({}, d.itemStyle, { color: meta.dark[i] });
    });
    return;
  }
  series.forEach((s, i) => {
    if (!meta.dark[i]) return;
    s.lineStyle = Object.assign({}, s.lineStyle, { color: meta.dark[i] });
    s.itemStyle = Object.assign({}, s.itemStyle, { color: meta.dark[i] });
  });
}

// coinOption readies a coin page's chart (meta.kind 'coin'; price, 24 h volume and market cap
// on one axis of days or hours): the theme's shade of each role's colour, its formatters and a
// phone's narrower margins.
export function coinOption(option, meta, { width, dark, doc }) {
  const shade = (role) => {
    const c = meta.colors[role];
    return c && (dark ? c.dark : c.light);
  };
  option.series.forEach((s) => {
    if (s.type === 'candlestick') {
      Object.assign(s.itemStyle, { borderColor: shade('up'), color0: shade('down'), borderColor0: shade('down') });
      s.data.forEach((d) => {
        if (d.itemStyle && d.itemStyle.color0) d.itemStyle.color0 = shade('downPartial');
      });
      return;
    }
    const c = shade(s.id);
    s.itemStyle = Object.assign({}, s.itemStyle, { color: c });
    if (s.lineStyle) s.lineStyle.color = c;
    if (s.areaStyle) s.areaStyle.color = c;
  });
  option.yAxis.forEach((y, i) => {
    const label = axisFormatter(meta.axes[i], meta.symbols);
    y.axisLabel = Object.assign({}, y.axisLabel, { formatter: label });
    // The pointer's label on the price axis reads as a price, on the others as a compact amount.
    const pointer = i === 0 ? price : compact;
    y.axisPointer = { label: { formatter: (p) => pointer(meta.currency, meta.symbols, p.value) } };
  });
  option.xAxis.forEach((x) => {
    x.axisLabel = Object.assign({}, x.axisLabel, { formatter: (v) => categoryLabel(v, meta.step) });
  });
  option.tooltip = tooltipOption(option, (p) => coinTooltip(p, meta), doc);
  if (width < NARROW) option.grid.forEach((g) => Object.assign(g, { left: 18, right: 54 }));
  return option;
}
