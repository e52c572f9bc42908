package chart_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
)

func build(groups []domain.Group, v chart.View) chart.Chart {
	return chart.Dashboard(groups, v).Chart()
}
func draw(groups []domain.Group, v chart.View) chart.Figure {
	return chart.Dashboard(groups, v).Figure()
}

func candlesticks(candles []domain.Candle, ends []domain.Sample, v chart.CoinView) chart.CoinChart {
	return chart.CoinDays(candles, ends, v).Chart()
}
func drawCandles(candles []domain.Candle, ends []domain.Sample, v chart.CoinView) chart.CoinFigure {
	return chart.CoinDays(candles, ends, v).Figure()
}
func hourlyPrices(hours []domain.Sample, v chart.CoinView) chart.CoinChart {
	return chart.CoinHours(hours, v).Chart()
}
func drawHours(hours []domain.Sample, v chart.CoinView) chart.CoinFigure {
	return chart.CoinHours(hours, v).Figure()
}

// drawn is what a chart shows that both its drawings must agree on: per line (or bar) its
// name, light and dark colour and dash; per panel the labels of its value axis's ticks.
type drawn struct {
	Lines  []string
	Panels [][]string
}

// fromOption reads what the option and Meta say the browser will draw: the series' names,
// colours (the light ones in the option, the dark ones in Meta) and dashes, and each value
// axis's ticks from its min, max and interval (powers of ten on a log axis), labelled with
// Meta's axis format as the browser's formatter does.
func fromOption(t *testing.T, c chart.Chart) drawn {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Option struct {
			Series []struct {
				Name       string `json:"name"`
				YAxisIndex int    `json:"yAxisIndex"`
				LineStyle  struct {
					Color string `json:"color"`
					Type  []int  `json:"type"`
				} `json:"lineStyle"`
				Data []struct {
					ItemStyle struct {
						Color string `json:"color"`
					} `json:"itemStyle"`
				} `json:"data"`
			} `json:"series"`
			XAxis []struct {
				Data []string `json:"data"`
			} `json:"xAxis"`
			YAxis []struct {
				Type     string  `json:"type"`
				Min      float64 `json:"min"`
				Max      float64 `json:"max"`
				Interval float64 `json:"interval"`
			} `json:"yAxis"`
		} `json:"option"`
		Meta chart.Meta `json:"meta"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	var d drawn
	if out.Meta.Kind == chart.KindBar {
		for i, bar := range out.Option.Series[0].Data {
			d.Lines = append(d.Lines, fmt.Sprintf("%s %s/%s []", out.Option.XAxis[0].Data[i], bar.ItemStyle.Color, out.Meta.Dark[i]))
		}
	} else {
		// The figure lists its lines panel by panel.
		for panel := range out.Meta.Panels {
			for i, s := range out.Option.Series {
				if s.YAxisIndex == panel {
					d.Lines = append(d.Lines, fmt.Sprintf("%s %s/%s %v", s.Name, s.LineStyle.Color, out.Meta.Dark[i], s.LineStyle.Type))
				}
			}
		}
	}
	if len(out.Option.YAxis) != out.Meta.Panels || len(out.Meta.Axes) != out.Meta.Panels {
		t.Fatalf("%d value axes and %d formats for %d panels", len(out.Option.YAxis), len(out.Meta.Axes), out.Meta.Panels)
	}
	for i, y := range out.Option.YAxis {
		var labels []string
		switch {
		case y.Type == "log":
			for e := math.Log10(y.Min); e <= math.Log10(y.Max)+1e-9; e++ {
				labels = append(labels, out.Meta.Axes[i].Label(math.Pow(10, math.Round(e)), out.Meta.Symbols))
			}
		case y.Interval > 0:
			for k := 0.0; y.Min+k*y.Interval <= y.Max+y.Interval/1e6; k++ {
				labels = append(labels, out.Meta.Axes[i].Label(y.Min+k*y.Interval, out.Meta.Symbols))
			}
		default:
			t.Fatalf("value axis %d leaves its ticks to ECharts: %+v", i, y)
		}
		d.Panels = append(d.Panels, labels)
	}
	return d
}

// fromFigure reads the same from the server's drawing.
func fromFigure(f chart.Figure) drawn {
	var d drawn
	for _, p := range f.Panels {
		var labels []string
		for _, t := range p.YTicks {
			labels = append(labels, t.Label)
		}
		d.Panels = append(d.Panels, labels)
		for _, l := range p.Lines {
			d.Lines = append(d.Lines, fmt.Sprintf("%s %s/%s %v", l.Name, l.Color.Light, l.Color.Dark, l.Dash))
		}
		for _, b := range p.Bars {
			d.Lines = append(d.Lines, fmt.Sprintf("%s %s/%s []", b.Name, b.Color.Light, b.Color.Dark))
		}
	}
	return d
}

// TestSpec_OptionAndFigureAgree holds the two drawings of each chart to one another: the
// ECharts option and the server's figure name, colour and dash the same lines, in as many
// panels, with the same value-axis ticks.
func TestSpec_OptionAndFigureAgree(t *testing.T) {
	coins := []string{"bitcoin", "ethereum", "solana", "cardano", "ripple", "polkadot", "dogecoin"}
	var many []domain.PriceRow
	for i, coin := range coins {
		for j, cur := range []string{"usd", "eur"} {
			for d := range 3 {
				many = append(many, domain.PriceRow{CoinID: coin, CurrencyCode: cur, Time: day0.AddDate(0, 0, d),
					Price: float64(1+i) * float64(10+j+d)})
			}
		}
	}
	gapped := []domain.PriceRow{
		{CoinID: "bitcoin", CurrencyCode: "usd", Time: day0, Price: 100},
		{CoinID: "bitcoin", CurrencyCode: "usd", Time: day0.AddDate(0, 0, 5), Price: 130},
		{CoinID: "bitcoin", CurrencyCode: "usd", Time: day0.AddDate(0, 0, 6), Price: 90},
	}
	withChange := func(rows []domain.PriceRow) []domain.PriceRow {
		firsts := map[string]float64{}
		for i, r := range rows {
			k := r.CoinID + r.CurrencyCode
			if _, ok := firsts[k]; !ok {
				firsts[k] = r.Price
			}
			rows[i].Change = r.Price/firsts[k] - 1
		}
		return rows
	}
	symbols := map[string]string{"usd": "$", "eur": "€"}
	tests := []struct {
		name   string
		rows   []domain.PriceRow
		b      domain.Breakdown
		mode   chart.Mode
		scale  chart.Scale
		panels int
	}{
		{"lines", rows(), all, chart.ModePrice, chart.ScaleLinear, 1},
		{"percent", withChange(rows()), all, chart.ModePercent, chart.ScaleLinear, 1},
		{"log", rows(), all, chart.ModePrice, chart.ScaleLog, 1},
		{"log ignores percent", withChange(rows()), all, chart.ModePercent, chart.ScaleLog, 1},
		{"bars", rows(), domain.Breakdown{Coin: true, Currency: true}, chart.ModePrice, chart.ScaleLinear, 1},
		{"bars of change", withChange(rows()), domain.Breakdown{Coin: true}, chart.ModePercent, chart.ScaleLinear, 1},
		{"panels split by currency", many, all, chart.ModePrice, chart.ScaleLinear, 2},
		{"panels on a log axis", many, all, chart.ModePrice, chart.ScaleLog, 2},
		{"a single point", rows()[:1], all, chart.ModePrice, chart.ScaleLinear, 1},
		{"gaps", gapped, domain.Breakdown{Date: true, Coin: true}, chart.ModePrice, chart.ScaleLinear, 1},
		{"average", rows(), domain.Breakdown{Date: true}, chart.ModePrice, chart.ScaleLinear, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			groups := domain.Aggregate(tt.rows, tt.b)
			v := chart.View{Breakdown: tt.b, Granularity: domain.Daily, Mode: tt.mode, Scale: tt.scale,
				Symbols: syms, CurrencySymbols: symbols}
			spec := chart.Dashboard(groups, v)
			opt, fig := fromOption(t, spec.Chart()), fromFigure(spec.Figure())
			if len(fig.Panels) != tt.panels {
				t.Errorf("%d panels, want %d", len(fig.Panels), tt.panels)
			}
			if !slices.Equal(opt.Lines, fig.Lines) {
				t.Errorf("the option draws\n%s\nthe figure\n%s", strings.Join(opt.Lines, "\n"), strings.Join(fig.Lines, "\n"))
			}
			if len(opt.Lines) == 0 {
				t.Error("nothing drawn")
			}
			if len(opt.Panels) != len(fig.Panels) {
				t.Fatalf("the option has %d panels, the figure %d", len(opt.Panels), len(fig.Panels))
			}
			for i := range opt.Panels {
				if !slices.Equal(opt.Panels[i], fig.Panels[i]) {
					t.Errorf("panel %d's ticks: the option's %q, the figure's %q", i, opt.Panels[i], fig.Panels[i])
				}
			}
		})
	}
}

// TestCoinSpec_OptionAndFigureAgree holds a coin chart's two drawings to one another: the
// same colours per role, the price axis's split and scale, and every axis's format.
func TestCoinSpec_OptionAndFigureAgree(t *testing.T) {
	vol := func(f float64) *float64 { return &f }
	candles := []domain.Candle{
		{Day: day0, Open: 100, High: 130, Low: 95, Close: 120, Samples: 24},
		{Day: day1, Open: 120, High: 125, Low: 80, Close: 90, Samples: 24},
		{Day: day2, Open: 90, High: 1500, Low: 85, Close: 1400, Samples: 13, Partial: true},
	}
	ends := []domain.Sample{
		{Time: day0.Add(23 * time.Hour), TotalVolume: vol(5e9), MarketCap: vol(2e12)},
		{Time: day1.Add(23 * time.Hour), TotalVolume: vol(7e9), MarketCap: vol(1.8e12)},
		{Time: day2.Add(12 * time.Hour), TotalVolume: vol(2e9), MarketCap: vol(2.2e12)},
	}
	var hours []domain.Sample
	for h := range 30 {
		if h == 7 {
			continue
		}
		hours = append(hours, domain.Sample{Time: day0.Add(time.Duration(h) * time.Hour), Price: 0.5 + float64(h)/10,
			TotalVolume: vol(1e6 * float64(h+1)), MarketCap: vol(3e9 + 1e7*float64(h))})
	}
	for _, scale := range []chart.Scale{chart.ScaleLinear, chart.ScaleLog} {
		v := chart.CoinView{CoinID: "bitcoin", Currency: "usd", CurrencySymbols: map[string]string{"usd": "$"}, Scale: scale}
		for _, spec := range []chart.CoinSpec{chart.CoinDays(candles, ends, v), chart.CoinHours(hours, v)} {
			t.Run(string(scale)+" "+spec.Step, func(t *testing.T) {
				c, f := spec.Chart(), spec.Figure()
				if fmt.Sprint(c.Meta.Colors) != fmt.Sprint(f.Colors) {
					t.Errorf("colours: the option's %v, the figure's %v", c.Meta.Colors, f.Colors)
				}
				b, err := json.Marshal(c.Option)
				if err != nil {
					t.Fatal(err)
				}
				var o struct {
					Series []struct {
						ID        string `json:"id"`
						LineStyle struct {
							Color string `json:"color"`
						} `json:"lineStyle"`
					} `json:"series"`
					YAxis []struct {
						Type        string `json:"type"`
						SplitNumber int    `json:"splitNumber"`
					} `json:"yAxis"`
				}
				if err := json.Unmarshal(b, &o); err != nil {
					t.Fatal(err)
				}
				for _, s := range o.Series {
					if s.LineStyle.Color != "" && s.LineStyle.Color != f.Colors[s.ID].Light {
						t.Errorf("series %s is %s in the option, %s in the figure", s.ID, s.LineStyle.Color, f.Colors[s.ID].Light)
					}
				}
				if want := map[chart.Scale]string{chart.ScaleLinear: "value", chart.ScaleLog: "log"}[scale]; o.YAxis[0].Type != want {
					t.Errorf("price axis %s, want %s", o.YAxis[0].Type, want)
				}
				// ECharts refits a zoomed coin chart's axes, so the option gives their split,
				// and the figure's ticks at that split are labelled in Meta's formats.
				for i, p := range []chart.Panel{f.Price, f.Volume, f.Cap} {
					ticks := p.YTicks
					if i == 2 {
						// The market cap's bottom label is left out on both sides.
						ticks = append([]chart.Tick{{}}, ticks...)
					}
					if scale == chart.ScaleLinear || i > 0 {
						if steps := len(ticks) - 1; steps < o.YAxis[i].SplitNumber || steps > 2*o.YAxis[i].SplitNumber+1 {
							t.Errorf("axis %d has %d steps for a split of %d", i, steps, o.YAxis[i].SplitNumber)
						}
					}
					for _, tick := range ticks[1:] {
						if tick.Label == "" || !strings.Contains(tick.Label, "$") {
							t.Errorf("axis %d tick %q is not in Meta's currency format %+v", i, tick.Label, c.Meta.Axes[i])
						}
					}
				}
				if len(c.Meta.Axes) != 3 {
					t.Errorf("%d axis formats, want 3", len(c.Meta.Axes))
				}
			})
		}
	}
}
