package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The dashboard on a phone and without JavaScript, beside the walk through it on a desktop
// (TestBrowser_Dashboard): each starts from a fresh server and browser, so one passes or
// fails on its own.

// TestBrowser_DashboardPhone opens the dashboard on a phone's screen: filters folded away,
// the chart first, nothing wider than the screen.
func TestBrowser_DashboardPhone(t *testing.T) {
	chromiumPath(t)
	srv := startServer(t)
	tab := newBrowser(t, 1400, 1000).tab()
	do(t, tab, "emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	do(t, tab, "open /", chromedp.Navigate(srv.URL+"/"))
	useChart(t, tab)
	type phoneState struct {
		FiltersOpen   bool      `json:"filtersOpen"`
		Summary       string    `json:"summary"`
		ChartBottom   float64   `json:"chartBottom"`
		ViewportH     float64   `json:"viewportH"`
		ViewportW     float64   `json:"viewportW"`
		PriceRight    float64   `json:"priceRight"`
		CellRight     float64   `json:"cellRight"`
		HeaderHeights []float64 `json:"headerHeights"`
		HeaderWidths  []float64 `json:"headerWidths"`
		Coin          string    `json:"coin"`
		Legend        string    `json:"legend"`
	}
	got := eval[phoneState](t, tab, `(() => {
		const r = sel => document.querySelector(sel).getBoundingClientRect();
		const c = `+chartJS+`;
		const legend = (c.getOption().legend || [])[0];
		const list = document.querySelector('[data-testid=legend]');
		return {
			filtersOpen: document.getElementById('filters').open,
			summary: document.querySelector('[data-testid=filters-summary]').innerText.trim(),
			chartBottom: r('[data-testid=chart]').bottom + window.scrollY,
			viewportH: window.innerHeight,
			viewportW: document.documentElement.clientWidth,
			priceRight: r('[data-testid=price-table] th:last-child').right,
			cellRight: document.querySelector('[data-testid=row]').lastElementChild.getBoundingClientRect().right,
			headerHeights: [...document.querySelectorAll('[data-testid=price-table] th')].map(th => th.getBoundingClientRect().height),
			headerWidths: [...document.querySelectorAll('[data-testid=price-table] th')].map(th => Math.round(th.getBoundingClientRect().width)),
			coin: document.querySelector('[data-testid=row] [data-testid=coin-cell]').innerText.trim(),
			legend: (!legend || legend.show === false) && list && list.getBoundingClientRect().top >= r('[data-testid=chart]').bottom ? 'below' : 'on the canvas',
		};
	})()`)
	if got.FiltersOpen || got.Summary != "BTC, DOGE, ETH · TRY, USD · 1M" {
		t.Errorf("filters open %v with summary %q; want them closed, summarised", got.FiltersOpen, got.Summary)
	}
	if got.ChartBottom > got.ViewportH {
		t.Errorf("the chart ends at %.0f px, below the first screen (%.0f px)", got.ChartBottom, got.ViewportH)
	}
	if got.PriceRight > got.ViewportW || got.CellRight > got.ViewportW {
		t.Errorf("the price column ends at %.0f px (cells %.0f px), past the %.0f px screen (column widths %v)", got.PriceRight, got.CellRight, got.ViewportW, got.HeaderWidths)
	}
	for i, h := range got.HeaderHeights {
		if h > got.HeaderHeights[0]+1 || h > 44 {
			t.Errorf("header %d is %.0f px high: it wraps (heights %v)", i, h, got.HeaderHeights)
		}
	}
	if !slices.Contains([]string{"Bitcoin (BTC)", "Ethereum (ETH)", "Dogecoin (DOGE)"}, got.Coin) {
		t.Errorf("the coin cell shows %q, want the coin in full", got.Coin)
	}
	// The legend is the page's, below the chart, where it wraps without eating the plot.
	if got.Legend != "below" {
		t.Errorf("legend %s, want the page's list below the chart", got.Legend)
	}
	checkXLabels(t, tab)

	// The disclosure opens from the keyboard, and the form is then usable.
	do(t, tab, "open the filters with the keyboard", chromedp.Focus(chromedp.CSS(`[data-testid="filters-toggle"]`)), chromedp.KeyEvent("\r"))
	waitFor(t, tab, "the filters open", `document.getElementById('filters').open && document.getElementById('controls').getBoundingClientRect().height > 200`,
		`document.getElementById('filters').outerHTML.slice(0, 200)`)
	s := swap(t, tab, "add Solana on the phone", "results", []string{"coins=bitcoin,ethereum,dogecoin,solana"}, click(`[data-testid="option-coins-solana"]`))
	if len(s.Series) != 8 {
		t.Errorf("after adding Solana on the phone: series %q", s.Series)
	}
	if sum := eval[string](t, tab, `document.querySelector('[data-testid=filters-summary]').textContent.trim()`); sum != "BTC, DOGE, ETH, SOL · TRY, USD · 1M" {
		t.Errorf("the summary after adding Solana says %q", sum)
	}
	if !eval[bool](t, tab, `document.getElementById('filters').open`) {
		t.Error("the filters closed while the user was using them")
	}
}

// TestBrowser_DashboardWithoutJavaScript uses the dashboard with scripts off: the controls are
// a plain form and every choice is a page load.
func TestBrowser_DashboardWithoutJavaScript(t *testing.T) {
	chromiumPath(t)
	srv := startServer(t)
	tab := newBrowser(t, 1400, 1000).tab()
	if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	do(t, tab, "open / without JavaScript", chromedp.Navigate(srv.URL+"/"))
	do(t, tab, "choose Solana and 1W",
		click(`[data-testid="option-coins-solana"]`),
		click(`[data-testid="option-range-1w"]`),
		click(`[data-testid="option-breakdown-currency"]`))
	if _, err := chromedp.RunResponse(tab, chromedp.Click(chromedp.CSS(`[data-testid="apply"]`), chromedp.NodeVisible)); err != nil {
		t.Fatalf("submit the form: %v", err)
	}
	s := readState(t, tab)
	if !strings.Contains(s.Search, "coins=solana") || !strings.Contains(s.Search, "range=1w") {
		t.Errorf("the form went to %q", s.Search)
	}
	if s.Series != nil {
		t.Errorf("ECharts drew a chart with JavaScript off: %q", s.Series)
	}
	// The server's drawing is the chart: a line per coin, as the legend lists them.
	if lines := eval[int](t, tab, `document.querySelectorAll('#chart-prices [data-testid=chart-line]').length`); lines != 4 {
		t.Errorf("the drawn chart has %d lines, want one per coin (4)", lines)
	}
	if s.Rows != 10 || s.Showing != "Showing 1–10 of 28" || !slices.Equal(s.Cols, []string{"date", "coin", "change"}) {
		t.Errorf("table: %d rows, %q, columns %q; want 28 rows (7 days × 4 coins) of changes, no currency column", s.Rows, s.Showing, s.Cols)
	}
	if !sameSet(s.Checked["coins"], []string{"bitcoin", "ethereum", "dogecoin", "solana"}) || !slices.Equal(s.Checked["range"], []string{"1w"}) ||
		!slices.Equal(s.Checked["breakdown"], []string{"date", "coin"}) {
		t.Errorf("controls show coins %q, range %q, breakdown %q", s.Checked["coins"], s.Checked["range"], s.Checked["breakdown"])
	}
	if !s.Banner {
		t.Error("the simulated-data banner is not visible")
	}
}
