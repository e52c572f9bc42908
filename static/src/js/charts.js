// The charts' life in the page: ECharts loaded on the first sign of use, each chart drawn from
// its element's data-options (replacing the server's drawing), redrawn for a theme or a width
// that crosses NARROW, its zoom kept and, on a daily chart zoomed to two days or less, loaded
// hour by hour.
import { coinOption, dashboardOption, NARROW } from './chart-options.js';
import { utcDate } from './dates.js';
import { debounce, isDark, withParams, within } from './dom.js';

const charts = new Set();
// narrowAt remembers whether each chart was laid out narrow, so a resize redraws only the
// charts that cross the width.
const narrowAt = new WeakMap();
const hasECharts = () => typeof echarts !== 'undefined';

function readData(el) {
  try {
    return JSON.parse(el.getAttribute('data-options'));
  } catch {
    return null;
  }
}

function zoomWindow(chart) {
  const dz = (chart.getOption().dataZoom || [])[0];
  return dz ? { start: dz.startValue, end: dz.endValue, startPct: dz.start, endPct: dz.end } : null;
}

function isZoomed(w) {
  return !!w && (w.startPct > 0.01 || w.endPct < 99.99);
}

// initChart draws el's chart from its data-options, replacing the chart already there (a
// theme toggle, or a resize across the narrow width) while keeping that chart's zoom.
function initChart(el) {
  const data = readData(el);
  if (!data || !hasECharts()) return;
  const old = echarts.getInstanceByDom(el);
  let zoom = null;
  if (old) {
    zoom = zoomWindow(old);
    charts.delete(old);
    old.dispose();
  }
  el.textContent = '';
  const dark = isDark();
  const chart = echarts.init(el, dark ? 'dark' : null, { renderer: 'canvas' });
  narrowAt.set(chart, el.clientWidth < NARROW);
  const room = { width: el.clientWidth, height: el.clientHeight, dark, doc: document };
  const option = data.meta.kind === 'coin' ? coinOption(data.option, data.meta, room) : dashboardOption(data.option, data.meta, room);
  if (isZoomed(zoom)) {
    (option.dataZoom || []).forEach((dz) => Object.assign(dz, { start: zoom.startPct, end: zoom.endPct }));
  } else {
    zoomFromPage(el, option);
  }
  chart.setOption(option);
  charts.add(chart);
  chart.on('datazoom', debounce(() => onZoom(el, chart, data.meta), 350));
  syncReset(el);
}

// pruneCharts disposes instances whose element HTMX swapped out, so they do not leak.
function pruneCharts() {
  charts.forEach((c) => {
    const dom = c.getDom();
    if (!dom || !dom.isConnected) {
      c.dispose();
      charts.delete(c);
    }
  });
}

// initCharts draws the charts in root with ECharts once it is loaded; until then each stays
// as the server drew it.
export function initCharts(root) {
  pruneCharts();
  if (hasECharts()) within(root, '[data-chart]').forEach(initChart);
}

function drawWaiting() {
  document.querySelectorAll('[data-chart]').forEach((el) => {
    if (!echarts.getInstanceByDom(el)) initChart(el);
  });
}

let echartsWaiting = null;
// echartsSrc is where ECharts loads from, the page script's data-echarts (see listenCharts).
let echartsSrc = null;

// withECharts calls then once ECharts is loaded, loading it the first time from src. A load
// that fails leaves the drawn charts as they are; the next use tries again.
function withECharts(src, then) {
  if (hasECharts()) {
    then();
    return;
  }
  if (echartsWaiting) {
    echartsWaiting.push(then);
    return;
  }
  echartsWaiting = [then];
  const script = document.createElement('script');
  script.src = src;
  script.onload = () => {
    const waiting = echartsWaiting;
    echartsWaiting = null;
    waiting.forEach((fn) => fn());
  };
  script.onerror = () => {
    echartsWaiting = null;
    script.remove();
  };
  document.head.appendChild(script);
}

// syncReset shows the chart's own "Reset zoom" button while the chart is zoomed. The table
// partial swaps the toolbar out of band (to refresh its URLs), which brings the button back
// hidden, so this runs again after every such swap.
export function syncReset(chartEl) {
  const reset = document.querySelector('[data-chart-reset="' + chartEl.id + '"]');
  const chart = reset && hasECharts() && echarts.getInstanceByDom(chartEl);
  if (chart) reset.classList.toggle('hidden', !isZoomed(zoomWindow(chart)));
}

// onZoom shows "Reset zoom" while zoomed, and when a daily chart is zoomed to the server's
// hourly span (meta.hourlyMaxMs) or less it loads that window at hourly granularity as a
// custom range. The URL comes from the chart's toolbar, which the table partial keeps
// current, so the zoomed view keeps the table's sort, page size and column order. It runs
// debounced, so the chart may have been disposed since the zoom.
function onZoom(el, chart, meta) {
  if (chart.isDisposed()) return;
  const w = zoomWindow(chart);
  if (!w) return;
  syncReset(el);
  zoomToURL(chart, w, meta);
  if (!isZoomed(w) || meta.granularity !== 'daily' || w.end - w.start > meta.hourlyMaxMs) return;
  const toolbar = document.querySelector('[data-zoom-for="' + el.id + '"]');
  const url = toolbar && toolbar.getAttribute('data-zoom-url');
  if (!url || typeof htmx === 'undefined') return;
  htmx.ajax('GET', withParams(url, 'range=custom&from=' + utcDate(w.start) + '&to=' + utcDate(w.end)),
    { target: '#results', swap: 'outerHTML', indicator: '#results-wrap' });
}

// A chart's zoom is part of its page's address (zoom=FROM..TO, UTC days or hours), so a copied
// link opens on the same span. The server validates the parameter and puts the span on the
// chart element in the x axis's own values (data-zoom-start/-end: milliseconds on a time
// axis, band indexes on a coin chart's); each zoom replaces the address (replaceState: no
// history entry per wheel turn). Only pages read zoom; a partial's new view starts unzoomed.
function zoomFromPage(el, option) {
  const s = el.getAttribute('data-zoom-start');
  const e = el.getAttribute('data-zoom-end');
  if (!s || !e) return;
  (option.dataZoom || []).forEach((dz) => {
    delete dz.start;
    delete dz.end;
    dz.startValue = Number(s);
    dz.endValue = Number(e);
  });
}

// zoomParam is the zoom parameter (FROM..TO) for the window w of a chart whose first x axis
// is x, or '' when the chart shows everything. A time axis's values are instants; a coin
// chart's are the indexes of its day or hour labels ("2026-03-01", "2026-03-01 13:00").
export function zoomParam(x, w, meta) {
  let at;
  if (x.type === 'time') {
    at = (v) => {
      const iso = new Date(v).toISOString();
      return meta.granularity === 'daily' ? iso.slice(0, 10) : iso.slice(0, 16);
    };
  } else if (meta.kind === 'coin') {
    at = (v) => {
      const label = (x.data || [])[Math.round(v)];
      return label ? String(label).replace(' ', 'T') : '';
    };
  } else {
    return '';
  }
  const from = isZoomed(w) ? at(w.start) : '';
  const to = isZoomed(w) ? at(w.end) : '';
  return from && to ? from + '..' + to : '';
}

function zoomToURL(chart, w, meta) {
  const url = new URL(window.location.href);
  const zoom = zoomParam((chart.getOption().xAxis || [])[0] || {}, w, meta);
  if (zoom) url.searchParams.set('zoom', zoom);
  else url.searchParams.delete('zoom');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
}

// drawZoomed draws a page opened zoomed with ECharts at once: the server's drawing shows the
// whole range.
export function drawZoomed(root) {
  if (within(root, '[data-chart][data-zoom-start]').some((el) => !!el.getAttribute('data-zoom-start'))) {
    withECharts(echartsSrc, drawWaiting);
  }
}

// listenCharts wires the charts to the page: the first sign that a chart is about to be used
// (the pointer entering it, a touch, a wheel, the keyboard's focus) loads ECharts from
// echartsSrc, which then takes over every chart; resizes, Reset zoom and the theme toggle.
export function listenCharts(src) {
  echartsSrc = src;
  const onIntent = (e) => {
    const el = e.target && e.target.closest && e.target.closest('[data-chart]');
    if (el && !hasECharts()) withECharts(echartsSrc, drawWaiting);
  };
  for (const name of ['pointerover', 'pointerdown', 'touchstart', 'wheel', 'focusin']) {
    document.addEventListener(name, onIntent, { capture: true, passive: true });
  }

  window.addEventListener('resize', debounce(() => {
    charts.forEach((c) => {
      const el = c.getDom();
      if (el && (el.clientWidth < NARROW) !== narrowAt.get(c)) initChart(el);
      else c.resize();
    });
  }, 150));

  document.addEventListener('click', (e) => {
    const reset = e.target.closest('[data-chart-reset]');
    if (reset) {
      const el = document.getElementById(reset.getAttribute('data-chart-reset'));
      const chart = el && hasECharts() && echarts.getInstanceByDom(el);
      if (chart) chart.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
      reset.classList.add('hidden');
      return;
    }
    if (e.target.closest('[data-theme-toggle]')) {
      const dark = !isDark();
      document.documentElement.classList.toggle('dark', dark);
      try {
        localStorage.setItem('theme', dark ? 'dark' : 'light');
      } catch {
        // Storage may be blocked; the toggle still applies to this page.
      }
      initCharts(document.body);
    }
  });
}
