package chart_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// series makes a series' daily rows from day0 on, one per price; a NaN price is a missing day.
func series(coin, currency string, start time.Time, step time.Duration, prices ...float64) []domain.PriceRow {
	var out []domain.PriceRow
	for i, p := range prices {
		if !math.IsNaN(p) {
			out = append(out, domain.PriceRow{CoinID: coin, CurrencyCode: currency, Time: start.Add(time.Duration(i) * step), Price: p})
		}
	}
	return out
}

const day = 24 * time.Hour

func priceView(scale chart.Scale) chart.View {
	return chart.View{Breakdown: all, Symbols: syms, Granularity: domain.Daily, Mode: chart.ModePrice, Scale: scale,
		CurrencySymbols: map[string]string{"usd": "$"}}
}

// tickValue reads a tick label back into its value: "+30%" is 30, "$1.5K" 1500, "$1,940" 1940.
func tickValue(t *testing.T, label string) float64 {
	t.Helper()
	s := strings.NewReplacer("%", "", "$", "", "+", "", ",", "").Replace(label)
	mult := 1.0
	for suffix, m := range map[string]float64{"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12} {
		if rest, ok := strings.CutSuffix(s, suffix); ok {
			s, mult = rest, m
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("tick label %q is not a number: %v", label, err)
	}
	return v * mult
}

// checkLinearAxis checks that a panel's value axis is linear and nice and holds values: ticks
// evenly spaced from the top (0) to the bottom (Size), an interval of 1, 2, 3 or 5 times a
// power of ten, ends less than an interval past the data, and each value at the height the
// ticks' scale gives it. It returns the scale's value-to-height function.
func checkLinearAxis(t *testing.T, p chart.Panel, values []float64) func(float64) float64 {
	t.Helper()
	ticks := p.YTicks
	if len(ticks) < 3 || !testkit.Near(ticks[0].At, chart.Size) || !testkit.Near(ticks[len(ticks)-1].At, 0) {
		t.Fatalf("y ticks %+v: want at least 3 from the bottom (%v) to the top (0)", ticks, chart.Size)
	}
	lo, hi := tickValue(t, ticks[0].Label), tickValue(t, ticks[len(ticks)-1].Label)
	interval := (hi - lo) / float64(len(ticks)-1)
	for i, tk := range ticks {
		if v := tickValue(t, tk.Label); !testkit.Near(v, lo+float64(i)*interval) {
			t.Errorf("tick %d reads %v, want %v (ticks %+v)", i, v, lo+float64(i)*interval, ticks)
		}
	}
	mant := interval / math.Pow10(int(math.Floor(math.Log10(interval))))
	if !slices.ContainsFunc([]float64{1, 2, 3, 5}, func(m float64) bool { return testkit.Near(m, mant) }) {
		t.Errorf("interval %v is not 1, 2, 3 or 5 times a power of ten", interval)
	}
	vlo, vhi := slices.Min(values), slices.Max(values)
	if lo > vlo || hi < vhi || vlo-lo >= interval || hi-vhi >= interval {
		t.Errorf("axis %v to %v for values %v to %v: want the data inside, less than a step (%v) from each end", lo, hi, vlo, vhi, interval)
	}
	return func(v float64) float64 { return chart.Size * (hi - v) / (hi - lo) }
}

func TestSpec_Figure_ScalesLinesToThePlot(t *testing.T) {
	btc := []float64{100, 110, 121, 118}
	doge := []float64{0.08, 0.06, 0.05, 0.07}
	rows := slices.Concat(series("bitcoin", "usd", day0, day, btc...), series("dogecoin", "usd", day0, day, doge...))
	groups := domain.Aggregate(rows, all)

	t.Run("price, linear", func(t *testing.T) {
		f := draw(groups, priceView(chart.ScaleLinear))
		if f.Kind != chart.KindLine || len(f.Panels) != 1 || len(f.Panels[0].Lines) != 2 {
			t.Fatalf("figure %+v: want one panel of two lines", f)
		}
		y := checkLinearAxis(t, f.Panels[0], slices.Concat(btc, doge))
		for li, want := range [][]float64{btc, doge} {
			line := f.Panels[0].Lines[li]
			if len(line.Runs) != 1 || len(line.Runs[0]) != len(want) {
				t.Fatalf("%s has runs %v, want one run of %d points", line.Name, line.Runs, len(want))
			}
			for i, p := range line.Runs[0] {
				// Days are evenly spaced, from the left edge to the right one.
				if wantX := chart.Size * float64(i) / float64(len(want)-1); !testkit.Near(p.X, wantX) || !testkit.Near(p.Y, y(want[i])) {
					t.Errorf("%s point %d at (%v, %v), want (%v, %v)", line.Name, i, p.X, p.Y, wantX, y(want[i]))
				}
			}
		}
		if got := f.Panels[0].Lines[0]; got.Name != "BTC / USD" || got.Color != chart.CoinColor("bitcoin") || got.Dash != nil || got.Marked {
			t.Errorf("first line %q colour %v dash %v marked %v: want BTC / USD in bitcoin's colour, solid, unmarked", got.Name, got.Color, got.Dash, got.Marked)
		}
		if l := f.Panels[0].YTicks[len(f.Panels[0].YTicks)-1].Label; !strings.HasPrefix(l, "$") {
			t.Errorf("top tick %q: prices in one currency carry its symbol", l)
		}
	})

	t.Run("percent", func(t *testing.T) {
		v := priceView(chart.ScaleLog)
		v.Mode = chart.ModePercent
		f := draw(groups, v)
		var changes []float64
		for _, s := range [][]float64{btc, doge} {
			for _, p := range s {
				changes = append(changes, (p/s[0]-1)*100)
			}
		}
		// Changes go negative, so even a log view draws them on a linear axis.
		y := checkLinearAxis(t, f.Panels[0], changes)
		for li, line := range f.Panels[0].Lines {
			for i, p := range line.Runs[0] {
				if want := y(changes[li*len(btc)+i]); !testkit.Near(p.Y, want) {
					t.Errorf("%s point %d at height %v, want %v", line.Name, i, p.Y, want)
				}
			}
		}
		var zero bool
		for _, tk := range f.Panels[0].YTicks {
			if !strings.HasSuffix(tk.Label, "%") || tk.Label != "0%" && !strings.ContainsAny(tk.Label[:1], "+-") {
				t.Errorf("tick %q: want a signed percentage", tk.Label)
			}
			if tk.Label == "0%" {
				zero = true
				if !testkit.Near(f.Panels[0].Base, tk.At) {
					t.Errorf("the x axis is at %v, want at 0%% (%v)", f.Panels[0].Base, tk.At)
				}
			}
		}
		if !zero {
			t.Errorf("ticks %+v lack 0%%", f.Panels[0].YTicks)
		}
	})

	t.Run("log", func(t *testing.T) {
		f := draw(groups, priceView(chart.ScaleLog))
		p := f.Panels[0]
		all := slices.Concat(btc, doge)
		lo, hi := math.Floor(math.Log10(slices.Min(all))), math.Ceil(math.Log10(slices.Max(all)))
		if len(p.YTicks) != int(hi-lo)+1 {
			t.Fatalf("ticks %+v: want one per power of ten from 1e%v to 1e%v", p.YTicks, lo, hi)
		}
		y := func(v float64) float64 { return chart.Size * (hi - math.Log10(v)) / (hi - lo) }
		for i, tk := range p.YTicks {
			v := math.Pow(10, lo+float64(i))
			if got := tickValue(t, tk.Label); !testkit.Near(got, v) || !testkit.Near(tk.At, y(v)) {
				t.Errorf("tick %d reads %q at %v, want %v at %v", i, tk.Label, tk.At, v, y(v))
			}
		}
		for li, want := range [][]float64{btc, doge} {
			for i, pt := range p.Lines[li].Runs[0] {
				if !testkit.Near(pt.Y, y(want[i])) {
					t.Errorf("%s point %d at height %v, want %v", p.Lines[li].Name, i, pt.Y, y(want[i]))
				}
			}
		}
		if p.Base != chart.Size {
			t.Errorf("x axis at %v, want the bottom: a log axis has no zero", p.Base)
		}
	})
}

func TestSpec_Figure_GapsStayGaps(t *testing.T) {
	nan := math.NaN()
	// No series has day 2, so no value is carried over it: the line stops and starts again.
	prices := []float64{10, 11, nan, 13, 12}
	groups := domain.Aggregate(series("bitcoin", "usd", day0, day, prices...), all)
	f := draw(groups, priceView(chart.ScaleLinear))
	runs := f.Panels[0].Lines[0].Runs
	if len(runs) != 2 || len(runs[0]) != 2 || len(runs[1]) != 2 {
		t.Fatalf("runs %v: want two runs of two points around the missing day", runs)
	}
	if x := runs[1][0].X; !testkit.Near(x, chart.Size*3/4) {
		t.Errorf("the run after the gap starts at %v, want day 3 of 4 (%v)", x, chart.Size*3/4)
	}

	t.Run("hours", func(t *testing.T) {
		rows := series("bitcoin", "usd", day0, time.Hour, 10, nan, nan, 12, 13)
		v := priceView(chart.ScaleLinear)
		v.Granularity = domain.Hourly
		runs := draw(domain.Aggregate(rows, all), v).Panels[0].Lines[0].Runs
		if len(runs) != 2 || len(runs[0]) != 1 || len(runs[1]) != 2 {
			t.Errorf("runs %v: want one point, a gap of two hours, then two points", runs)
		}
	})

	t.Run("nothing at or below zero on a log axis", func(t *testing.T) {
		rows := series("bitcoin", "usd", day0, day, 10, 0, 12)
		runs := draw(domain.Aggregate(rows, all), priceView(chart.ScaleLog)).Panels[0].Lines[0].Runs
		if len(runs) != 2 || len(runs[0]) != 1 || len(runs[1]) != 1 {
			t.Errorf("runs %v: want the zero left out as a gap", runs)
		}
	})

	t.Run("a short line is marked", func(t *testing.T) {
		line := draw(domain.Aggregate(series("bitcoin", "usd", day0, day, 10, 11), all), priceView(chart.ScaleLinear)).Panels[0].Lines[0]
		if !line.Marked {
			t.Error("a line of two points has no marks")
		}
	})
}

func TestSpec_Figure_TimeTicks(t *testing.T) {
	tests := []struct {
		name   string
		start  time.Time
		step   time.Duration
		points int
		want   []string
	}{
		// What ECharts shows for the dashboard's default month.
		{"a month of days", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), day, 30,
			[]string{"Nov", "Nov 5", "Nov 9", "Nov 13", "Nov 17", "Nov 21", "Nov 25", "Nov 29"}},
		{"a week of days", time.Date(2026, 10, 28, 0, 0, 0, 0, time.UTC), day, 7,
			[]string{"Oct 28", "Oct 29", "Oct 30", "Oct 31", "Nov", "Nov 2", "Nov 3"}},
		{"two days of hours", time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), time.Hour, 48,
			[]string{"Nov 28", "06:00", "12:00", "18:00", "Nov 29", "06:00", "12:00", "18:00"}},
		{"a year of days", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), day, 365,
			[]string{"2026", "Mar", "May", "Jul", "Sep", "Nov"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prices := make([]float64, tt.points)
			for i := range prices {
				prices[i] = 100 + float64(i%7)
			}
			v := priceView(chart.ScaleLinear)
			if tt.step == time.Hour {
				v.Granularity = domain.Hourly
			}
			f := draw(domain.Aggregate(series("bitcoin", "usd", tt.start, tt.step, prices...), all), v)
			var got []string
			span := tt.step * time.Duration(tt.points-1)
			for i, tk := range f.XTicks {
				got = append(got, tk.Label)
				// Each tick sits at its time's place along the axis.
				at := time.Duration(tk.At / chart.Size * float64(span))
				if when := tt.start.Add(at).Round(time.Minute); when.Format("15:04") != "00:00" && tt.step == day {
					t.Errorf("tick %q at %v falls at %v, not a midnight", tk.Label, tk.At, when)
				}
				if wantMinor := len(f.XTicks) > 4 && i%2 == 1; tk.Minor != wantMinor {
					t.Errorf("tick %d %q minor %v, want %v", i, tk.Label, tk.Minor, wantMinor)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("x labels %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSpec_Figure_PanelsAndBars(t *testing.T) {
	t.Run("many lines split by currency", func(t *testing.T) {
		var rows []domain.PriceRow
		coins := []string{"bitcoin", "ethereum", "solana", "cardano", "ripple", "polkadot", "dogecoin"}
		for i, c := range coins {
			for _, cur := range []string{"usd", "eur"} {
				rows = append(rows, series(c, cur, day0, day, 10+float64(i), 11+float64(i), 12)...)
			}
		}
		groups := domain.Aggregate(rows, all)
		f := draw(groups, priceView(chart.ScaleLinear))
		if len(f.Panels) != 2 || f.Panels[0].Name != "EUR" || f.Panels[1].Name != "USD" {
			t.Fatalf("%d panels: want one per currency (14 lines are more than %d)", len(f.Panels), chart.MaxLines)
		}
		for _, p := range f.Panels {
			if len(p.Lines) != len(coins) {
				t.Errorf("panel %s has %d lines, want %d", p.Name, len(p.Lines), len(coins))
			}
			for _, l := range p.Lines {
				if !strings.HasSuffix(l.Name, p.Name) {
					t.Errorf("line %s in panel %s", l.Name, p.Name)
				}
			}
		}
		// Each panel's ticks carry no one currency: the panel names it.
		if l := f.Panels[0].YTicks[0].Label; strings.ContainsAny(l, "$€") {
			t.Errorf("tick %q of a chart of two currencies carries a symbol", l)
		}
	})

	t.Run("bars stand on zero", func(t *testing.T) {
		rows := slices.Concat(series("bitcoin", "usd", day0, day, 100, 130), series("dogecoin", "usd", day0, day, 0.08, 0.06))
		v := priceView(chart.ScaleLog)
		v.Breakdown = domain.Breakdown{Coin: true}
		v.Mode = chart.ModePercent
		groups := domain.Aggregate(rows, v.Breakdown)
		f := draw(groups, v)
		if f.Kind != chart.KindBar || len(f.Panels) != 1 || len(f.Panels[0].Bars) != 2 || f.Slanted {
			t.Fatalf("figure %+v: want two upright-labelled bars", f)
		}
		changes := []float64{groups[0].Points[0].Change * 100, groups[1].Points[0].Change * 100}
		y := checkLinearAxis(t, f.Panels[0], append(changes, 0))
		for i, b := range f.Panels[0].Bars {
			top, bottom := min(y(changes[i]), y(0)), max(y(changes[i]), y(0))
			if !testkit.Near(b.Y, top) || !testkit.Near(b.Y+b.Height, bottom) {
				t.Errorf("bar %s spans %v to %v, want %v to %v (from its value to zero)", b.Name, b.Y, b.Y+b.Height, top, bottom)
			}
			if center := b.X + b.Width/2; !testkit.Near(center, f.XTicks[i].At) || f.XTicks[i].Label != b.Name {
				t.Errorf("bar %s centred at %v under label %q at %v", b.Name, center, f.XTicks[i].Label, f.XTicks[i].At)
			}
			if b.Color != chart.StyleOf(groups[i].CoinID, "").Color {
				t.Errorf("bar %s is %v, want its coin's colour", b.Name, b.Color)
			}
		}
		if !testkit.Near(f.Panels[0].Base, y(0)) {
			t.Errorf("axis at %v, want zero's height %v", f.Panels[0].Base, y(0))
		}
	})
}

func TestSpec_Figure_AxisLabels(t *testing.T) {
	// Ranges of values and the ticks ECharts picks for them (a fifth of the span rounded to
	// 1, 2, 3 or 5 times a power of ten), written in numfmt's axis rule as the browser's
	// format.js writes them.
	tests := []struct {
		name   string
		prices []float64
		want   []string
	}{
		{"thousands", []float64{37445, 55204}, []string{"$36K", "$39K", "$42K", "$45K", "$48K", "$51K", "$54K", "$57K"}},
		{"thousands below ten thousand in full", []float64{1850, 1930}, []string{"$1,840", "$1,860", "$1,880", "$1,900", "$1,920", "$1,940"}},
		{"cents", []float64{0.0753, 0.0943}, []string{"$0.075", "$0.078", "$0.081", "$0.084", "$0.087", "$0.09", "$0.093", "$0.096"}},
		{"millions", []float64{2.4e6, 3.7e6}, []string{"$2.4M", "$2.7M", "$3M", "$3.3M", "$3.6M", "$3.9M"}},
		// One value sits in the middle of an axis as wide as half of it each way.
		{"one price", []float64{50, 50}, []string{"$20", "$30", "$40", "$50", "$60", "$70", "$80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := draw(domain.Aggregate(series("bitcoin", "usd", day0, day, tt.prices...), all), priceView(chart.ScaleLinear))
			var got []string
			for _, tk := range f.Panels[0].YTicks {
				got = append(got, tk.Label)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("labels %q, want %q", got, tt.want)
			}
			if tt.prices[0] != tt.prices[1] {
				checkLinearAxis(t, f.Panels[0], tt.prices)
			}
		})
	}
}

func ExampleSpec_Figure() {
	rows := slices.Concat(series("bitcoin", "usd", day0, day, 100, 110, 121), series("dogecoin", "usd", day0, day, 0.08, 0.06, 0.05))
	f := chart.Dashboard(domain.Aggregate(rows, all), chart.View{Breakdown: all, Symbols: syms, Granularity: domain.Daily, Mode: chart.ModePercent}).Figure()
	for _, l := range f.Panels[0].Lines {
		fmt.Print(l.Name, ":")
		for _, p := range l.Runs[0] {
			fmt.Printf(" %.0f,%.1f", p.X, p.Y)
		}
		fmt.Println()
	}
	for _, tk := range f.Panels[0].YTicks {
		fmt.Printf("%s at %.0f\n", tk.Label, tk.At)
	}
	// Output:
	// BTC / USD: 0,428.6 500,285.7 1000,128.6
	// DOGE / USD: 0,428.6 500,785.7 1000,964.3
	// -40% at 1000
	// -30% at 857
	// -20% at 714
	// -10% at 571
	// 0% at 429
	// +10% at 286
	// +20% at 143
	// +30% at 0
}

// TestDashboardAxes_OneFormat checks that the server's drawing of the dashboard chart and its
// option's Meta (whose AxisFormat the browser's ECharts labels follow) label the value axis
// with one format, in each mode and scale.
func TestDashboardAxes_OneFormat(t *testing.T) {
	rows := slices.Concat(series("bitcoin", "usd", day0, day, 78000, 91000, 104000), series("dogecoin", "usd", day0, day, 0.08, 0.09, 0.1))
	for _, v := range []chart.View{priceView(chart.ScaleLinear), priceView(chart.ScaleLog),
		{Breakdown: all, Symbols: syms, Granularity: domain.Daily, Mode: chart.ModePercent}} {
		groups := domain.Aggregate(rows, all)
		meta, f := build(groups, v).Meta, draw(groups, v)
		if len(meta.Axes) != len(f.Panels) {
			t.Fatalf("%s %s: %d axis formats for %d panels", v.Mode, v.Scale, len(meta.Axes), len(f.Panels))
		}
		for i, p := range f.Panels {
			for _, tk := range p.YTicks {
				if got := meta.Axes[i].Label(tickValue(t, tk.Label), v.CurrencySymbols); got != tk.Label {
					t.Errorf("%s %s: tick %q, the Meta's format writes %q", v.Mode, v.Scale, tk.Label, got)
				}
			}
		}
	}
}
