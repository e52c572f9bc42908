package chart_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
)

var (
	day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day1 = day0.AddDate(0, 0, 1)
	day2 = day0.AddDate(0, 0, 2)
	all  = domain.Breakdown{Date: true, Coin: true, Currency: true}
	syms = map[string]string{"bitcoin": "btc", "dogecoin": "doge"}
)

func rows() []domain.PriceRow {
	return []domain.PriceRow{
		{CoinID: "bitcoin", CurrencyCode: "usd", Time: day0, Price: 100},
		{CoinID: "dogecoin", CurrencyCode: "usd", Time: day0, Price: 0.08},
		{CoinID: "bitcoin", CurrencyCode: "usd", Time: day1, Price: 110},
		{CoinID: "dogecoin", CurrencyCode: "usd", Time: day1, Price: 0.06},
		{CoinID: "bitcoin", CurrencyCode: "usd", Time: day2, Price: 121},
		{CoinID: "dogecoin", CurrencyCode: "usd", Time: day2, Price: 0.05},
	}
}

func groups() []domain.Group { return domain.Aggregate(rows(), all) }

func TestName(t *testing.T) {
	tests := []struct {
		name string
		b    domain.Breakdown
		want string
	}{
		{"coin and currency", all, "BTC / USD"},
		{"coin only", domain.Breakdown{Date: true, Coin: true}, "BTC"},
		{"currency only", domain.Breakdown{Date: true, Currency: true}, "USD"},
		{"date only", domain.Breakdown{Date: true}, "Average"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chart.Name("bitcoin", "usd", chart.View{Breakdown: tt.b, Symbols: syms}); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := chart.Name("unknown-coin", "eur", chart.View{Breakdown: all}); got != "UNKNOWN-COIN / EUR" {
		t.Errorf("coin without symbol: %q", got)
	}
}

// option round-trips the built chart through JSON, as the page delivers it.
func option(t *testing.T, c chart.Chart) map[string]any {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Option map[string]any `json:"option"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out.Option
}

func TestSpec_Chart(t *testing.T) {
	t.Run("line chart on a time axis", func(t *testing.T) {
		c := build(groups(), chart.View{Breakdown: all, Symbols: syms, Granularity: domain.Daily, Mode: chart.ModePrice, Scale: chart.ScaleLog})
		o := option(t, c)
		series := o["series"].([]any)
		if len(series) != 2 {
			t.Fatalf("%d series", len(series))
		}
		first := series[0].(map[string]any)
		if first["name"] != "BTC / USD" || first["type"] != "line" || first["showSymbol"] != false {
			t.Errorf("series %v", first)
		}
		point := first["data"].([]any)[0].(map[string]any)["value"].([]any)
		if int64(point[0].(float64)) != day0.UnixMilli() || point[1].(float64) != 100 {
			t.Errorf("first point %v", point)
		}
		if x := o["xAxis"].([]any)[0].(map[string]any); x["type"] != "time" {
			t.Errorf("x axis %v", x)
		}
		if y := o["yAxis"].([]any)[0].(map[string]any); y["type"] != "log" {
			t.Errorf("y axis %v", y)
		}
		x := o["xAxis"].([]any)[0].(map[string]any)
		if label, _ := x["axisLabel"].(map[string]any); label == nil || label["hideOverlap"] != true {
			t.Errorf("x labels may overlap: %v", x["axisLabel"])
		}
		// The option says how its labels and tooltip read; the browser adds only functions.
		if f, _ := x["axisLabel"].(map[string]any)["formatter"].(map[string]any); f["day"] != "{MMM} {d}" || f["month"] != "{MMM}" {
			t.Errorf("x label formats %v", x["axisLabel"])
		}
		if tip := o["tooltip"].(map[string]any); tip["className"] != "chart-tip-box" || tip["confine"] != true {
			t.Errorf("tooltip %v", tip)
		}
		if a := c.Meta.Axes; len(a) != 1 || a[0].Currency != "usd" || a[0].Percent || !a[0].Log {
			t.Errorf("axis formats %+v", a)
		}
		// The last x label is centred on the plot's right edge: the grid leaves it room.
		if grid := o["grid"].([]any)[0].(map[string]any); grid["right"] != "32" {
			t.Errorf("grid right padding %v", grid["right"])
		}
		if zooms := o["dataZoom"].([]any); len(zooms) != 2 {
			t.Errorf("dataZoom %v", zooms)
		}
		if c.Meta.Kind != chart.KindLine || strings.Join(c.Meta.Currencies, ",") != "usd,usd" || c.Meta.Panels != 1 {
			t.Errorf("meta %+v", c.Meta)
		}
	})
	t.Run("each coin keeps its colour and each currency its dash", func(t *testing.T) {
		in := append(rows(), domain.PriceRow{CoinID: "bitcoin", CurrencyCode: "eur", Time: day0, Price: 90})
		c := build(domain.Aggregate(in, all), chart.View{Breakdown: all, Symbols: syms, Mode: chart.ModePercent})
		series := option(t, c)["series"].([]any)
		style := func(i int) map[string]any { return series[i].(map[string]any)["lineStyle"].(map[string]any) }
		btc := chart.CoinColor("bitcoin")
		if style(0)["color"] != btc.Light || style(1)["color"] != btc.Light || c.Meta.Dark[0] != btc.Dark {
			t.Errorf("bitcoin lines %v %v, dark %v", style(0), style(1), c.Meta.Dark)
		}
		if style(0)["type"] == nil || style(1)["type"] != nil {
			t.Errorf("BTC/EUR dashed, BTC/USD solid: %v %v", style(0), style(1))
		}
	})
	t.Run("a line of one point shows it", func(t *testing.T) {
		g := domain.Aggregate(rows()[:2], all)
		if s := option(t, build(g, chart.View{Breakdown: all}))["series"].([]any)[0].(map[string]any); s["showSymbol"] != true {
			t.Errorf("series %v", s)
		}
	})
	t.Run("hourly x values are the hours", func(t *testing.T) {
		h := day0.Add(13 * time.Hour)
		g := domain.Aggregate([]domain.PriceRow{{CoinID: "bitcoin", CurrencyCode: "usd", Time: h, Price: 1}}, all)
		c := build(g, chart.View{Breakdown: all, Granularity: domain.Hourly, Mode: chart.ModePrice})
		point := option(t, c)["series"].([]any)[0].(map[string]any)["data"].([]any)[0].(map[string]any)["value"].([]any)
		if int64(point[0].(float64)) != h.UnixMilli() || c.Meta.Granularity != domain.Hourly {
			t.Errorf("point %v meta %+v", point, c.Meta)
		}
	})
	t.Run("percent mode draws changes on a linear axis", func(t *testing.T) {
		c := build(groups(), chart.View{Breakdown: all, Mode: chart.ModePercent, Scale: chart.ScaleLog})
		o := option(t, c)
		if y := o["yAxis"].([]any)[0].(map[string]any); y["type"] != "value" {
			t.Errorf("y axis %v", y)
		}
		doge := o["series"].([]any)[1].(map[string]any)["data"].([]any)[1].(map[string]any)["value"].([]any)
		if math.Abs(doge[1].(float64)+25) > 1e-9 || c.Meta.Currencies[0] != "" {
			t.Errorf("DOGE's second point %v, currencies %v: a change of -25%% with no currency", doge, c.Meta.Currencies)
		}
	})
	t.Run("meta carries the symbols and the hourly span app.js needs", func(t *testing.T) {
		c := build(groups(), chart.View{Breakdown: all, Mode: chart.ModePrice, CurrencySymbols: map[string]string{"usd": "$", "eur": "€"}, HourlyMax: 48 * time.Hour})
		if len(c.Meta.Symbols) != 1 || c.Meta.Symbols["usd"] != "$" || c.Meta.HourlyMaxMs != 48*3600*1000 {
			t.Errorf("meta %+v, want only the shown currencies' symbols and 2 days in ms", c.Meta)
		}
	})
	t.Run("bars without the date, on a linear axis, in either mode", func(t *testing.T) {
		byCoin := domain.Breakdown{Coin: true}
		g := domain.Aggregate(rows(), domain.Breakdown{Coin: true})
		c := build(g, chart.View{Breakdown: byCoin, Symbols: syms, Currency: "eur", Mode: chart.ModePrice, Scale: chart.ScaleLog})
		o := option(t, c)
		if c.Meta.Kind != chart.KindBar || c.Meta.Mode != chart.ModePrice || c.Meta.Currencies[0] != "eur" {
			t.Errorf("meta %+v", c.Meta)
		}
		if x := o["xAxis"].([]any)[0].(map[string]any); x["type"] != "category" || len(x["data"].([]any)) != 2 || x["data"].([]any)[1] != "DOGE" {
			t.Errorf("x axis %v", x)
		}
		if y := o["yAxis"].([]any)[0].(map[string]any); y["type"] != "value" {
			t.Errorf("bars on a %v axis", y["type"])
		}
		pct := build(g, chart.View{Breakdown: byCoin, Symbols: syms, Mode: chart.ModePercent})
		bars := option(t, pct)["series"].([]any)[0].(map[string]any)["data"].([]any)
		if v := bars[0].(map[string]any)["value"].(float64); math.Abs(v-21) > 1e-9 || pct.Meta.Mode != chart.ModePercent {
			t.Errorf("BTC's change over the range %v, meta %+v", v, pct.Meta)
		}
	})
	t.Run("many lines get a panel per currency", func(t *testing.T) {
		var in []domain.PriceRow
		for i := range 7 {
			for _, cur := range []string{"usd", "eur"} {
				in = append(in, domain.PriceRow{CoinID: fmt.Sprintf("coin-%d", i), CurrencyCode: cur, Time: day0, Price: 1})
			}
		}
		c := build(domain.Aggregate(in, all), chart.View{Breakdown: all, Mode: chart.ModePercent})
		o := option(t, c)
		if c.Meta.Panels != 2 || len(o["grid"].([]any)) != 2 || len(o["yAxis"].([]any)) != 2 {
			t.Fatalf("panels %d, grids %v", c.Meta.Panels, o["grid"])
		}
		// Panels in currency order: eur first; the usd lines sit on the second axes.
		if s := o["series"].([]any)[1].(map[string]any); s["name"] != "COIN-0 / USD" || s["xAxisIndex"] != 1.0 || s["yAxisIndex"] != 1.0 {
			t.Errorf("second series %v", s)
		}
		for i, axis := range []string{"xAxis", "yAxis"} {
			if a := o[axis].([]any)[1].(map[string]any); a["gridIndex"] != 1.0 {
				t.Errorf("%s 1 is on grid %v, want the second panel's (%d)", axis, a["gridIndex"], i)
			}
		}
	})
}
