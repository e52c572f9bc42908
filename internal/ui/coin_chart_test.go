package ui_test

import (
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestCoinPage_ServerDrawnChart checks the coin chart the server draws into the page, which
// shows until ECharts loads on the chart's first use, and without JavaScript for good.
func TestCoinPage_ServerDrawnChart(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 3)
	hours := seedTestcoin(t, ts)

	t.Run("daily candles", func(t *testing.T) {
		r := ts.getBoth(t, "/coins/testcoin?range=1w")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		box := testids(r, "coin-chart")
		if box.AttrOr("tabindex", "") != "0" || box.Find("noscript").Length() != 0 {
			t.Errorf("chart box tabindex %q with %d noscript: want a box the keyboard reaches, drawn without a script",
				box.AttrOr("tabindex", ""), box.Find("noscript").Length())
		}
		days := daysOf(hours)
		candles := box.Find(`[data-testid="chart-panel-price"] [data-testid="candle"]`)
		if candles.Length() != len(days) {
			t.Fatalf("%d candles, want one per day (%d)", candles.Length(), len(days))
		}
		candles.Each(func(i int, c *goquery.Selection) {
			d := days[i]
			if fell := c.HasClass("coin-down"); fell != (d.close < d.open) {
				t.Errorf("%s candle drawn falling=%v, open %v close %v", d.day.Format("Jan 2"), fell, d.open, d.close)
			}
			if partial := c.HasClass("coin-partial"); partial != (d.hours < 24) {
				t.Errorf("%s candle partial=%v with %d hours", d.day.Format("Jan 2"), partial, d.hours)
			}
		})
		// A volume bar per day, read at its last stored hour; today's, read before 23:00, is dimmed.
		volumes := box.Find(`[data-testid="chart-panel-volume"] [data-testid="volume"]`)
		if volumes.Length() != len(days) || !volumes.Last().HasClass("coin-dim") || volumes.First().HasClass("coin-dim") {
			t.Errorf("%d volume bars (last dimmed %v): want %d, today's dimmed", volumes.Length(), volumes.Last().HasClass("coin-dim"), len(days))
		}
		if n := box.Find(`[data-testid="chart-panel-cap"] [data-testid="chart-line"]`).Length(); n != 1 {
			t.Errorf("%d market cap lines, want 1", n)
		}
	})

	t.Run("hours", func(t *testing.T) {
		r := ts.get(t, "/coins/testcoin?range=1d", false)
		price := testids(r, "chart-panel-price").Find(`[data-testid="chart-line"]`)
		if price.Length() != 1 || price.Find("path.chart-area").Length() != 1 || testids(r, "candle").Length() != 0 {
			t.Errorf("price panel holds %d lines (area %d) and %d candles: want a line of hours over its area",
				price.Length(), price.Find("path.chart-area").Length(), testids(r, "candle").Length())
		}
		// The 13:00 hour reports no volume, and gets no bar.
		if n := testids(r, "volume").Length(); n != 23 {
			t.Errorf("%d volume bars, want 23 (24 hours but 13:00)", n)
		}
	})
}
