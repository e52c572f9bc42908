package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// coinChartJS finds the coin page's ECharts instance, or null before app.js has drawn it.
const coinChartJS = `(window.echarts && document.getElementById('chart-coin') ? echarts.getInstanceByDom(document.getElementById('chart-coin')) : null)`

// coinChartDrawn holds once app.js has drawn the coin chart of a page that is not the one
// tagged __stale before a navigation, with a first series of the given type.
func coinChartDrawn(firstType string) string {
	return `(() => { if (window.__stale) return false; const c = ` + coinChartJS + `; const o = c && c.getOption();
		return !!o && o.series.length === 3 && o.series[0].type === '` + firstType + `' && o.series[0].data.length > 0; })()`
}

// layoutShiftJS sums the page's layout shifts not caused by input, from the start of the
// page (buffered), into window.__cls half a second later, so shifts after the chart is
// drawn count too.
const layoutShiftJS = `(() => {
	window.__cls = undefined;
	let sum = 0;
	const add = list => list.forEach(e => { if (!e.hadRecentInput) sum += e.value; });
	const po = new PerformanceObserver(l => add(l.getEntries()));
	po.observe({type: 'layout-shift', buffered: true});
	setTimeout(() => { add(po.takeRecords()); po.disconnect(); window.__cls = sum; }, 500);
})()`

// checkLayoutShift fails when the page's cumulative layout shift reaches 0.05.
func checkLayoutShift(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, layoutShiftJS)
	waitFor(t, ctx, "layout shifts are summed", `typeof window.__cls === 'number'`, `window.__cls`)
	if cls := eval[float64](t, ctx, `window.__cls`); cls >= 0.05 {
		t.Errorf("%s: cumulative layout shift %.3f, want under 0.05", where, cls)
	}
}

// useCoinChart waits for the coin page's drawing of its chart, points at the chart, and waits
// for ECharts to draw it with a first series of the given type.
func useCoinChart(t *testing.T, ctx context.Context, firstType string) {
	t.Helper()
	waitFor(t, ctx, "the page shows its drawing of the chart", `!window.__stale && !!document.querySelector('#chart-coin [data-testid=chart-figure]')`,
		`[location.href, !!window.__stale]`)
	pointAtChart(t, ctx)
	waitFor(t, ctx, "ECharts draws the chart", coinChartDrawn(firstType), `[location.href, typeof window.echarts]`)
}

// followLink clicks a plain link, waits for the navigation it starts, and then has ECharts
// draw the next page's chart.
func followLink(t *testing.T, ctx context.Context, what, sel, firstType string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `window.__stale = true`)
	nctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(nctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	useCoinChart(t, ctx, firstType)
}

// TestBrowser_CoinPage opens a coin page in headless Chromium against the real server
// reading simulator data, on a desktop and a phone, and checks that the chart draws, the range
// and currency links work, and nothing moves once the page is shown.
func TestBrowser_CoinPage(t *testing.T) {
	chromiumPath(t)
	srv := startServer(t)
	b := newBrowser(t, 1400, 1000)

	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		b.setPhase(name)
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("desktop", func(t *testing.T) {
		ctx := b.tab()
		do(t, ctx, "set the viewport", chromedp.EmulateViewport(1400, 1000))
		do(t, ctx, "open /coins/bitcoin", chromedp.Navigate(srv.URL+"/coins/bitcoin"))
		// The server draws the chart; ECharts waits for the chart's first use.
		waitFor(t, ctx, "the page has loaded", `document.readyState === 'complete'`, `document.readyState`)
		if n := eval[int](t, ctx, `document.querySelectorAll('#chart-coin [data-testid=candle]').length`); n < 85 || eval[bool](t, ctx, `typeof window.echarts !== 'undefined'`) {
			t.Errorf("before any use the page draws %d candles and has ECharts %v: want a drawing of the 3M of days, no ECharts",
				n, eval[bool](t, ctx, `typeof window.echarts !== 'undefined'`))
		}
		useCoinChart(t, ctx, "candlestick")
		type page struct {
			Candles int      `json:"candles"`
			Rows    int      `json:"rows"`
			Panels  []string `json:"panels"`
			YTypes  []string `json:"yTypes"`
			H1      int      `json:"h1"`
			Last    string   `json:"last"`
			Through string   `json:"through"`
		}
		got := eval[page](t, ctx, `(() => { const o = `+coinChartJS+`.getOption(); return {
			candles: o.series[0].data.length,
			rows: document.querySelectorAll('[data-testid=ohlc-row]').length,
			panels: o.series.map(s => s.type),
			yTypes: o.yAxis.map(y => y.type),
			h1: document.querySelectorAll('h1').length,
			last: document.querySelector('[data-testid=stat-last] [data-testid=stat-value]').textContent.trim(),
			through: document.querySelector('[data-testid=data-through]').textContent.replace(/\s+/g, ' '),
		}; })()`)
		if got.Candles < 85 || got.Candles != got.Rows {
			t.Errorf("%d candles and %d table rows, want the same 3M of days", got.Candles, got.Rows)
		}
		if strings.Join(got.Panels, ",") != "candlestick,bar,line" || strings.Join(got.YTypes, ",") != "value,value,value" {
			t.Errorf("panels %v on axes %v, want candles, volume bars and a market cap line, all linear", got.Panels, got.YTypes)
		}
		if got.H1 != 1 || !strings.HasPrefix(got.Last, "$") || !strings.Contains(got.Through, "daily candles") {
			t.Errorf("%d h1, last price %q, %q", got.H1, got.Last, got.Through)
		}
		checkLayoutShift(t, ctx, "the desktop coin page")

		// The tooltip is app.js's own formatter: a day's open, high, low and close.
		eval[chromedp.Void](t, ctx, coinChartJS+`.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 3})`)
		waitFor(t, ctx, "the tooltip lists the day's prices",
			`(() => { const t = document.getElementById('chart-coin').innerText; return ['Open', 'High', 'Low', 'Close', '24 h volume', 'Market cap'].every(w => t.includes(w)); })()`,
			`document.getElementById('chart-coin').innerText`)
	})

	step("range and currency", func(t *testing.T) {
		ctx := b.tab()
		followLink(t, ctx, "choose 1D", `[data-testid="coin-range-1d"]`, "line")
		if q := eval[string](t, ctx, `location.search`); q != "?range=1d" {
			t.Errorf("1D went to %q", q)
		}
		// The simulator skips about one hour in 25, chosen by the hour, so how many of the 24
		// are stored depends on the date; what is certain is that the chart draws each hour the
		// page's table lists, keeps a place (a gap) for each missing one, and spans no more
		// than a day.
		hours := eval[struct{ Points, Slots, Rows int }](t, ctx, `(() => { const d = `+coinChartJS+`.getOption().series[0].data;
			return {points: d.filter(p => p.value !== '-').length, slots: d.length,
				rows: document.querySelectorAll('[data-testid=ohlc-row]').length}; })()`)
		if hours.Points != hours.Rows || hours.Points < 1 || hours.Slots > 24 || hours.Slots < hours.Points {
			t.Errorf("1D draws %d hours in %d places and its table lists %d, want the same day of hours", hours.Points, hours.Slots, hours.Rows)
		}
		followLink(t, ctx, "choose EUR", `[data-testid="coin-currency-eur"]`, "line")
		if q := eval[string](t, ctx, `location.search`); q != "?currency=eur&range=1d" {
			t.Errorf("EUR went to %q, want the range kept", q)
		}
		if last := eval[string](t, ctx, `document.querySelector('[data-testid=stat-last] [data-testid=stat-value]').textContent.trim()`); !strings.HasPrefix(last, "€") {
			t.Errorf("the last price in EUR reads %q", last)
		}
		followLink(t, ctx, "back to 3M", `[data-testid="coin-range-3m"]`, "candlestick")
		if q := eval[string](t, ctx, `location.search`); q != "?currency=eur" {
			t.Errorf("3M went to %q, want the default range left out", q)
		}
	})

	step("phone", func(t *testing.T) {
		tab := b.newTab(t)
		do(t, tab, "emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		do(t, tab, "open /coins/dogecoin", chromedp.Navigate(srv.URL+"/coins/dogecoin?currency=try"))
		useCoinChart(t, tab, "candlestick")
		type phone struct {
			ScrollW float64 `json:"scrollW"`
			ViewW   float64 `json:"viewW"`
			ChartW  float64 `json:"chartW"`
			Links   float64 `json:"links"`
		}
		got := eval[phone](t, tab, `({
			scrollW: document.documentElement.scrollWidth,
			viewW: document.documentElement.clientWidth,
			chartW: `+coinChartJS+`.getWidth(),
			links: document.querySelector('[data-testid=coin-ranges]').getBoundingClientRect().right,
		})`)
		if got.ScrollW > got.ViewW || got.ChartW > got.ViewW || got.Links > got.ViewW {
			t.Errorf("the page is %.0f px wide, its chart %.0f px and its range links end at %.0f px, on a %.0f px screen", got.ScrollW, got.ChartW, got.Links, got.ViewW)
		}
		checkLayoutShift(t, tab, "the phone coin page")
	})
}

// TestScreenshotsCoin writes PNGs of a coin page priced in BTC (light and dark, desktop and
// phone) for people to look at; make screenshots runs it with TestScreenshots.
func TestScreenshotsCoin(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("run make screenshots")
	}
	if err := os.MkdirAll(*screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t)
	b := newBrowser(t, 1400, 1000)
	for _, shot := range []struct {
		name  string
		phone bool
		theme string
	}{{"coin-light.png", false, "light"}, {"coin-dark.png", false, "dark"}, {"coin-phone-light.png", true, "light"}, {"coin-phone-dark.png", true, "dark"}} {
		t.Run(shot.name, func(t *testing.T) {
			tab := b.newTab(t)
			viewport := chromedp.EmulateViewport(1400, 1000)
			if shot.phone {
				viewport = chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)
			}
			do(t, tab, "set the viewport", viewport)
			// Ethereum priced in bitcoin: the returns strip, the supply facts and a BTC-quoted chart.
			do(t, tab, "open /coins/ethereum?currency=btc", chromedp.Navigate(srv.URL+"/coins/ethereum?currency=btc"))
			eval[chromedp.Void](t, tab, `localStorage.setItem('theme', '`+shot.theme+`')`)
			do(t, tab, "reload", chromedp.Reload())
			useCoinChart(t, tab, "candlestick")
			waitFor(t, tab, "the logo has loaded", `[...document.querySelectorAll('img[data-logo]')].every(i => i.complete)`, ``)
			sctx, cancel := context.WithTimeout(tab, 20*time.Second)
			defer cancel()
			png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			path := filepath.Join(*screenshotDir, shot.name)
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", path)
		})
	}
}
