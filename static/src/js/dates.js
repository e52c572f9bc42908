// Times as the charts write them: always UTC, as every time in cryptodash.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n) => String(n).padStart(2, '0');

// utcDate writes a time in milliseconds as its UTC day, "2026-11-30".
export function utcDate(ms) {
  const d = new Date(ms);
  return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
}

// utcHour writes a time in milliseconds as its UTC hour, "2026-11-30 14:00 UTC".
export function utcHour(ms) {
  return utcDate(ms) + ' ' + pad(new Date(ms).getUTCHours()) + ':00 UTC';
}

// categoryLabel shortens a coin chart's category ("2026-11-30", "2026-11-30 14:00"): days read
// "Nov 30", hours "14:00" except midnight, which names its day.
export function categoryLabel(v, step) {
  const day = MONTHS[Number(v.slice(5, 7)) - 1] + ' ' + Number(v.slice(8, 10));
  if (step !== 'hour') return day;
  const hm = v.slice(11, 16);
  return hm === '00:00' ? day : hm;
}
