package ui_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/static"
)

// TestDashboard_ServerDrawnChart checks the chart the server draws into the page: what the
// page shows before ECharts loads (it loads on the first use of the chart, not with the page)
// and, without JavaScript, for good.
func TestDashboard_ServerDrawnChart(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 40)

	t.Run("the page draws the chart and does not load ECharts", func(t *testing.T) {
		r := ts.getBoth(t, "/")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		echartsURL := static.Path("vendor/echarts.min.js")
		r.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if src := s.AttrOr("src", ""); strings.Contains(src, "echarts") {
				t.Errorf("the page loads %s: ECharts waits for the chart's first use", src)
			}
		})
		if got := r.doc.Find(`script[src="`+static.Path("js/app.js")+`"]`).AttrOr("data-echarts", ""); got != echartsURL {
			t.Errorf("app.js is told to load ECharts from %q, want %q", got, echartsURL)
		}
		box := testids(r, "chart")
		if box.AttrOr("role", "") != "img" || box.AttrOr("tabindex", "") != "0" {
			t.Errorf("chart box role %q tabindex %q: want an image the keyboard can reach (its focus loads ECharts)",
				box.AttrOr("role", ""), box.AttrOr("tabindex", ""))
		}
		if box.Find("noscript").Length() != 0 {
			t.Error("the chart box still says it needs JavaScript")
		}
		fig := box.Find(`[data-testid="chart-figure"]`)
		if fig.AttrOr("aria-hidden", "") != "true" || fig.Find("svg.chart-plot").Length() != 1 {
			t.Fatalf("chart box holds %q: want one hidden drawing with its SVG plot", box.Children().Text())
		}
		// A line per legend entry, in its series' colours, as the legend and ECharts draw it.
		lines := fig.Find(`[data-testid="chart-line"]`)
		legend := testids(r, "legend").Find("li")
		if lines.Length() != 6 || legend.Length() != 6 {
			t.Fatalf("%d lines and %d legend entries, want 6 (3 coins × 2 currencies)", lines.Length(), legend.Length())
		}
		lines.Each(func(i int, l *goquery.Selection) {
			if want := legend.Eq(i).AttrOr("style", ""); l.AttrOr("style", "") != want {
				t.Errorf("line %d is coloured %q, its legend entry %q", i, l.AttrOr("style", ""), want)
			}
			if d := l.Find("path").First().AttrOr("d", ""); !strings.HasPrefix(d, "M0,") || strings.Count(d, "M") != 1 {
				t.Errorf("line %d path %.40q…: want one run from the left edge", i, d)
			}
		})
		var y, x []string
		fig.Find(".chart-y > span").Each(func(_ int, s *goquery.Selection) { y = append(y, s.Text()) })
		fig.Find(".chart-x > span").Each(func(_ int, s *goquery.Selection) { x = append(x, s.Text()) })
		if len(y) < 3 || !strings.HasSuffix(y[0], "%") || len(x) < 3 {
			t.Errorf("value labels %q and time labels %q: want changes in percent over time", y, x)
		}
		// The box says what the drawing shows, since the drawing is hidden from screen readers.
		label := box.AttrOr("aria-label", "")
		if !regexp.MustCompile(`^Line chart of % change since the range start, daily averages, from 2026-02-09 to 2026-03-10: ` +
			`(([A-Z]+ / [A-Z]+ [+-]?\d+\.\d\d%)(; |\. )){6}The table below lists every value\.$`).MatchString(label) {
			t.Errorf("aria-label %q: want what is drawn over which days, and each line's last change", label)
		}
	})

	t.Run("a partial brings its drawing", func(t *testing.T) {
		r := ts.get(t, "/partials/dashboard?coins=bitcoin&currencies=usd,eur&mode=price&scale=log", true)
		fig := testids(r, "chart-figure")
		if n := fig.Find(`[data-testid="chart-line"]`).Length(); n != 2 {
			t.Errorf("%d lines, want BTC in USD and EUR", n)
		}
		// Prices on a log axis: powers of ten, without a currency since two are drawn.
		fig.Find(".chart-y > span").Each(func(_ int, s *goquery.Selection) {
			if l := s.Text(); !strings.HasPrefix(l, "1") || strings.Trim(l, "10KM") != "" {
				t.Errorf("log axis label %q is not a power of ten", l)
			}
		})
		if label := testids(r, "chart").AttrOr("aria-label", ""); !strings.Contains(label, "prices on a log scale") || !strings.Contains(label, "BTC / EUR from €") {
			t.Errorf("aria-label %q", label)
		}
	})

	t.Run("bars", func(t *testing.T) {
		r := ts.get(t, "/?breakdown=coin&currencies=usd", false)
		bars := testids(r, "chart-figure").Find("rect.chart-bar")
		names := testids(r, "chart-figure").Find(".chart-x > span")
		if bars.Length() != 3 || names.Length() != 3 || names.First().Text() != "BTC" {
			t.Fatalf("%d bars named %q, want a bar per coin", bars.Length(), names.Text())
		}
		if got, want := bars.First().AttrOr("style", ""), chart.CoinColor("bitcoin").Light; !strings.Contains(got, want) {
			t.Errorf("BTC's bar is styled %q, want bitcoin's %s", got, want)
		}
		if label := testids(r, "chart").AttrOr("aria-label", ""); !strings.HasPrefix(label, "Bar chart of % change since the range start per group") {
			t.Errorf("aria-label %q", label)
		}
	})
}
