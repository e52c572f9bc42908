// Chart tooltips: each is first a plain description (a heading, rows of a label and a value,
// notes), which the tests check, then DOM elements styled by classes in static/src/app.css.
import { utcDate, utcHour } from './dates.js';
import { percent, price } from './format.js';

// seriesTooltip describes the dashboard chart's tooltip for ECharts' params.
export function seriesTooltip(params, meta) {
  const list = Array.isArray(params) ? params : [params];
  if (!list.length) return null;
  const pct = meta.mode === 'pct';
  const first = list[0];
  let head;
  if (meta.kind === 'bar') head = first.name;
  else head = meta.granularity === 'hourly' ? utcHour(first.value[0]) : utcDate(first.value[0]);
  const rows = list.map((p) => {
    const v = Array.isArray(p.value) ? p.value[1] : p.value;
    const label = meta.kind === 'bar' ? (pct ? 'Change' : 'Mean price') : p.seriesName;
    const text = pct ? percent(v / 100, 2) : price(meta.currencies[p.seriesIndex] || '', meta.symbols, v);
    return { label, value: text, color: p.color };
  });
  return { head, rows, notes: [] };
}

function coinValue(p) {
  const d = p.data;
  return d !== null && typeof d === 'object' && !Array.isArray(d) ? d.value : d;
}

// coinTooltip describes a coin chart's tooltip: a day's open, high, low and close (or an
// hour's price), its volume and market cap, and how many hours a day holds when not all 24.
export function coinTooltip(params, meta) {
  const list = Array.isArray(params) ? params : [params];
  if (!list.length) return null;
  const amount = (v) => (v === null || v === undefined || v === '-' ? 'not reported' : price(meta.currency, meta.symbols, v));
  const rows = [];
  for (const p of list) {
    if (p.seriesType === 'candlestick') {
      // ECharts hands a candle over as [category index, open, close, low, high].
      const [open, close, low, high] = p.value.slice(-4);
      rows.push({ label: 'Open', value: amount(open) }, { label: 'High', value: amount(high) },
        { label: 'Low', value: amount(low) }, { label: 'Close', value: amount(close) },
        { label: 'Open to close', value: percent(close / open - 1, 2) });
    } else {
      rows.push({ label: p.seriesName, value: amount(coinValue(p)), color: p.color });
    }
  }
  const i = list[0].dataIndex;
  const notes = [];
  if (meta.step === 'day') {
    const n = meta.samples[i];
    if (meta.partial && meta.partial[i]) notes.push('Partial day: ' + n + ' of 24 hours');
    else if (n < 24) notes.push(n + ' of 24 hours');
    if (meta.ends[i] && meta.ends[i] !== '23:00') {
      notes.push('Volume and market cap as of ' + meta.ends[i] + ' UTC, the day\'s last stored hour');
    }
  }
  return { head: list[0].axisValue + (meta.step === 'hour' ? ' UTC' : ''), rows, notes };
}

function el(doc, tag, className, text) {
  const e = doc.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// renderTooltip builds the elements of a described tooltip; a series' colour is the one
// value set on an element, as a custom property the marker's class reads.
export function renderTooltip(doc, tip) {
  if (!tip) return '';
  const box = el(doc, 'div', 'chart-tip');
  box.append(el(doc, 'div', 'chart-tip-head', tip.head));
  for (const r of tip.rows) {
    const row = el(doc, 'div', 'chart-tip-row');
    const label = el(doc, 'span', 'chart-tip-label');
    if (r.color) {
      const mark = el(doc, 'span', 'chart-tip-marker');
      mark.style.setProperty('--c', r.color);
      label.append(mark);
    }
    label.append(r.label);
    row.append(label, el(doc, 'span', 'chart-tip-value', r.value));
    box.append(row);
  }
  for (const n of tip.notes) box.append(el(doc, 'div', 'chart-tip-note', n));
  return box;
}
