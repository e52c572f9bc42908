package chart_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

func ptr(v float64) *float64 { return &v }

func TestCoinDays_Figure(t *testing.T) {
	candles := []domain.Candle{
		{Day: day0, Open: 100, High: 112, Low: 98, Close: 110, Samples: 24},
		{Day: day1, Open: 110, High: 111, Low: 95, Close: 97, Samples: 24},
		{Day: day2, Open: 97, High: 104, Low: 96, Close: 103, Samples: 13, Partial: true},
	}
	ends := []domain.Sample{
		{Time: day0.Add(23 * time.Hour), TotalVolume: ptr(40e9), MarketCap: ptr(1.1e12)},
		{Time: day1.Add(23 * time.Hour), TotalVolume: ptr(55e9)},
		{Time: day2.Add(12 * time.Hour), TotalVolume: ptr(20e9), MarketCap: ptr(1.05e12)},
	}
	f := drawCandles(candles, ends, coinView)
	if f.Bands != 3 || len(f.Price.Candles) != 3 || f.Price.Name != "Price" || f.Volume.Name != "24 h volume" || f.Cap.Name != "Market cap" {
		t.Fatalf("figure %+v: want three bands, a candle each, in named panels", f)
	}
	var extremes []float64
	for _, c := range candles {
		extremes = append(extremes, c.Low, c.High)
	}
	y := checkLinearAxis(t, f.Price, extremes)
	for i, c := range f.Price.Candles {
		in := candles[i]
		if x := chart.Size * (float64(i) + 0.5) / 3; !testkit.Near(c.X, x) {
			t.Errorf("candle %d at %v, want the middle of its band, %v", i, c.X, x)
		}
		if !testkit.Near(c.Open, y(in.Open)) || !testkit.Near(c.Close, y(in.Close)) || !testkit.Near(c.High, y(in.High)) || !testkit.Near(c.Low, y(in.Low)) {
			t.Errorf("candle %d at heights %+v, want open %v close %v high %v low %v", i, c, y(in.Open), y(in.Close), y(in.High), y(in.Low))
		}
		if c.Up != (in.Close >= in.Open) || c.Partial != in.Partial {
			t.Errorf("candle %d up %v partial %v, want %v %v", i, c.Up, c.Partial, in.Close >= in.Open, in.Partial)
		}
	}

	// Volume stands on zero; a day read before 23:00 is dimmed.
	vy := checkLinearAxis(t, f.Volume, []float64{0, 40e9, 55e9, 20e9})
	for i, v := range f.Volume.Volumes {
		if want := vy(*ends[i].TotalVolume); !testkit.Near(v.Y, want) || v.Dim != (i == 2) {
			t.Errorf("volume %d at %v dim %v, want %v dim %v", i, v.Y, v.Dim, want, i == 2)
		}
	}
	// The day without a market cap breaks the line; the cap axis leaves its bottom label out.
	caps := f.Cap.Lines[0].Runs
	if len(caps) != 2 || len(caps[0]) != 1 || len(caps[1]) != 1 || !testkit.Near(caps[1][0].X, f.Price.Candles[2].X) {
		t.Errorf("market cap runs %v: want two, around the missing day", caps)
	}
	if f.Cap.Lines[0].Color != chart.CoinColor("bitcoin") {
		t.Errorf("market cap drawn %v, want bitcoin's colour", f.Cap.Lines[0].Color)
	}
	if len(f.Cap.YTicks) == 0 || testkit.Near(f.Cap.YTicks[0].At, chart.Size) {
		t.Errorf("cap ticks %+v: want the bottom one left out", f.Cap.YTicks)
	}
	if got := []string{f.XTicks[0].Label, f.XTicks[2].Label}; !slices.Equal(got, []string{"Mar 1", "Mar 3"}) {
		t.Errorf("day labels %q", got)
	}
}

func TestCoinHours_Figure(t *testing.T) {
	var hours []domain.Sample
	for i := range 24 {
		hours = append(hours, domain.Sample{Time: day0.Add(time.Duration(i+12) * time.Hour), Price: 1900 + 10*math.Sin(float64(i)),
			TotalVolume: ptr(10e9), MarketCap: ptr(230e9)})
	}
	f := drawHours(hours, coinView)
	if len(f.Price.Lines) != 1 || !f.Price.Lines[0].Area || len(f.Price.Lines[0].Runs[0]) != 24 || len(f.Price.Candles) != 0 {
		t.Fatalf("price panel %+v: want one line of 24 hours with its area", f.Price)
	}
	prices := make([]float64, len(hours))
	for i, h := range hours {
		prices[i] = h.Price
	}
	y := checkLinearAxis(t, f.Price, prices)
	for i, p := range f.Price.Lines[0].Runs[0] {
		if !testkit.Near(p.Y, y(prices[i])) || !testkit.Near(p.X, chart.Size*(float64(i)+0.5)/24) {
			t.Errorf("hour %d at (%v, %v), want (%v, %v)", i, p.X, p.Y, chart.Size*(float64(i)+0.5)/24, y(prices[i]))
		}
	}
	var labels []string
	for _, tk := range f.XTicks {
		labels = append(labels, tk.Label)
	}
	// A label every third hour; midnight names its day.
	if want := []string{"12:00", "15:00", "18:00", "21:00", "Mar 2", "03:00", "06:00", "09:00"}; !slices.Equal(labels, want) {
		t.Errorf("hour labels %q, want %q", labels, want)
	}
}

func TestCoinSpec_ValueLabels(t *testing.T) {
	// Labels in numfmt's axis rule, which the browser's format.js follows: one unit for the
	// whole axis, thousands from an axis reaching 10,000, in full below.
	tests := []struct {
		name   string
		prices []float64
		want   []string
	}{
		{"tens of thousands in thousands", []float64{37000, 55500}, []string{"$35K", "$40K", "$45K", "$50K", "$55K", "$60K"}},
		{"a 1Y axis across 100,000 in one unit", []float64{78000, 104000}, []string{"$75K", "$80K", "$85K", "$90K", "$95K", "$100K", "$105K"}},
		{"a day of ETH", []float64{1941, 1979}, []string{"$1,940", "$1,950", "$1,960", "$1,970", "$1,980"}},
		{"cents", []float64{0.0812, 0.0871}, []string{"$0.081", "$0.082", "$0.083", "$0.084", "$0.085", "$0.086", "$0.087", "$0.088"}},
		{"millions are compact", []float64{2.41e6, 3.72e6}, []string{"$2.4M", "$2.7M", "$3M", "$3.3M", "$3.6M", "$3.9M"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hours []domain.Sample
			for i, p := range tt.prices {
				hours = append(hours, domain.Sample{Time: day0.Add(time.Duration(i) * time.Hour), Price: p})
			}
			var got []string
			for _, tk := range drawHours(hours, coinView).Price.YTicks {
				got = append(got, tk.Label)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("labels %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCoinHours_Gap places hours by time: a missing hour keeps its band and breaks the line,
// in the drawing and in ECharts' data.
func TestCoinHours_Gap(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	hours := []domain.Sample{{Time: start, Price: 10}, {Time: start.Add(time.Hour), Price: 11},
		{Time: start.Add(3 * time.Hour), Price: 12}, {Time: start.Add(4 * time.Hour), Price: 13}}
	v := chart.CoinView{CoinID: "bitcoin", Currency: "usd"}
	f := drawHours(hours, v)
	if f.Bands != 5 {
		t.Errorf("%d bands for 4 stored hours over 5, want one per hour", f.Bands)
	}
	if runs := f.Price.Lines[0].Runs; len(runs) != 2 || len(runs[0]) != 2 || len(runs[1]) != 2 {
		t.Errorf("price runs %v, want the line broken at 02:00", runs)
	}
	option, err := json.Marshal(hourlyPrices(hours, v).Option)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(option), `"2026-03-10 02:00"`) || !strings.Contains(string(option), `{"value":"-"}`) {
		t.Errorf("ECharts' option lacks the missing hour as a gap: %.400s", option)
	}
}

// TestCoinAxes_OneFormat checks that the server's drawing and the option's Meta (whose
// AxisFormat the browser's ECharts labels follow) label every axis with one format: the
// drawing's tick labels are the Meta's format applied to the ticks.
func TestCoinAxes_OneFormat(t *testing.T) {
	candles := []domain.Candle{
		{Day: day0, Open: 80000, High: 104000, Low: 78000, Close: 101000, Samples: 24},
		{Day: day1, Open: 101000, High: 103000, Low: 97000, Close: 99000, Samples: 24},
	}
	ends := []domain.Sample{
		{Time: day0.Add(23 * time.Hour), TotalVolume: ptr(40e9), MarketCap: ptr(1.9e12)},
		{Time: day1.Add(23 * time.Hour), TotalVolume: ptr(55e9), MarketCap: ptr(2.05e12)},
	}
	meta := candlesticks(candles, ends, coinView).Meta
	f := drawCandles(candles, ends, coinView)
	if len(meta.Axes) != 3 {
		t.Fatalf("meta axes %+v: want price, volume and market cap", meta.Axes)
	}
	for i, p := range []chart.Panel{f.Price, f.Volume, f.Cap} {
		if len(p.YTicks) == 0 {
			t.Fatalf("panel %s has no ticks", p.Name)
		}
		for _, tk := range p.YTicks {
			v := tickValue(t, tk.Label)
			if got := meta.Axes[i].Label(v, coinView.CurrencySymbols); got != tk.Label {
				t.Errorf("%s tick %q: the Meta's format writes %q", p.Name, tk.Label, got)
			}
		}
	}
	if got := meta.Axes[0].Label(80000, coinView.CurrencySymbols); got != "$80K" {
		t.Errorf("price axis writes 80,000 as %q, want $80K like $100K", got)
	}
}
