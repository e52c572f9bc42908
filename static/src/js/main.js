// cryptodash's page script, bundled by esbuild into static/js/app.js (make css). The pages work
// without it; with it, charts are drawn from the option JSON each page carries as data (the
// chart element's data-options), so no inline script is needed and the CSP can stay
// script-src 'self'. Everything is wired to document-level events or htmx.onLoad, so it also
// covers content HTMX swaps in.
import { listenCards } from './cards.js';
import { drawZoomed, initCharts, listenCharts, syncReset } from './charts.js';
import { listenColumns, restoreFocus } from './columns.js';
import { fitFilters, listenControls, refilterCoins, saveControls } from './controls.js';
import { listenDates } from './dates-input.js';
import { listenErrors } from './errors.js';

// ECharts is loaded only when a chart is about to be used: evaluating it and drawing the first
// chart cost a phone over a second of main thread, while the server's drawing of the chart
// already shows everything but the interaction.
const script = document.currentScript;
listenCharts(script && script.getAttribute('data-echarts'));
listenDates();
listenControls();
listenCards();
listenColumns();
listenErrors();

document.querySelectorAll('[data-theme-toggle]').forEach((b) => b.classList.remove('hidden'));
// Every page loads HTMX before this script, and htmx.onLoad also runs for the first page.
htmx.onLoad((root) => {
  fitFilters(root);
  initCharts(root);
  drawZoomed(root);
  refilterCoins(root);
  restoreFocus(root);
  saveControls(root);
  if (root.matches && root.matches('[data-zoom-for]')) {
    const chartEl = document.getElementById(root.getAttribute('data-zoom-for'));
    if (chartEl) syncReset(chartEl);
  }
});
