// cryptodash's one page script. The pages work without it; with it, charts are drawn from the
// option JSON each page carries as data (the chart element's data-options), so no inline
// script is needed and the CSP can stay script-src 'self'. Everything here is wired to
// document-level events or htmx.onLoad, so it also covers content HTMX swaps in.
(function () {
  'use strict';

  // ECharts is loaded only when a chart is about to be used: evaluating it and drawing the
  // first chart cost a phone over a second of main thread, while the server's drawing of the
  // chart (views/chart_figure.templ) already shows everything but the interaction.
  var ECHARTS_SRC = document.currentScript && document.currentScript.getAttribute('data-echarts');

  // Charts narrower than this put their legend below the plot, wrapped, and show fewer x labels.
  var NARROW = 640;
  var charts = new Set();
  // narrowAt remembers whether each chart was laid out narrow, so a resize redraws only the
  // charts that cross the width.
  var narrowAt = new WeakMap();

  function isDark() {
    return document.documentElement.classList.contains('dark');
  }

  // ---- number formatting ------------------------------------------------------------------

  // withCurrency writes text with the currency's symbol from symbols (the chart's meta, filled
  // by the server from the same map as the table), or with its code when it has none.
  function withCurrency(currency, symbols, text) {
    if (!currency) return text;
    var sym = symbols[currency];
    if (text.charAt(0) === '-') return '-' + withCurrency(currency, symbols, text.slice(1));
    return sym ? sym + text : currency.toUpperCase() + ' ' + text;
  }

  // fullPrice keeps every digit that matters: cents and beyond for large prices, and at least
  // six significant digits for small ones (DOGE at 0.081234).
  function fullPrice(v, currency, symbols) {
    var a = Math.abs(v);
    var digits = a >= 1 ? 6 : Math.min(20, 5 - Math.floor(Math.log10(a || 1)));
    var text = v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits });
    return withCurrency(currency, symbols, text);
  }

  function compact(v, currency, symbols) {
    var a = Math.abs(v);
    var text = a !== 0 && a < 1
      ? String(Number(v.toPrecision(2)))
      : new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(v);
    return withCurrency(currency, symbols, text);
  }

  // percent writes a change given in percent as chart.Percent does (its Go test holds the
  // table of cases): signed, and without a sign when it rounds to zero ("0.00%").
  function percent(v, digits) {
    if (!isFinite(v)) return '–';
    var s = v.toFixed(digits);
    if (/^-?[0.]+$/.test(s)) return s.replace('-', '') + '%';
    return (v > 0 ? '+' : '') + s + '%';
  }

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function utcDate(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
  }

  function utcHour(ms) {
    return utcDate(ms) + ' ' + pad(new Date(ms).getUTCHours()) + ':00 UTC';
  }

  // ---- charts -----------------------------------------------------------------------------

  function first(o) {
    return Array.isArray(o) ? o[0] : o;
  }

  // within is root itself when it matches selector, then its matching descendants: what
  // htmx.onLoad hands over may be the element of interest or hold it.
  function within(root, selector) {
    var list = root.matches && root.matches(selector) ? [root] : [];
    return list.concat(Array.prototype.slice.call(root.querySelectorAll(selector)));
  }

  // withParams appends a query string (already encoded) to url.
  function withParams(url, query) {
    return url + (url.indexOf('?') < 0 ? '?' : '&') + query;
  }

  function sharedCurrency(meta) {
    var first = meta.currencies[0] || '';
    for (var i = 1; i < meta.currencies.length; i++) {
      if (meta.currencies[i] !== first) return '';
    }
    return first;
  }

  // applyFormatters adds what JSON cannot carry: functions for tooltips and axis labels.
  function applyFormatters(option, meta) {
    var pct = meta.mode === 'pct';
    var axisCurrency = sharedCurrency(meta);
    var symbols = meta.symbols || {};
    (Array.isArray(option.yAxis) ? option.yAxis : [option.yAxis]).forEach(function (y) {
      y.axisLabel = Object.assign({}, y.axisLabel, {
        formatter: function (v) { return pct ? percent(v, 0) : compact(v, axisCurrency, symbols); }
      });
    });
    option.tooltip = Object.assign({}, option.tooltip, {
      formatter: function (params) {
        if (!Array.isArray(params)) params = [params];
        if (!params.length) return '';
        var head = meta.kind === 'bar'
          ? params[0].name
          : (meta.granularity === 'hourly' ? utcHour(params[0].value[0]) : utcDate(params[0].value[0]));
        var lines = params.map(function (p) {
          var v = Array.isArray(p.value) ? p.value[1] : p.value;
          var text = pct ? percent(v, 2) : fullPrice(v, meta.currencies[p.seriesIndex] || '', symbols);
          return p.marker + escapeHTML(meta.kind === 'bar' ? (pct ? 'Change' : 'Mean price') : p.seriesName) +
            '<span style="float:right;margin-left:16px;font-weight:600;font-variant-numeric:tabular-nums">' +
            escapeHTML(text) + '</span>';
        });
        return '<div style="min-width:180px"><div style="margin-bottom:4px;font-weight:600">' +
          escapeHTML(head) + '</div>' + lines.join('<br>') + '</div>';
      }
    });
    if (meta.kind === 'line') {
      (Array.isArray(option.xAxis) ? option.xAxis : [option.xAxis]).forEach(function (x) {
        x.axisLabel = Object.assign({}, x.axisLabel, {
          formatter: meta.granularity === 'hourly'
            ? { day: '{MMM} {d}', hour: '{HH}:{mm}', minute: '{HH}:{mm}' }
            : { year: '{yyyy}', month: '{MMM}', day: '{MMM} {d}' }
        });
      });
    }
    return option;
  }

  // applyTheme swaps in each line's (or bar's) dark shade: the server's option carries the
  // light ones, since only the browser knows the theme.
  function applyTheme(option, meta) {
    if (!isDark() || !meta.dark) return option;
    var series = option.series || [];
    if (meta.kind === 'bar') {
      (series[0] && series[0].data || []).forEach(function (d, i) {
        if (meta.dark[i]) d.itemStyle = Object.assign({}, d.itemStyle, { color: meta.dark[i] });
      });
      return option;
    }
    series.forEach(function (s, i) {
      if (!meta.dark[i]) return;
      s.lineStyle = Object.assign({}, s.lineStyle, { color: meta.dark[i] });
      s.itemStyle = Object.assign({}, s.itemStyle, { color: meta.dark[i] });
    });
    return option;
  }

  // applyLayout fits the server's option to the chart's width and height: less room on the
  // right of a narrow chart, about one x label per 110 px (ECharts also hides any that would
  // overlap), and the panels of a chart split by currency stacked in the height the server
  // gave the chart.
  function applyLayout(option, meta, width, height) {
    var narrow = width < NARROW;
    var grids = Array.isArray(option.grid) ? option.grid : [option.grid];
    grids.forEach(function (g) { if (narrow) g.right = 22; });
    if (meta.kind !== 'line') return option;
    (Array.isArray(option.xAxis) ? option.xAxis : [option.xAxis]).forEach(function (x) {
      x.splitNumber = Math.max(2, Math.min(8, Math.floor(width / 110)));
    });
    var n = meta.panels || 1;
    if (n > 1) {
      var top = 24, bottom = 64, gap = 36;
      var each = (height - top - bottom - gap * (n - 1)) / n;
      grids.forEach(function (g, i) {
        g.top = Math.round(top + i * (each + gap));
        g.bottom = null;
        g.height = Math.round(each);
      });
    }
    return option;
  }

  function readData(el) {
    try {
      return JSON.parse(el.getAttribute('data-options'));
    } catch (e) {
      return null;
    }
  }

  // initChart draws el's chart from its data-options, replacing the chart already there (a
  // theme toggle, or a resize across the narrow width) while keeping that chart's zoom.
  function initChart(el) {
    var data = readData(el);
    if (!data || typeof echarts === 'undefined') return;
    var old = echarts.getInstanceByDom(el);
    var zoom = null;
    if (old) {
      zoom = zoomWindow(old);
      charts.delete(old);
      old.dispose();
    }
    el.textContent = '';
    var chart = echarts.init(el, isDark() ? 'dark' : null, { renderer: 'canvas' });
    narrowAt.set(chart, el.clientWidth < NARROW);
    var option = data.meta.kind === 'coin'
      ? coinOption(data.option, data.meta, el.clientWidth)
      : applyLayout(applyTheme(applyFormatters(data.option, data.meta), data.meta), data.meta, el.clientWidth, el.clientHeight);
    if (isZoomed(zoom)) {
      (option.dataZoom || []).forEach(function (dz) { Object.assign(dz, { start: zoom.startPct, end: zoom.endPct }); });
    } else {
      zoomFromPage(el, option);
    }
    chart.setOption(option);
    charts.add(chart);
    chart.on('datazoom', debounce(function () { onZoom(el, chart, data.meta); }, 350));
    syncReset(el);
  }

  // pruneCharts disposes instances whose element HTMX swapped out, so they do not leak.
  function pruneCharts() {
    charts.forEach(function (c) {
      var dom = c.getDom();
      if (!dom || !dom.isConnected) {
        c.dispose();
        charts.delete(c);
      }
    });
  }

  // initCharts draws the charts in root with ECharts once it is loaded; until then each stays
  // as the server drew it.
  function initCharts(root) {
    pruneCharts();
    if (typeof echarts !== 'undefined') within(root, '[data-chart]').forEach(initChart);
  }

  // drawWaiting draws every chart of the page that ECharts has not drawn yet.
  function drawWaiting() {
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      if (!echarts.getInstanceByDom(el)) initChart(el);
    });
  }

  var echartsWaiting = null;

  // withECharts calls then once ECharts is loaded, loading it the first time. A load that
  // fails leaves the drawn charts as they are; the next use tries again.
  function withECharts(then) {
    if (typeof echarts !== 'undefined') {
      then();
      return;
    }
    if (echartsWaiting) {
      echartsWaiting.push(then);
      return;
    }
    echartsWaiting = [then];
    var script = document.createElement('script');
    script.src = ECHARTS_SRC;
    script.onload = function () {
      var waiting = echartsWaiting;
      echartsWaiting = null;
      waiting.forEach(function (fn) { fn(); });
    };
    script.onerror = function () {
      echartsWaiting = null;
      script.remove();
    };
    document.head.appendChild(script);
  }

  // The first sign that a chart is about to be used (the pointer entering it, a touch, a
  // wheel, the keyboard's focus) loads ECharts, which then takes over every chart.
  function onChartIntent(e) {
    var el = e.target && e.target.closest && e.target.closest('[data-chart]');
    if (el && typeof echarts === 'undefined') withECharts(drawWaiting);
  }

  ['pointerover', 'pointerdown', 'touchstart', 'wheel', 'focusin'].forEach(function (name) {
    document.addEventListener(name, onChartIntent, { capture: true, passive: true });
  });

  function zoomWindow(chart) {
    var dz = (chart.getOption().dataZoom || [])[0];
    return dz ? { start: dz.startValue, end: dz.endValue, startPct: dz.start, endPct: dz.end } : null;
  }

  function isZoomed(w) {
    return !!w && (w.startPct > 0.01 || w.endPct < 99.99);
  }

  // syncReset shows the chart's own "Reset zoom" button while the chart is zoomed. The table
  // partial swaps the toolbar out of band (to refresh its URLs), which brings the button back
  // hidden, so this runs again after every such swap.
  function syncReset(chartEl) {
    var reset = document.querySelector('[data-chart-reset="' + chartEl.id + '"]');
    var chart = reset && typeof echarts !== 'undefined' && echarts.getInstanceByDom(chartEl);
    if (chart) reset.classList.toggle('hidden', !isZoomed(zoomWindow(chart)));
  }

  // onZoom shows "Reset zoom" while zoomed, and when a daily chart is zoomed to the server's
  // hourly span (meta.hourlyMaxMs, 2 days) or less it loads that window at hourly granularity
  // as a custom range (the server pushes its URL). The URL comes from the chart's toolbar,
  // which the table partial keeps current, so the zoomed view keeps the table's sort, page
  // size and column order. It runs debounced, so the chart may have been redrawn or swapped
  // out (and disposed) since the zoom.
  function onZoom(el, chart, meta) {
    if (chart.isDisposed()) return;
    var w = zoomWindow(chart);
    if (!w) return;
    syncReset(el);
    zoomToURL(chart, w, meta);
    if (!isZoomed(w) || meta.granularity !== 'daily' || w.end - w.start > meta.hourlyMaxMs) return;
    var toolbar = document.querySelector('[data-zoom-for="' + el.id + '"]');
    var url = toolbar && toolbar.getAttribute('data-zoom-url');
    if (!url || typeof htmx === 'undefined') return;
    url = withParams(url, 'range=custom&from=' + utcDate(w.start) + '&to=' + utcDate(w.end));
    htmx.ajax('GET', url, { target: '#results', swap: 'outerHTML', indicator: '#results-wrap' });
  }

  // ---- zoom in the URL ----------------------------------------------------------------------

  // A chart's zoom is part of its page's address (zoom=FROM..TO, UTC days or hours), so a copied
  // link opens on the same span. The server validates the parameter and puts the span on the
  // chart element in the x axis's own values (data-zoom-start/-end: milliseconds on a time
  // axis, band indexes on a coin chart's); each zoom replaces the address (replaceState: no
  // history entry per wheel turn). Only pages read zoom; a partial's new view starts unzoomed.
  function zoomFromPage(el, option) {
    var s = el.getAttribute('data-zoom-start');
    var e = el.getAttribute('data-zoom-end');
    if (!s || !e) return;
    (option.dataZoom || []).forEach(function (dz) {
      delete dz.start;
      delete dz.end;
      dz.startValue = Number(s);
      dz.endValue = Number(e);
    });
  }

  // zoomToURL writes the chart's zoom window w into the address, or takes it out when the
  // chart shows everything. A time axis's values are instants; a coin chart's are the indexes
  // of its day or hour labels ("2026-03-01", "2026-03-01 13:00").
  function zoomToURL(chart, w, meta) {
    if (!window.history.replaceState) return;
    var x = (chart.getOption().xAxis || [])[0] || {};
    var at;
    if (x.type === 'time') {
      at = function (v) { var iso = new Date(v).toISOString(); return meta.granularity === 'daily' ? iso.slice(0, 10) : iso.slice(0, 16); };
    } else if (meta.kind === 'coin') {
      at = function (v) { var label = (x.data || [])[Math.round(v)]; return label ? String(label).replace(' ', 'T') : ''; };
    } else {
      return;
    }
    var url = new URL(window.location.href);
    var from = isZoomed(w) ? at(w.start) : '';
    var to = isZoomed(w) ? at(w.end) : '';
    if (from && to) url.searchParams.set('zoom', from + '..' + to);
    else url.searchParams.delete('zoom');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }

  // A page opened zoomed draws its charts with ECharts at once: the server's drawing shows the
  // whole range.
  function drawZoomed(root) {
    if (within(root, '[data-chart][data-zoom-start]').some(function (el) { return !!el.getAttribute('data-zoom-start'); })) {
      withECharts(drawWaiting);
    }
  }

  function debounce(fn, ms) {
    var t;
    return function () {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  }

  // A chart that crosses the narrow width is drawn again with the other layout.
  window.addEventListener('resize', debounce(function () {
    charts.forEach(function (c) {
      var el = c.getDom();
      if (el && (el.clientWidth < NARROW) !== narrowAt.get(c)) initChart(el);
      else c.resize();
    });
  }, 150));

  document.addEventListener('click', function (e) {
    var reset = e.target.closest('[data-chart-reset]');
    if (reset) {
      var el = document.getElementById(reset.getAttribute('data-chart-reset'));
      var chart = el && typeof echarts !== 'undefined' && echarts.getInstanceByDom(el);
      if (chart) chart.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
      reset.classList.add('hidden');
      return;
    }
    if (e.target.closest('[data-theme-toggle]')) {
      var dark = !isDark();
      document.documentElement.classList.toggle('dark', dark);
      try { localStorage.setItem('theme', dark ? 'dark' : 'light'); } catch (err) { /* storage may be blocked */ }
      initCharts(document.body);
    }
  });

  // ---- form helpers -----------------------------------------------------------------------

  // A typed date is committed once: on change a date input reports every keystroke that
  // happens to make a valid date (typing 2026 passes through years 2, 20 and 202), so its
  // change events are held back here, in the capture phase before HTMX's listener on the form,
  // and the form is sent on blur or Enter instead, with one history entry. A committed date
  // means a custom range, and choosing a range by hand ends a zoom, so the range a zoom
  // replaced (orig) is no longer sent.
  function commitDates(input) {
    if (prepareDates(input)) htmx.trigger(input.form, 'datecommit');
  }

  // prepareDates readies the form to send typed dates, unless they are the ones on screen:
  // they make a custom range, which ends a zoom. It reports whether there is anything to send.
  function prepareDates(input) {
    var form = input.form;
    var last = input.hasAttribute('data-committed') ? input.getAttribute('data-committed') : input.defaultValue;
    if (!form || !input.value || input.value === last) return false;
    form.querySelectorAll('[data-custom-date]').forEach(function (d) { d.setAttribute('data-committed', d.value); });
    var custom = form.querySelector('input[name="range"][value="custom"]');
    if (custom) custom.checked = true;
    var orig = form.querySelector('[data-orig]');
    if (orig) orig.remove();
    return true;
  }

  // typedAt is when each date input last had a key pressed: a change right after a key is
  // typing, and waits for blur or Enter; any other change (the calendar picker) commits at once.
  // The focus cannot tell them apart: while a typed field advances to the next, Chrome moves
  // the focus to the body for an instant and reports the change then.
  var typedAt = new WeakMap();

  document.addEventListener('keydown', function (e) {
    if (e.target.matches && e.target.matches('[data-custom-date]')) typedAt.set(e.target, Date.now());
  }, true);

  document.addEventListener('change', function (e) {
    var t = e.target;
    if (t.matches('[data-custom-date]')) {
      e.stopPropagation();
      if (Date.now() - (typedAt.get(t) || 0) > 1000) commitDates(t);
      return;
    }
    if (t.form && t.matches('input[name="range"]')) {
      var orig = t.form.querySelector('[data-orig]');
      if (orig) orig.remove();
    }
    if (t.matches('[data-coin-search]')) e.stopPropagation();
    if (t.matches('input[name="coins"], input[name="currencies"]') && !t.checked && keepOne(t)) e.stopPropagation();
  }, true);

  // Moving between a date input's own day, month and year fields also reports a focusout,
  // so the date commits only once the focus has left the input itself.
  document.addEventListener('focusout', function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('[data-custom-date]')) return;
    setTimeout(function () {
      if (document.activeElement !== input) commitDates(input);
    }, 0);
  });

  // keepOne refuses to uncheck the last coin or currency: a view needs one of each, and
  // silently falling back to the defaults would show something the user did not choose. It
  // checks the box again and says why beside the group.
  function keepOne(box) {
    var form = box.form;
    var left = form.querySelectorAll('input[name="' + box.name + '"]:checked').length;
    if (left > 0) return false;
    box.checked = true;
    var slot = document.getElementById('error-' + box.name);
    if (slot) slot.textContent = box.name === 'coins'
      ? 'Keep at least one coin: the chart and table need one.'
      : 'Keep at least one currency: the chart and table need one.';
    return true;
  }

  function filterCoins(search) {
    var q = search.value.trim().toLowerCase();
    var box = search.closest('fieldset');
    box.querySelectorAll('[data-search]').forEach(function (label) {
      var item = label.closest('.coin-hover') || label;
      item.classList.toggle('hidden', q !== '' && label.getAttribute('data-search').toLowerCase().indexOf(q) < 0);
    });
  }

  document.addEventListener('input', function (e) {
    if (e.target.matches('[data-coin-search]')) filterCoins(e.target);
  });

  // A dashboard partial replaces the coin chips out of band; the search box stays, so its
  // filter is applied again to the new chips.
  function refilterCoins(root) {
    if (!root.matches || !root.matches('[data-coin-options]')) return;
    var search = root.closest('fieldset') && root.closest('fieldset').querySelector('[data-coin-search]');
    if (search && search.value) filterCoins(search);
  }

  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && e.target.matches('[data-coin-search]')) e.preventDefault();
    // Enter submits the form by itself, which sends the typed dates once.
    if (e.key === 'Enter' && e.target.matches('[data-custom-date]')) prepareDates(e.target);
    if (e.key === 'Escape') closeCards();
  });

  // A logo that cannot load is removed, uncovering the initials behind it. error does not
  // bubble, hence the capture phase.
  document.addEventListener('error', function (e) {
    if (e.target.matches && e.target.matches('img[data-logo]')) e.target.remove();
  }, true);

  // ---- coin hover cards -------------------------------------------------------------------

  // A card loads on the first hover of its trigger and is kept once it has loaded.
  // One that failed or was aborted shows a message and loads again on the next hover.
  var CARD_FAILED = 'Could not load the details. Hover again to retry.';

  // cardTrigger is the hover element an HTMX event is about: request events fire on the
  // trigger itself, swap events on its .coin-card-pop.
  function cardTrigger(e) {
    var t = e.target;
    if (t && t.matches && t.matches('.coin-card-pop')) t = t.closest('.coin-hover');
    return t && t.matches && t.matches('.coin-hover') ? t : null;
  }

  document.addEventListener('htmx:beforeRequest', function (e) {
    var t = cardTrigger(e);
    if (t && t.hasAttribute('data-card-loaded')) e.preventDefault();
  });

  document.addEventListener('htmx:afterSwap', function (e) {
    var t = cardTrigger(e);
    if (!t) return;
    t.setAttribute('data-card-loaded', '');
    placeCard(t);
  });

  function cardFailed(e) {
    var t = cardTrigger(e);
    if (!t || t.hasAttribute('data-card-loaded')) return;
    var pop = t.querySelector('.coin-card-pop');
    if (pop) {
      pop.innerHTML = '<span class="card block p-3 text-sm text-slate-500 dark:text-slate-400" data-testid="coin-card-failed"></span>';
      pop.firstChild.textContent = CARD_FAILED;
    }
  }

  ['htmx:sendAbort', 'htmx:sendError', 'htmx:timeout', 'htmx:responseError'].forEach(function (name) {
    document.addEventListener(name, cardFailed);
  });

  // placeCard puts an open card in the viewport with fixed positioning: below its trigger, or
  // above it when there is no room below, and never past the window's sides. Absolute
  // positioning would leave it inside the table's horizontal scroll box, which clips it on a
  // phone.
  function placeCard(trigger) {
    var pop = trigger.querySelector('.coin-card-pop');
    if (!pop) return;
    var r = trigger.getBoundingClientRect();
    var vw = document.documentElement.clientWidth;
    var vh = document.documentElement.clientHeight;
    pop.classList.add('is-fixed');
    pop.style.paddingTop = '';
    pop.style.paddingBottom = '';
    var w = pop.offsetWidth;
    var h = pop.offsetHeight;
    var left = Math.max(8, Math.min(r.left, vw - w - 8));
    var top = r.bottom;
    if (top + h > vh - 8 && r.top - h >= 8) {
      top = r.top - h;
      // The gap that lets the pointer move onto the card sits on the side facing the trigger.
      pop.style.paddingTop = '0';
      pop.style.paddingBottom = '0.5rem';
    }
    pop.style.left = left + 'px';
    pop.style.top = top + 'px';
  }

  // The card is display:none until the trigger is hovered, so it is measured a frame later,
  // once the browser shows it.
  document.addEventListener('mouseover', function (e) {
    var t = e.target.closest && e.target.closest('.coin-hover');
    if (t) requestAnimationFrame(function () { placeCard(t); });
  });

  // Escape closes the open card (a hover keeps it open otherwise) until the pointer leaves
  // its trigger.
  function closeCards() {
    document.querySelectorAll('.coin-hover:hover').forEach(function (t) {
      t.classList.add('card-closed');
    });
  }

  document.addEventListener('mouseleave', function (e) {
    var t = e.target.closest && e.target.closest('.coin-hover');
    if (t && e.target === t) t.classList.remove('card-closed');
  }, true);

  // An open card follows its trigger when the page or the table scrolls.
  window.addEventListener('scroll', function () {
    document.querySelectorAll('.coin-hover:hover').forEach(placeCard);
  }, true);

  // ---- column drag and drop ---------------------------------------------------------------

  var dragged = null;

  document.addEventListener('dragstart', function (e) {
    var th = e.target.closest && e.target.closest('th[data-col][draggable="true"]');
    if (!th) return;
    dragged = th.getAttribute('data-col');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', dragged);
  });

  document.addEventListener('dragover', function (e) {
    var th = dragged && e.target.closest && e.target.closest('th[data-col][draggable="true"]');
    if (!th) return;
    e.preventDefault();
    th.classList.add('drag-over');
  });

  document.addEventListener('dragleave', function (e) {
    var th = e.target.closest && e.target.closest('th[data-col]');
    if (th) th.classList.remove('drag-over');
  });

  document.addEventListener('drop', function (e) {
    var th = dragged && e.target.closest && e.target.closest('th[data-col][draggable="true"]');
    if (!th) return;
    e.preventDefault();
    th.classList.remove('drag-over');
    var target = th.getAttribute('data-col');
    var section = th.closest('#table-section');
    var from = dragged;
    dragged = null;
    if (target === from || !section) return;
    var visible = Array.prototype.map.call(section.querySelectorAll('th[data-col][draggable="true"]'),
      function (h) { return h.getAttribute('data-col'); });
    // Dropping on a column to the right puts the dragged one after it, to the left before it.
    var rightward = visible.indexOf(from) < visible.indexOf(target);
    visible.splice(visible.indexOf(from), 1);
    visible.splice(visible.indexOf(target) + (rightward ? 1 : 0), 0, from);
    var order = visible.concat(section.querySelector('input[name="cols"]').value.split(',').filter(function (c) {
      return visible.indexOf(c) < 0;
    }));
    var url = withParams(section.getAttribute('data-reorder-url'), 'cols=' + order.join(','));
    htmx.ajax('GET', url, { target: '#table-section', swap: 'outerHTML', indicator: '#results-wrap' });
  });

  document.addEventListener('dragend', function () { dragged = null; });

  // ---- filters disclosure ----------------------------------------------------------------

  // The CSS shows the filters open on wide screens from the first paint; opening the
  // <details> there too changes nothing on screen and keeps its state true for assistive
  // technology. Phones keep it as the server sent it: closed.
  var WIDE = window.matchMedia('(min-width: 1024px)');

  function fitFilters(root) {
    if (WIDE.matches) within(root, '[data-filters]').forEach(function (d) { d.open = true; });
  }

  if (WIDE.addEventListener) {
    WIDE.addEventListener('change', function () { fitFilters(document.body); });
  }

  // ---- errors -----------------------------------------------------------------------------

  var toastTimer;

  function toast(message) {
    var box = document.getElementById('toast');
    if (!box) {
      box = document.createElement('div');
      box.id = 'toast';
      box.setAttribute('role', 'alert');
      box.setAttribute('data-testid', 'toast');
      box.className = 'fixed inset-x-3 bottom-3 z-50 mx-auto max-w-md rounded-lg bg-rose-600 px-4 py-3 text-sm font-medium text-white shadow-lg';
      document.body.appendChild(box);
    }
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, 8000);
  }

  // The controls always say what the chart and table show: their state is kept after every
  // view that arrived, and put back when an update fails, so a failed change does not leave
  // the form showing a choice the page never drew.
  var shownControls = null;

  function saveControls() {
    var form = document.getElementById('controls');
    if (!form) return;
    shownControls = Array.prototype.map.call(form.elements, function (el) {
      return { el: el, name: el.name, value: el.value, checked: el.checked };
    });
  }

  function restoreControls() {
    var form = document.getElementById('controls');
    if (!form || !shownControls) return;
    shownControls.forEach(function (saved) {
      var el = saved.el.isConnected ? saved.el : null;
      if (!el && (saved.el.type === 'checkbox' || saved.el.type === 'radio')) {
        el = form.querySelector('input[name="' + saved.name + '"][value="' + CSS.escape(saved.value) + '"]');
      } else if (!el) {
        el = form.elements[saved.name];
      }
      if (!el || el instanceof RadioNodeList) return;
      if (el.type === 'checkbox' || el.type === 'radio') el.checked = saved.checked;
      else el.value = saved.value;
    });
  }

  function viewFailed(e, message) {
    if (cardTrigger(e)) return;
    restoreControls();
    toast(message + ' The controls are back to the view on screen.');
  }

  // A hover card says itself when it fails; the toast is for the view.
  document.addEventListener('htmx:responseError', function (e) {
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    viewFailed(e, 'Could not update the view (HTTP ' + status + ').');
  });

  document.addEventListener('htmx:sendError', function (e) {
    viewFailed(e, 'The server could not be reached; check your connection and try again.');
  });

  document.addEventListener('htmx:timeout', function (e) {
    viewFailed(e, 'The server took too long to answer; try again.');
  });

  // ---- keyboard column moves --------------------------------------------------------------

  // Moving a column swaps the table, which would drop the focus on the page: it goes back to
  // the same control of the moved column, or its sort link when the column reached an edge.
  var refocus = null;

  document.addEventListener('click', function (e) {
    var move = e.target.closest && e.target.closest('.col-move');
    if (move) refocus = { testid: move.getAttribute('data-testid'), col: move.closest('th').getAttribute('data-col') };
  });

  function restoreFocus(root) {
    if (!refocus || !root.matches || !root.matches('#table-section')) return;
    var el = root.querySelector('[data-testid="' + refocus.testid + '"]') ||
      root.querySelector('[data-testid="sort-' + refocus.col + '"]');
    refocus = null;
    if (el) el.focus();
  }

  // ---- coin page chart --------------------------------------------------------------------

  // A coin page's chart (meta.kind 'coin', built by chart.Candlesticks or chart.HourlyPrices)
  // has three panels on one axis of days or hours: price, 24 h volume, market cap. coinOption
  // gives it the theme's shade of each colour, its formatters and a phone's narrower margins.
  function coinOption(option, meta, width) {
    var dark = isDark();
    var shade = function (role) {
      var c = meta.colors[role];
      return c && (dark ? c.dark : c.light);
    };
    var symbols = meta.symbols || {};
    var cur = meta.currency;
    option.series.forEach(function (s) {
      if (s.type === 'candlestick') {
        Object.assign(s.itemStyle, { borderColor: shade('up'), color0: shade('down'), borderColor0: shade('down') });
        s.data.forEach(function (d) {
          if (d.itemStyle && d.itemStyle.color0) d.itemStyle.color0 = shade('downPartial');
        });
        return;
      }
      var c = shade(s.id);
      s.itemStyle = Object.assign({}, s.itemStyle, { color: c });
      if (s.lineStyle) s.lineStyle.color = c;
      if (s.areaStyle) s.areaStyle.color = c;
    });
    option.yAxis.forEach(function (y, i) {
      y.axisLabel = Object.assign({}, y.axisLabel, { formatter: function (v) { return coinAxisValue(v, cur, symbols); } });
      y.axisPointer = { label: { formatter: function (p) {
        return i === 0 ? fullPrice(p.value, cur, symbols) : coinAxisValue(p.value, cur, symbols);
      } } };
    });
    option.xAxis.forEach(function (x) {
      x.axisLabel = Object.assign({}, x.axisLabel, { formatter: function (v) { return coinAxisLabel(v, meta.step); } });
    });
    option.tooltip = Object.assign({}, option.tooltip, { formatter: function (params) { return coinTooltip(params, meta); } });
    if (width < NARROW) {
      option.grid.forEach(function (g) { Object.assign(g, { left: 18, right: 54 }); });
    }
    return option;
  }

  // The coin page's logo is in the first HTML, so it may fail before this script listens for
  // the error (above); one that already failed is removed here, uncovering the initials.
  document.querySelectorAll('img[data-logo]').forEach(function (img) {
    if (img.complete && !img.naturalWidth) img.remove();
  });

  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // coinAxisValue labels a value axis with the digits its ticks need to differ: a day of ETH
  // runs $1,940, $1,960 (where compact() would say $1.9K twice); amounts from 100,000 up are
  // compact ($55.2K would not be, but $1.25M and $31B are).
  function coinAxisValue(v, currency, symbols) {
    var a = Math.abs(v);
    var text = a >= 1e5
      ? new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 }).format(v)
      : a >= 1 || a === 0 ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(Number(v.toPrecision(3)));
    return withCurrency(currency, symbols, text);
  }

  // coinAxisLabel shortens a category ("2026-11-30", "2026-11-30 14:00"): days read "Nov 30",
  // hours "14:00" except midnight, which names its day.
  function coinAxisLabel(v, step) {
    var day = MONTHS[+v.slice(5, 7) - 1] + ' ' + (+v.slice(8, 10));
    if (step !== 'hour') return day;
    var hm = v.slice(11, 16);
    return hm === '00:00' ? day : hm;
  }

  function coinValue(p) {
    var d = p.data;
    return d !== null && typeof d === 'object' && !Array.isArray(d) ? d.value : d;
  }

  // coinTooltip lists a day's open, high, low and close (or an hour's price), its volume and
  // market cap at full precision, and says how many hours a day holds when not all 24: a
  // partial day (today, or cut by the start of the history) is flagged as such.
  function coinTooltip(params, meta) {
    if (!Array.isArray(params)) params = [params];
    if (!params.length) return '';
    var cur = meta.currency;
    var symbols = meta.symbols || {};
    var i = params[0].dataIndex;
    var rows = [];
    var row = function (label, text, marker) {
      return (marker || '') + escapeHTML(label) +
        '<span style="float:right;margin-left:16px;font-weight:600;font-variant-numeric:tabular-nums">' + escapeHTML(text) + '</span>';
    };
    var amount = function (v) {
      if (v === null || v === undefined || v === '-') return 'not reported';
      // Cents are the precision of a market cap or a volume; a price keeps every digit.
      if (Math.abs(v) >= 1e6) return withCurrency(cur, symbols, v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      return fullPrice(v, cur, symbols);
    };
    params.forEach(function (p) {
      var v = coinValue(p);
      if (p.seriesType === 'candlestick') {
        // ECharts hands a candle over as [category index, open, close, low, high].
        var o = p.value.slice(-4);
        rows.push(row('Open', amount(o[0])), row('High', amount(o[3])), row('Low', amount(o[2])), row('Close', amount(o[1])),
          row('Open to close', percent((o[1] / o[0] - 1) * 100, 2)));
      } else {
        rows.push(row(p.seriesName, amount(v), p.marker));
      }
    });
    var head = params[0].axisValue + (meta.step === 'hour' ? ' UTC' : '');
    var notes = [];
    if (meta.step === 'day') {
      var n = meta.samples[i];
      if (meta.partial && meta.partial[i]) notes.push('Partial day: ' + n + ' of 24 hours');
      else if (n < 24) notes.push(n + ' of 24 hours');
      if (meta.ends[i] && meta.ends[i] !== '23:00') notes.push('Volume and market cap as of ' + meta.ends[i] + ' UTC, the day\'s last stored hour');
    }
    return '<div style="min-width:200px"><div style="margin-bottom:4px;font-weight:600">' + escapeHTML(head) + '</div>' +
      rows.join('<br>') +
      notes.map(function (t) { return '<div style="margin-top:4px;font-size:11px;max-width:240px;white-space:normal">' + escapeHTML(t) + '</div>'; }).join('') +
      '</div>';
  }

  // ---- start ------------------------------------------------------------------------------

  // Every page loads HTMX before this script, and htmx.onLoad also runs for the first page.
  function start() {
    document.querySelectorAll('[data-theme-toggle]').forEach(function (b) { b.classList.remove('hidden'); });
    htmx.onLoad(function (root) {
      fitFilters(root);
      initCharts(root);
      drawZoomed(root);
      refilterCoins(root);
      restoreFocus(root);
      if (root === document.body || (root.matches && root.matches('#results, #table-section'))) saveControls();
      if (root.matches && root.matches('[data-zoom-for]')) {
        var chartEl = document.getElementById(root.getAttribute('data-zoom-for'));
        if (chartEl) syncReset(chartEl);
      }
    });
  }

  start();
})();
