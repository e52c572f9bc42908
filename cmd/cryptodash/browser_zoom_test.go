package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_ZoomInURL zooms the coin page's chart, reads the zoom from the address, and opens
// that address afresh: the chart is drawn zoomed to the same days without being touched.
func TestBrowser_ZoomInURL(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, 1400, 1000)
	tab := b.newTab(t)
	do(t, tab, "open the coin page", chromedp.Navigate(srv.URL+"/coins/ethereum?range=1m&scale=log"))
	useCoinChart(t, tab, "candlestick")
	eval[chromedp.Void](t, tab, coinChartJS+`.dispatchAction({type: 'dataZoom', startValue: 5, endValue: 15})`)
	waitFor(t, tab, "the zoom is in the address", `new URL(location.href).searchParams.get('zoom')`, `location.href`)
	type window struct {
		Zoom       string   `json:"zoom"`
		Days       []string `json:"days"`
		Start, End float64
	}
	read := `(() => { const o = ` + coinChartJS + `.getOption(); return {zoom: new URL(location.href).searchParams.get('zoom'),
		days: o.xAxis[0].data, start: o.dataZoom[0].startValue, end: o.dataZoom[0].endValue}; })()`
	zoomed := eval[window](t, tab, read)
	want := zoomed.Days[5] + ".." + zoomed.Days[15]
	if zoomed.Zoom != want || zoomed.Start != 5 || zoomed.End != 15 {
		t.Fatalf("zoom %q over bands %v..%v, want %q", zoomed.Zoom, zoomed.Start, zoomed.End, want)
	}
	shared := eval[string](t, tab, `location.href`)
	if !strings.Contains(shared, "scale=log") {
		t.Errorf("the address %s lost the scale", shared)
	}

	fresh := b.newTab(t)
	do(t, fresh, "open the shared address", chromedp.Navigate(shared))
	// No pointer goes near the chart: a zoomed page draws with ECharts at once.
	waitFor(t, fresh, "ECharts draws the shared zoom", coinChartDrawn("candlestick"), `[location.href, typeof window.echarts]`)
	if got := eval[window](t, fresh, read); got.Start != 5 || got.End != 15 || got.Zoom != want {
		t.Errorf("the shared page shows bands %v..%v (zoom %q), want 5..15 (%q)", got.Start, got.End, got.Zoom, want)
	}

	do(t, fresh, "open the dashboard zoomed", chromedp.Navigate(srv.URL+"/?zoom="+zoomed.Days[5]+".."+zoomed.Days[15]))
	waitFor(t, fresh, "ECharts draws the dashboard zoomed",
		`(() => { const el = document.getElementById('chart-prices'); const c = window.echarts && el && echarts.getInstanceByDom(el); const dz = c && c.getOption().dataZoom[0];
			return !!dz && new Date(dz.startValue).toISOString().slice(0, 10) === '`+zoomed.Days[5]+`' && new Date(dz.endValue).toISOString().slice(0, 10) === '`+zoomed.Days[15]+`'; })()`,
		`(() => { const el = document.getElementById('chart-prices'); const c = window.echarts && el && echarts.getInstanceByDom(el); return c ? c.getOption().dataZoom : [location.href, el && el.outerHTML.slice(0, 300)]; })()`)

	eval[chromedp.Void](t, fresh, `echarts.getInstanceByDom(document.getElementById('chart-prices')).dispatchAction({type: 'dataZoom',
		startValue: Date.parse('`+zoomed.Days[8]+`T00:00:00Z'), endValue: Date.parse('`+zoomed.Days[20]+`T00:00:00Z')})`)
	waitFor(t, fresh, "the dashboard's zoom is in the address",
		`new URL(location.href).searchParams.get('zoom') === '`+zoomed.Days[8]+`..`+zoomed.Days[20]+`'`, `location.href`)
}
