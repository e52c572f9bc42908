// The browser's half of internal/numfmt: the same rules, held to the same cases
// (internal/numfmt/testdata/cases.json) by format.test.js, so a tooltip or axis label reads as
// the page around it does.

// percent writes a fraction as a signed percentage: "+1.87%", "-12.30%"; a change that rounds
// to zero has no sign ("0.00%"), and NaN or an infinity reads "–".
export function percent(fraction, decimals) {
  if (!Number.isFinite(fraction)) return '–';
  let s = (fraction * 100).toFixed(decimals);
  if (/^-?[0.]+$/.test(s)) s = s.replace('-', '');
  else if (fraction > 0) s = '+' + s;
  return s + '%';
}

export function groupThousands(s) {
  let sign = '';
  if (s.startsWith('-')) {
    sign = '-';
    s = s.slice(1);
  }
  const [whole, frac] = s.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + grouped + (frac === undefined ? '' : '.' + frac);
}

// withSymbol writes text with the currency's symbol, or its upper-case code when it has none;
// a minus sign comes before the symbol.
export function withSymbol(code, symbols, text) {
  if (!code) return text;
  if (text.startsWith('-')) return '-' + withSymbol(code, symbols, text.slice(1));
  const sym = symbols && symbols[code];
  return sym ? sym + text : code.toUpperCase() + ' ' + text;
}

const SMALL_SIG_DIGITS = 4;
const MAX_DECIMALS = 18;

// magnitude writes v ≥ 0 with two decimals from 1 up and four significant digits below.
export function magnitude(v) {
  if (v !== 0 && v < 10 ** -MAX_DECIMALS) return v.toExponential(SMALL_SIG_DIGITS - 1);
  let decimals = 2;
  if (v > 0 && v < 1) decimals = Math.min(MAX_DECIMALS, SMALL_SIG_DIGITS - 1 - Math.floor(Math.log10(v)));
  let s = v.toFixed(decimals);
  if (parseFloat(s) >= 1) s = v.toFixed(2);
  const dot = s.indexOf('.');
  if (dot >= 0 && s.length - dot - 1 > 2) {
    let frac = s.slice(dot + 1).replace(/0+$/, '');
    frac += '0'.repeat(Math.max(0, 2 - frac.length));
    s = s.slice(0, dot) + '.' + frac;
  }
  return groupThousands(s);
}

// price writes a price as every page does ("$1,234.50", "$0.0812", "-$0.50").
export function price(currency, symbols, v) {
  if (!Number.isFinite(v)) return '–';
  const s = magnitude(Math.abs(v));
  const sign = v < 0 && s.replace(/[0.,]/g, '') !== '' ? '-' : '';
  return withSymbol(currency, symbols, sign + s);
}

const UNITS = [
  { size: 1e12, suffix: 'T' },
  { size: 1e9, suffix: 'B' },
  { size: 1e6, suffix: 'M' },
  { size: 1e3, suffix: 'K' },
  { size: 1, suffix: '' },
];

export function unitOf(a) {
  return UNITS.find((u) => a >= u.size) || UNITS[UNITS.length - 1];
}

// compact writes an amount with three significant figures and a unit ("$1.32T"); below a
// thousand, after rounding, it is a price.
export function compact(currency, symbols, v) {
  if (!Number.isFinite(v)) return '–';
  const r = Number(v.toPrecision(3));
  const u = unitOf(Math.abs(r));
  if (u.size === 1) return price(currency, symbols, v);
  const n = r / u.size;
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return withSymbol(currency, symbols, n.toFixed(digits) + u.suffix);
}

const COMPACT_FROM = 1e4;
const MAX_AXIS_DECIMALS = 12;

// axisScale is the one unit of every label of a linear axis whose values reach maxAbs.
export function axisScale(maxAbs) {
  return maxAbs < COMPACT_FROM ? UNITS[UNITS.length - 1] : unitOf(maxAbs);
}

function exact(v) {
  let s = v.toFixed(MAX_AXIS_DECIMALS);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

// axisLabel writes a value axis's tick in the axis's scale with the fewest decimals that
// write it exactly; zero is "$0" in any scale.
export function axisLabel(v, scale, currency, symbols) {
  if (v === 0) return withSymbol(currency, symbols, '0');
  return withSymbol(currency, symbols, groupThousands(exact(v / scale.size)) + scale.suffix);
}

// axisPercent writes a tick of a % change axis given in percent: "+10%", "-2.5%".
export function axisPercent(pct) {
  const s = exact(pct);
  const dot = s.indexOf('.');
  return percent(pct / 100, dot < 0 ? 0 : s.length - dot - 1);
}
