package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cryptodash/cryptodash/internal/chart"
)

// TestBrowser_Analyst checks, in headless Chromium against the real server, what issue 7 asked
// of the dashboard: a first screen that says something, numbers and colours that hold from
// view to view, interactions to trust, a steady and light phone page, and no accessibility
// violations.
func TestBrowser_Analyst(t *testing.T) {
	chromiumPath(t)
	srv := startServer(t)
	b := newBrowser(t, 1400, 1000)
	ctx := b.tab()
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		b.setPhase(name)
		t.Run(name, f)
	}

	step("the first screen", func(t *testing.T) {
		do(t, ctx, "open /", chromedp.Navigate(srv.URL+"/"))
		useChart(t, ctx)
		type card struct {
			Name, Last, Change, High, Low string
			Spark                         bool
			Top                           float64
		}
		type first struct {
			Cards    []card
			Legend   []string
			Mode     string
			Y        string
			Symbols  []bool
			Colors   map[string]string
			Viewport float64
		}
		got := eval[first](t, ctx, `(() => {
			const c = `+chartJS+`;
			const o = c.getOption();
			const colors = {};
			o.series.forEach(s => { colors[s.name] = s.lineStyle.color; });
			const text = (el, sel) => el.querySelector(sel).textContent.trim();
			return {
				Cards: [...document.querySelectorAll('[data-testid=card]')].map(el => ({
					Name: text(el, '[data-testid=card-name]'), Last: text(el, '[data-testid=card-last]'),
					Change: text(el, '[data-testid=card-change]'), High: text(el, '[data-testid=card-high]'),
					Low: text(el, '[data-testid=card-low]'), Spark: !!el.querySelector('svg.sparkline polyline'),
					Top: el.getBoundingClientRect().top,
				})),
				Legend: [...document.querySelectorAll('[data-testid=legend] li')].map(li => li.textContent.trim()),
				Mode: JSON.parse(document.getElementById('chart-prices').dataset.options).meta.mode,
				Y: o.yAxis[0].type,
				Symbols: o.series.map(s => s.showSymbol),
				Colors: colors,
				Viewport: window.innerHeight,
			};
		})()`)
		if len(got.Cards) != 6 {
			t.Fatalf("%d cards, want one per selected series (3 coins × 2 currencies)", len(got.Cards))
		}
		for _, c := range got.Cards {
			if c.Last == "" || !strings.HasSuffix(c.Change, "%") || c.High == "" || c.Low == "" || !c.Spark || c.Top > got.Viewport {
				t.Errorf("card %+v lacks a number, its sparkline, or a place on the first screen", c)
			}
		}
		// Changes in percent put BTC/TRY and DOGE/USD on one readable, linear axis.
		if got.Mode != "pct" || got.Y != "value" || len(got.Legend) != 6 {
			t.Errorf("default view: mode %q, y axis %q, legend %q; want %% change on a linear axis with a line each", got.Mode, got.Y, got.Legend)
		}
		for i, shown := range got.Symbols {
			if shown {
				t.Errorf("line %d marks every point of a 30-day line", i)
			}
		}
		want := map[string]string{"BTC / USD": chart.CoinColor("bitcoin").Light, "ETH / TRY": chart.CoinColor("ethereum").Light,
			"DOGE / TRY": chart.CoinColor("dogecoin").Light}
		for name, color := range want {
			if got.Colors[name] != color {
				t.Errorf("%s is drawn %q, want its coin's %q", name, got.Colors[name], color)
			}
		}
		// A zoom to hours is another view: every series keeps its colour.
		s := swap(t, ctx, "zoom to hours", "results", []string{"range=custom"}, chromedp.Evaluate[chromedp.Void](`(() => {
			const c = `+chartJS+`;
			const d = c.getOption().series[0].data;
			const end = d[d.length - 1].value[0];
			c.dispatchAction({type: 'dataZoom', startValue: end - 24 * 3600 * 1000, endValue: end});
		})()`))
		if s.XStepMins != 60 {
			t.Fatalf("the zoom did not load hours (x step %v min)", s.XStepMins)
		}
		after := eval[map[string]string](t, ctx, `(() => { const m = {}; `+chartJS+`.getOption().series.forEach(s => { m[s.name] = s.lineStyle.color; }); return m; })()`)
		for name, color := range want {
			if after[name] != color {
				t.Errorf("after the zoom %s is drawn %q, want %q still", name, after[name], color)
			}
		}
	})

	step("many series and bars", func(t *testing.T) {
		do(t, ctx, "open every series", chromedp.Navigate(srv.URL+"/?coins=bitcoin,ethereum,dogecoin,solana&currencies=usd,try,eur&range=1w"))
		useChart(t, ctx)
		// Twelve lines still share a plot; the browser test server has 4 coins in 3
		// currencies, so panels are checked in internal/chart. Bars always stand on zero.
		if n := eval[int](t, ctx, chartJS+`.getOption().series.length`); n != 12 {
			t.Errorf("%d lines, want 12", n)
		}
		do(t, ctx, "open bars of prices on a log scale", chromedp.Navigate(srv.URL+"/?mode=price&scale=log&breakdown=coin,currency"))
		useChart(t, ctx)
		if y := eval[string](t, ctx, chartJS+`.getOption().yAxis[0].type`); y != "value" {
			t.Errorf("bars on a %q axis; a log axis has no zero for them to stand on", y)
		}
	})

	step("typing a date commits once", func(t *testing.T) {
		do(t, ctx, "open /", chromedp.Navigate(srv.URL+"/"))
		waitFor(t, ctx, "the chart shows", chartShown, `document.body.innerText.slice(0, 300)`)
		eval[chromedp.Void](t, ctx, `window.__requests = 0; window.__history = history.length;
			document.body.addEventListener('htmx:beforeRequest', e => { if (e.detail.elt.id === 'controls') window.__requests++; })`)
		// Click the month of the date (the left of the field, as en-US writes mm/dd/yyyy) and
		// type the whole date, as a person does: every digit makes some valid date.
		month := eval[[]float64](t, ctx, `(() => { const r = document.querySelector('[data-testid="range-from"]').getBoundingClientRect(); return [r.x + 16, r.y + r.height / 2]; })()`)
		do(t, ctx, "type a start date by keyboard",
			chromedp.MouseClickXY(month[0], month[1]),
			chromedp.KeyEvent("11"), chromedp.KeyEvent("05"), chromedp.KeyEvent("2026"))
		if n := eval[int](t, ctx, `window.__requests`); n != 0 {
			t.Errorf("typing sent %d requests before the date was committed", n)
		}
		s := swap(t, ctx, "press Enter", "results", []string{"range=custom", "from=2026-11-05"}, chromedp.KeyEvent("\r"))
		if n := eval[int](t, ctx, `window.__requests`); n != 1 {
			t.Errorf("one typed date sent %d requests, want 1", n)
		}
		if n := eval[int](t, ctx, `history.length - window.__history`); n != 1 {
			t.Errorf("one typed date added %d history entries, want 1", n)
		}
		if s.Checked["range"][0] != "custom" {
			t.Errorf("range shows %q after a typed date, want custom", s.Checked["range"])
		}
	})

	step("the last coin and currency stay", func(t *testing.T) {
		do(t, ctx, "open one coin", chromedp.Navigate(srv.URL+"/?coins=bitcoin&currencies=usd"))
		waitFor(t, ctx, "the chart shows", chartShown, `document.body.innerText.slice(0, 300)`)
		eval[chromedp.Void](t, ctx, `window.__requests = 0;
			document.body.addEventListener('htmx:beforeRequest', e => { if (e.detail.elt.id === 'controls') window.__requests++; })`)
		do(t, ctx, "untick the last coin", click(`[data-testid="option-coins-bitcoin"]`))
		do(t, ctx, "untick the last currency", click(`[data-testid="option-currencies-usd"]`))
		type kept struct {
			Coin, Currency       bool
			CoinMsg, CurrencyMsg string
			Requests             int
		}
		got := eval[kept](t, ctx, `({
			Coin: document.getElementById('input-coins-bitcoin').checked,
			Currency: document.getElementById('input-currencies-usd').checked,
			CoinMsg: document.getElementById('error-coins').textContent,
			CurrencyMsg: document.getElementById('error-currencies').textContent,
			Requests: window.__requests,
		})`)
		if !got.Coin || !got.Currency || got.Requests != 0 || !strings.Contains(got.CoinMsg, "at least one coin") || !strings.Contains(got.CurrencyMsg, "at least one currency") {
			t.Errorf("after unticking the last coin and currency: %+v; want both kept, no request, and why", got)
		}
	})

	step("a failed update puts the controls back", func(t *testing.T) {
		do(t, ctx, "open /", chromedp.Navigate(srv.URL+"/"))
		waitFor(t, ctx, "the chart shows", chartShown, `document.body.innerText.slice(0, 300)`)
		b.expect("htmx:sendError", "htmx:afterRequest", "ERR_BLOCKED_BY_CLIENT")
		block := network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/partials/*", Block: true}}}
		if _, err := chromedp.Call(ctx, network.SetBlockedURLs, block); err != nil {
			t.Fatal(err)
		}
		defer func() { _, _ = chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{}) }()
		do(t, ctx, "add Solana while the server cannot be reached", click(`[data-testid="option-coins-solana"]`))
		waitFor(t, ctx, "the failure is reported", `(() => { const el = document.querySelector('[data-testid=toast]'); return el && !el.hidden; })()`, `document.body.innerText.slice(0, 200)`)
		if eval[bool](t, ctx, `document.getElementById('input-coins-solana').checked`) {
			t.Error("Solana stays ticked although the chart never showed it")
		}
		if msg := eval[string](t, ctx, `document.querySelector('[data-testid=toast]').textContent`); !strings.Contains(msg, "back to the view on screen") {
			t.Errorf("toast %q does not say the controls were put back", msg)
		}
	})

	step("the sort falls back when its column goes", func(t *testing.T) {
		do(t, ctx, "open a view sorted by currency", chromedp.Navigate(srv.URL+"/?sort=currency&dir=asc"))
		waitFor(t, ctx, "the chart shows", chartShown, `document.body.innerText.slice(0, 300)`)
		s := swap(t, ctx, "drop Currency from the breakdown", "results", []string{"breakdown=date,coin"},
			click(`[data-testid="option-breakdown-currency"]`))
		if s.SortCol != "date" || s.SortDir != "descending" || strings.Contains(s.Search, "sort=") || strings.Contains(s.Search, "dir=") {
			t.Errorf("sorted by %s %s, search %q; want the default, newest first, with no leftover direction", s.SortCol, s.SortDir, s.Search)
		}
	})

	step("a moved column keeps the focus", func(t *testing.T) {
		do(t, ctx, "open /", chromedp.Navigate(srv.URL+"/"))
		waitFor(t, ctx, "the chart shows", chartShown, `document.body.innerText.slice(0, 300)`)
		s := swap(t, ctx, "move Coin left from the keyboard", "table-section", []string{"cols=coin,date,currency"},
			chromedp.Steps(chromedp.Focus(chromedp.CSS(`[data-testid="move-left-coin"]`)), chromedp.KeyEvent("\r")))
		if s.Cols[0] != "coin" {
			t.Fatalf("columns %q", s.Cols)
		}
		if f := eval[string](t, ctx, `document.activeElement.dataset.testid || document.activeElement.tagName`); f != "move-right-coin" && f != "sort-coin" {
			t.Errorf("after the move the focus is on %q, not on the moved column", f)
		}
	})

	step("Escape closes a hover card", func(t *testing.T) {
		trigger := `[data-testid="row"] [data-testid="coin-cell"]`
		box := eval[[]float64](t, ctx, `(() => { const el = document.querySelector('`+trigger+`'); el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
		do(t, ctx, "hover a coin", chromedp.MouseEvent(chromedp.MouseMoved, box[0], box[1]))
		pop := `document.querySelector('[data-testid="row"] [data-testid="coin-card-pop"]')`
		waitFor(t, ctx, "the card shows", pop+`.getBoundingClientRect().height > 0`, pop+`.outerHTML.slice(0, 200)`)
		do(t, ctx, "press Escape", chromedp.KeyEvent("\u001b"))
		waitFor(t, ctx, "the card closes", pop+`.getBoundingClientRect().height === 0`, pop+`.className`)
		do(t, ctx, "move away", chromedp.MouseEvent(chromedp.MouseMoved, 1, 1))
	})

	step("without JavaScript", func(t *testing.T) {
		tab := b.newTab(t)
		if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		do(t, tab, "open /", chromedp.Navigate(srv.URL+"/"))
		if href := eval[string](t, tab, `document.querySelector('[data-testid="coin-link-bitcoin"]').getAttribute('href')`); href != "/coins/bitcoin" {
			t.Errorf("the Bitcoin chip links to %q, want its page", href)
		}
		// Without the script no card can load, so none may say "Loading…" forever.
		box := eval[[]float64](t, tab, `(() => { const r = document.querySelector('[data-testid="coin-link-bitcoin"]').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
		do(t, tab, "hover the link", chromedp.MouseEvent(chromedp.MouseMoved, box[0], box[1]))
		if h := eval[float64](t, tab, `document.querySelector('[data-coin="bitcoin"] [data-testid="coin-card-pop"]').getBoundingClientRect().height`); h != 0 {
			t.Errorf("a hover card of %v px shows without JavaScript", h)
		}
		// Typed dates mean a custom range, though nothing ticked "Custom".
		do(t, tab, "type dates", chromedp.SetValue(chromedp.CSS(`[data-testid="range-from"]`), "2026-11-01"), chromedp.SetValue(chromedp.CSS(`[data-testid="range-to"]`), "2026-11-03"))
		if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`[data-testid="apply"]`), chromedp.NodeVisible)); err != nil {
			t.Fatalf("submit the form: %v", err)
		}
		s := readState(t, tab)
		if !strings.Contains(s.Through, "2026-11-01 00:00 → 2026-11-03 23:00") {
			t.Errorf("after typed dates the page shows %q, want the three days typed, hour by hour", s.Through)
		}
	})

	step("a steady, light phone page", func(t *testing.T) {
		tab := b.newTab(t)
		var mu sync.Mutex
		bytes := 0.0
		err := chromedp.Listen(tab, func(ev any) {
			if e, ok := ev.(*network.EventLoadingFinished); ok {
				mu.Lock()
				bytes += e.EncodedDataLength
				mu.Unlock()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		do(t, tab, "emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
		if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		do(t, tab, "open / for the first time", chromedp.Navigate(srv.URL+"/"))
		waitFor(t, tab, "the page has loaded", `document.readyState === 'complete' && `+chartShown, `document.body.innerText.slice(0, 300)`)
		mu.Lock()
		shown := bytes / 1024
		mu.Unlock()
		// ECharts comes with the chart's first use, so the first screen is HTML, CSS and two
		// small scripts.
		if shown >= 100 {
			t.Errorf("the first screen moved %.0f KB, want under 100 KB", shown)
		}
		// A tap is an input, after which the layout-shift score forgives shifts for half a
		// second, so the box is also measured across the swap to ECharts.
		box := `(() => { const r = document.getElementById('chart-prices').getBoundingClientRect(); return [r.top + scrollY, r.left, r.width, r.height]; })()`
		before := eval[[]float64](t, tab, box)
		useChart(t, tab)
		if after := eval[[]float64](t, tab, box); !slices.Equal(before, after) {
			t.Errorf("the chart box was %v and is %v with ECharts", before, after)
		}
		checkLayoutShift(t, tab, "a phone's first visit, the chart drawn by ECharts")
		mu.Lock()
		kb := bytes / 1024
		mu.Unlock()
		t.Logf("first visit to / on a phone: %.0f KB transferred for the first screen, %.0f KB with ECharts", shown, kb)
		if kb >= 250 {
			t.Errorf("a first visit and the chart's first use moved %.0f KB, want under 250 KB", kb)
		}
		if open := eval[bool](t, tab, `document.getElementById('filters').open`); open {
			t.Error("the filters are open on a phone")
		}
	})

	axe, err := os.ReadFile(filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is installed by npm ci (make css): %v", err)
	}
	for _, theme := range []string{"light", "dark"} {
		for _, page := range []string{"/", "/status", "/coins/bitcoin"} {
			step("no accessibility violations on "+page+" in "+theme, func(t *testing.T) {
				checkAxe(t, ctx, srv.URL, page, theme, string(axe))
			})
		}
	}
}

// checkAxe opens page in theme and fails with every violation axe-core finds; on a page with
// a chart, both with the server's drawing of it and once ECharts has drawn it.
func checkAxe(t *testing.T, ctx context.Context, origin, page, theme, axe string) {
	t.Helper()
	do(t, ctx, "open "+page, chromedp.Navigate(origin+page))
	eval[chromedp.Void](t, ctx, `localStorage.setItem('theme', '`+theme+`')`)
	do(t, ctx, "reload in "+theme, chromedp.Reload())
	waitFor(t, ctx, "the page settles", `document.readyState === 'complete' && !document.querySelector('.htmx-request')`+
		` && (!document.getElementById('chart-prices') || `+chartShown+`)`, `document.readyState`)
	eval[chromedp.Void](t, ctx, axe)
	runAxe(t, ctx, page+" "+theme)
	if eval[bool](t, ctx, `!!document.querySelector('[data-chart] [data-testid=chart-figure]')`) {
		pointAtChart(t, ctx)
		waitFor(t, ctx, "ECharts draws the chart", `!!window.echarts && !!echarts.getInstanceByDom(document.querySelector('[data-chart]'))`, `typeof window.echarts`)
		runAxe(t, ctx, page+" "+theme+" with ECharts")
	}
}

// runAxe fails with every violation axe-core (loaded in the page) finds there.
func runAxe(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	type violation struct {
		ID, Help string
		Nodes    []string
	}
	got := evalAsync[[]violation](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		ID: v.id, Help: v.help, Nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\s+/g, ' ')),
	})))`)
	for _, v := range got {
		t.Errorf("%s: %s (%s)\n    %s", where, v.ID, v.Help, strings.Join(v.Nodes, "\n    "))
	}
}

// evalAsync is eval for an expression that gives a promise: it waits for the promise's value.
func evalAsync[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
