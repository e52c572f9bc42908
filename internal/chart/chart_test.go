package chart_test

import (
	"encoding/json"
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
	all  = domain.Breakdown{Date: true, Coin: true, Currency: true}
	syms = map[string]string{"bitcoin": "btc", "dogecoin": "doge"}
)

func rows() []domain.PriceRow {
	return []domain.PriceRow{
		{CoinID: "bitcoin", CurrencyCode: "usd", Time: day0, Price: 100},
		{CoinID: "dogecoin", CurrencyCode: "usd", Time: day0, Price: 0.08},
		{CoinID: "bitcoin", CurrencyCode: "usd", Time: day1, Price: 110},
		{CoinID: "dogecoin", CurrencyCode: "usd", Time: day1, Price: 0.06},
	}
}

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

func TestLines(t *testing.T) {
	t.Run("one line per combination in time order", func(t *testing.T) {
		in := rows()
		in[0], in[2] = in[2], in[0]
		lines := chart.Lines(in, chart.View{Breakdown: all, Symbols: syms, Mode: chart.ModePrice})
		if len(lines) != 2 || lines[0].Name != "BTC / USD" || lines[1].Name != "DOGE / USD" {
			t.Fatalf("lines %+v", lines)
		}
		if p := lines[0].Points; !p[0].Time.Equal(day0) || p[0].Value != 100 || p[1].Value != 110 {
			t.Errorf("bitcoin points %+v", p)
		}
	})
	t.Run("percent change from each line's first value", func(t *testing.T) {
		lines := chart.Lines(rows(), chart.View{Breakdown: all, Symbols: syms, Mode: chart.ModePercent})
		if got := lines[0].Points; got[0].Value != 0 || math.Abs(got[1].Value-10) > 1e-9 {
			t.Errorf("bitcoin %% %+v", got)
		}
		if got := lines[1].Points; math.Abs(got[1].Value+25) > 1e-9 {
			t.Errorf("dogecoin %% %+v", got)
		}
	})
	t.Run("date only is one average line", func(t *testing.T) {
		in := []domain.PriceRow{{Time: day0, Price: 50}, {Time: day1, Price: 55}}
		lines := chart.Lines(in, chart.View{Breakdown: domain.Breakdown{Date: true}})
		if len(lines) != 1 || lines[0].Name != "Average" || len(lines[0].Points) != 2 {
			t.Errorf("lines %+v", lines)
		}
	})
}

func TestPercentChange(t *testing.T) {
	got := chart.PercentChange([]chart.Point{{Value: 4}, {Value: 5}, {Value: 2}})
	want := []float64{0, 25, -50}
	for i, w := range want {
		if math.Abs(got[i].Value-w) > 1e-9 {
			t.Errorf("point %d = %v, want %v", i, got[i].Value, w)
		}
	}
	if len(chart.PercentChange(nil)) != 0 {
		t.Error("empty input")
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

func TestBuild(t *testing.T) {
	t.Run("line chart on a time axis", func(t *testing.T) {
		c := chart.Build(rows(), chart.View{Breakdown: all, Symbols: syms, Granularity: domain.Daily, Mode: chart.ModePrice, Scale: chart.ScaleLog})
		o := option(t, c)
		series := o["series"].([]any)
		if len(series) != 2 {
			t.Fatalf("%d series", len(series))
		}
		first := series[0].(map[string]any)
		if first["name"] != "BTC / USD" || first["type"] != "line" {
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
		// The last x label is centred on the plot's right edge: the grid leaves it room.
		if grid := o["grid"].([]any)[0].(map[string]any); grid["right"] != "32" {
			t.Errorf("grid right padding %v", grid["right"])
		}
		if zooms := o["dataZoom"].([]any); len(zooms) != 2 {
			t.Errorf("dataZoom %v", zooms)
		}
		if c.Meta.Kind != chart.KindLine || strings.Join(c.Meta.Currencies, ",") != "usd,usd" {
			t.Errorf("meta %+v", c.Meta)
		}
	})
	t.Run("hourly x values are the hours", func(t *testing.T) {
		h := day0.Add(13 * time.Hour)
		c := chart.Build([]domain.PriceRow{{CoinID: "bitcoin", CurrencyCode: "usd", Time: h, Price: 1}},
			chart.View{Breakdown: all, Granularity: domain.Hourly, Mode: chart.ModePrice})
		point := option(t, c)["series"].([]any)[0].(map[string]any)["data"].([]any)[0].(map[string]any)["value"].([]any)
		if int64(point[0].(float64)) != h.UnixMilli() || c.Meta.Granularity != domain.Hourly {
			t.Errorf("point %v meta %+v", point, c.Meta)
		}
	})
	t.Run("percent mode keeps a linear axis", func(t *testing.T) {
		c := chart.Build(rows(), chart.View{Breakdown: all, Mode: chart.ModePercent, Scale: chart.ScaleLog})
		if y := option(t, c)["yAxis"].([]any)[0].(map[string]any); y["type"] != "value" {
			t.Errorf("y axis %v", y)
		}
	})
	t.Run("meta carries the symbols and the hourly span app.js needs", func(t *testing.T) {
		c := chart.Build(rows(), chart.View{Breakdown: all, CurrencySymbols: map[string]string{"usd": "$", "eur": "€"}, HourlyMax: 48 * time.Hour})
		if len(c.Meta.Symbols) != 1 || c.Meta.Symbols["usd"] != "$" || c.Meta.HourlyMaxMs != 48*3600*1000 {
			t.Errorf("meta %+v, want only the shown currencies' symbols and 2 days in ms", c.Meta)
		}
	})
	t.Run("bars without the date", func(t *testing.T) {
		in := []domain.PriceRow{{CoinID: "bitcoin", Price: 100}, {CoinID: "dogecoin", Price: 0.07}}
		c := chart.Build(in, chart.View{Breakdown: domain.Breakdown{Coin: true}, Symbols: syms, Currency: "eur", Mode: chart.ModePercent})
		o := option(t, c)
		if c.Meta.Kind != chart.KindBar || c.Meta.Mode != chart.ModePrice || c.Meta.Currencies[0] != "eur" {
			t.Errorf("meta %+v", c.Meta)
		}
		if x := o["xAxis"].([]any)[0].(map[string]any); x["type"] != "category" || len(x["data"].([]any)) != 2 || x["data"].([]any)[1] != "DOGE" {
			t.Errorf("x axis %v", x)
		}
	})
}
