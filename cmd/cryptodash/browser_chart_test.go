package main

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// watchRequests records the URL of every request the tab makes from now on.
func watchRequests(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var urls []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), urls...)
	}
}

// echartsRequests counts the requests for ECharts' script among urls.
func echartsRequests(urls []string) int {
	n := 0
	for _, u := range urls {
		if strings.Contains(u, "/vendor/echarts.") {
			n++
		}
	}
	return n
}

// chartBoxJS is the dashboard chart box's place and size, and what fills it.
const chartBoxJS = `(() => {
	const el = document.getElementById('chart-prices'), r = el.getBoundingClientRect();
	const canvas = el.querySelector('canvas');
	return {Top: r.top + window.scrollY, Left: r.left, Width: r.width, Height: r.height,
		Figure: !!el.querySelector('[data-testid=chart-figure]'), Canvas: canvas ? [canvas.clientWidth, canvas.clientHeight] : null};
})()`

type chartBox struct {
	Top, Left, Width, Height float64
	Figure                   bool
	Canvas                   []float64
}

// TestBrowser_ChartLoadsOnUse checks in headless Chromium that the dashboard's first screen
// is the server's drawing of the chart, without ECharts, and that ECharts loads and takes the
// drawing's place when the chart is about to be used (by pointer or keyboard) without
// moving anything, while a browser without JavaScript keeps the drawing as its chart.
func TestBrowser_ChartLoadsOnUse(t *testing.T) {
	chromiumPath(t)
	srv := startServer(t)
	b := newBrowser(t, 1400, 1000)
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		b.setPhase(name)
		t.Run(name, f)
	}
	drawnLines := `document.querySelectorAll('#chart-prices [data-testid=chart-figure] [data-testid=chart-line]').length`

	step("the pointer", func(t *testing.T) {
		tab := b.newTab(t)
		requests := watchRequests(t, tab)
		do(t, tab, "open /", chromedp.Navigate(srv.URL+"/"))
		waitFor(t, tab, "the page has loaded", `document.readyState === 'complete' && !document.querySelector('.htmx-request')`, `document.readyState`)
		if n := echartsRequests(requests()); n != 0 || eval[bool](t, tab, `typeof window.echarts !== 'undefined'`) {
			t.Fatalf("ECharts was requested %d time(s) before anyone used the chart", n)
		}
		if n := eval[int](t, tab, drawnLines); n != 6 {
			t.Errorf("the drawing has %d lines, want 6 (3 coins × 2 currencies)", n)
		}
		// A swap brings a new drawing, which also waits for the chart's first use.
		s := swap(t, tab, "add Solana", "results", []string{"coins=bitcoin,ethereum,dogecoin,solana"}, click(`[data-testid="option-coins-solana"]`))
		if s.Series != nil || echartsRequests(requests()) != 0 {
			t.Fatalf("ECharts drew %q (requested %d times) after a swap, before any use of the chart", s.Series, echartsRequests(requests()))
		}
		if n := eval[int](t, tab, drawnLines); n != 8 {
			t.Errorf("after adding Solana the drawing has %d lines, want 8", n)
		}

		before := eval[chartBox](t, tab, chartBoxJS)
		useChart(t, tab)
		after := eval[chartBox](t, tab, chartBoxJS)
		if n := echartsRequests(requests()); n != 1 {
			t.Errorf("ECharts was requested %d times, want once", n)
		}
		if after.Figure || len(after.Canvas) != 2 {
			t.Errorf("after the pointer came by, the box holds the drawing %v and a canvas %v: want ECharts' canvas alone", after.Figure, after.Canvas)
		}
		if before.Top != after.Top || before.Left != after.Left || before.Width != after.Width || before.Height != after.Height ||
			after.Canvas[0] != after.Width || after.Canvas[1] != after.Height {
			t.Errorf("the chart box was %+v and is %+v with ECharts: want the same box, filled", before, after)
		}
		checkLayoutShift(t, tab, "the swap from the drawing to ECharts")
		// Once ECharts is loaded, a swap has it draw the new chart at once.
		s = swap(t, tab, "remove Dogecoin", "results", []string{"coins=bitcoin,ethereum,solana"}, click(`[data-testid="option-coins-dogecoin"]`))
		if len(s.Series) != 6 {
			t.Errorf("after the swap ECharts draws %q, want 6 lines", s.Series)
		}
	})

	step("the keyboard", func(t *testing.T) {
		tab := b.newTab(t)
		requests := watchRequests(t, tab)
		do(t, tab, "open /", chromedp.Navigate(srv.URL+"/"))
		waitFor(t, tab, "the page has loaded", `document.readyState === 'complete' && `+chartShown, `document.readyState`)
		// The series cards are the last stops before the chart.
		do(t, tab, "tab from the last series card to the chart",
			chromedp.Focus(chromedp.CSS(`[data-testid="card"]:last-child a`)), chromedp.KeyEvent("\t"))
		if id := eval[string](t, tab, `document.activeElement.id`); id != "chart-prices" {
			t.Fatalf("Tab from the last card moved the focus to %q, not the chart", id)
		}
		waitFor(t, tab, "ECharts draws the focused chart", chartReady, `[typeof window.echarts, `+chartBoxJS+`]`)
		if n := echartsRequests(requests()); n != 1 {
			t.Errorf("ECharts was requested %d times, want once", n)
		}
	})

	step("without JavaScript", func(t *testing.T) {
		tab := b.newTab(t)
		if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		do(t, tab, "open / without JavaScript", chromedp.Navigate(srv.URL+"/"))
		// Each line is drawn across the plot in its legend entry's colour.
		type line struct {
			Stroke, Legend string
			Width, Height  float64
		}
		type drawing struct {
			Plot  []float64
			Lines []line
			X, Y  int
		}
		got := eval[drawing](t, tab, `(() => {
			const plot = document.querySelector('#chart-prices .chart-plot').getBoundingClientRect();
			const legend = [...document.querySelectorAll('[data-testid=legend] .legend-mark line')];
			return {
				Plot: [plot.width, plot.height],
				Lines: [...document.querySelectorAll('#chart-prices [data-testid=chart-line] path')].map((p, i) => {
					const r = p.getBoundingClientRect();
					return {Stroke: getComputedStyle(p).stroke, Legend: legend[i] ? getComputedStyle(legend[i]).stroke : '', Width: r.width, Height: r.height};
				}),
				X: document.querySelectorAll('#chart-prices .chart-x > span').length,
				Y: document.querySelectorAll('#chart-prices .chart-y > span').length,
			};
		})()`)
		if len(got.Lines) != 6 || got.X < 3 || got.Y < 3 {
			t.Fatalf("the chart without JavaScript: %+v; want 6 lines with time and value labels", got)
		}
		for i, l := range got.Lines {
			if l.Stroke != l.Legend || l.Width < got.Plot[0]*0.95 || l.Height <= 0 {
				t.Errorf("line %d is %+v in a %v plot: want its legend's colour, across the plot", i, l, got.Plot)
			}
		}
	})
}
