package chart_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
)

var coinView = chart.CoinView{CoinID: "bitcoin", Currency: "usd", CurrencySymbols: map[string]string{"usd": "$"}}

// roundTrip is the chart as app.js receives it: JSON.
func roundTrip(t *testing.T, c chart.CoinChart) (option map[string]any, meta map[string]any) {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Option map[string]any `json:"option"`
		Meta   map[string]any `json:"meta"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	return got.Option, got.Meta
}

func asList(v any) []any         { return v.([]any) }
func asObj(v any) map[string]any { return v.(map[string]any) }

// checkPanels checks what every coin chart shares: three panels on linear axes (no bar on a
// log axis), zoom over all three, no per-point symbols, and no component the chart does not
// draw.
func checkPanels(t *testing.T, option map[string]any, firstType string) {
	t.Helper()
	series := asList(option["series"])
	types := []string{}
	for _, s := range series {
		types = append(types, asObj(s)["type"].(string))
		if asObj(s)["type"] == "line" && (asObj(s)["showSymbol"] != false || asObj(s)["symbol"] != "none") {
			t.Errorf("line %v draws a symbol per point", asObj(s)["id"])
		}
	}
	if want := []string{firstType, "bar", "line"}; len(types) != 3 || types[0] != want[0] || types[1] != want[1] || types[2] != want[2] {
		t.Errorf("series types %v, want %v", types, want)
	}
	for i, s := range series {
		x, y := asObj(s)["xAxisIndex"], asObj(s)["yAxisIndex"]
		if i > 0 && (x != float64(i) || y != float64(i)) {
			t.Errorf("series %d on axes %v/%v, want panel %d", i, x, y, i)
		}
	}
	for i, y := range asList(option["yAxis"]) {
		if typ := asObj(y)["type"]; typ != "value" {
			t.Errorf("y axis %d is %v, want a linear value axis", i, typ)
		}
		if asObj(y)["gridIndex"] != nil && asObj(y)["gridIndex"] != float64(i) {
			t.Errorf("y axis %d on grid %v", i, asObj(y)["gridIndex"])
		}
	}
	if vol := asObj(asList(option["yAxis"])[1]); vol["min"] != 0.0 {
		t.Errorf("volume axis starts at %v, want 0", vol["min"])
	}
	if n := len(asList(option["grid"])); n != 3 {
		t.Errorf("%d grids, want 3", n)
	}
	zooms := asList(option["dataZoom"])
	if len(zooms) != 2 {
		t.Fatalf("dataZoom %v", zooms)
	}
	for _, z := range zooms {
		if axes := asList(asObj(z)["xAxisIndex"]); len(axes) != 3 {
			t.Errorf("zoom %v does not move all three panels", z)
		}
	}
	for _, unused := range []string{"title", "legend", "toolbox"} {
		if _, ok := option[unused]; ok {
			t.Errorf("option has %s, which the chart does not draw", unused)
		}
	}
	link := asObj(option["axisPointer"])["link"]
	if asObj(asList(link)[0])["xAxisIndex"] != "all" {
		t.Errorf("axis pointers not linked: %v", link)
	}
}

func TestCoinDays_Chart(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	volume, mcap := 5e9, 1.2e12
	candles := []domain.Candle{
		{Day: day, Open: 100, High: 120, Low: 90, Close: 110, Samples: 13, Partial: true},
		{Day: day.AddDate(0, 0, 1), Open: 110, High: 115, Low: 95, Close: 100, Samples: 24},
		{Day: day.AddDate(0, 0, 2), Open: 100, High: 101, Low: 80, Close: 85, Samples: 5, Partial: true},
	}
	ends := []domain.Sample{
		{Time: day.Add(23 * time.Hour), Price: 110, TotalVolume: &volume, MarketCap: &mcap},
		// The second day reports neither figure.
		{Time: day.AddDate(0, 0, 1).Add(23 * time.Hour), Price: 100},
		{Time: day.AddDate(0, 0, 2).Add(4 * time.Hour), Price: 85, TotalVolume: &volume, MarketCap: &mcap},
	}
	option, meta := roundTrip(t, candlesticks(candles, ends, coinView))
	checkPanels(t, option, "candlestick")

	series := asList(option["series"])
	data := asList(asObj(series[0])["data"])
	t.Run("candles in ECharts' order, partial days dashed and a falling one only tinted", func(t *testing.T) {
		want := [][]float64{{100, 110, 90, 120}, {110, 100, 95, 115}, {100, 85, 80, 101}}
		for i, d := range data {
			v := asList(asObj(d)["value"])
			for j := range v {
				if v[j] != want[i][j] {
					t.Errorf("day %d = %v, want open, close, low, high %v", i, v, want[i])
				}
			}
		}
		if s := asObj(asObj(data[0])["itemStyle"]); s["borderType"] != "dashed" || s["color0"] != nil {
			t.Errorf("rising partial day style %v", s)
		}
		if asObj(data[1])["itemStyle"] != nil {
			t.Errorf("a whole day is styled: %v", data[1])
		}
		if s := asObj(asObj(data[2])["itemStyle"]); s["borderType"] != "dashed" || s["color0"] == nil {
			t.Errorf("falling partial day style %v", s)
		}
	})
	t.Run("rising candles are hollow, falling ones filled", func(t *testing.T) {
		style := asObj(asObj(series[0])["itemStyle"])
		if style["color"] != "transparent" || style["borderColor"] == style["borderColor0"] || style["color0"] != style["borderColor0"] {
			t.Errorf("candle style %v", style)
		}
	})
	t.Run("volume and market cap from each day's last hour; missing ones are gaps", func(t *testing.T) {
		vol := asList(asObj(series[1])["data"])
		if asObj(vol[0])["value"] != volume || asObj(vol[1])["value"] != nil || asObj(vol[2])["value"] != volume {
			t.Errorf("volumes %v", vol)
		}
		if asObj(vol[0])["itemStyle"] != nil || asObj(vol[2])["itemStyle"] == nil {
			t.Errorf("only a bar read before 23:00 is dimmed: %v", vol)
		}
		caps := asList(asObj(series[2])["data"])
		if asObj(caps[0])["value"] != mcap || asObj(caps[1])["value"] != "-" {
			t.Errorf("market caps %v", caps)
		}
	})
	t.Run("meta", func(t *testing.T) {
		if meta["kind"] != "coin" || meta["step"] != "day" || meta["currency"] != "usd" || asObj(meta["symbols"])["usd"] != "$" {
			t.Errorf("meta %v", meta)
		}
		if s := asList(meta["samples"]); len(s) != 3 || s[0] != 13.0 || s[1] != 24.0 {
			t.Errorf("samples %v", s)
		}
		if e := asList(meta["ends"]); e[0] != "23:00" || e[2] != "04:00" {
			t.Errorf("ends %v", e)
		}
		colors := asObj(meta["colors"])
		for _, role := range []string{"up", "down", "downPartial", "volume", "cap", "price"} {
			c := asObj(colors[role])
			if c["light"] == "" || c["dark"] == "" || c["light"] == c["dark"] {
				t.Errorf("colour %s = %v, want a shade per theme", role, c)
			}
		}
		if asObj(colors["cap"])["light"] != chart.CoinColor("bitcoin").Light {
			t.Errorf("market cap is not drawn in the coin's colour: %v", colors["cap"])
		}
	})
	t.Run("days on every axis", func(t *testing.T) {
		for _, x := range asList(option["xAxis"]) {
			if d := asList(asObj(x)["data"]); len(d) != 3 || d[0] != "2026-03-01" {
				t.Errorf("x axis data %v", d)
			}
		}
	})
}

func TestCoinHours_Chart(t *testing.T) {
	start := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	volume := 7e8
	var hours []domain.Sample
	for i := range 24 {
		hours = append(hours, domain.Sample{Time: start.Add(time.Duration(i) * time.Hour), Price: 100 + float64(i), TotalVolume: &volume})
	}
	option, meta := roundTrip(t, hourlyPrices(hours, chart.CoinView{CoinID: "ethereum", Currency: "eur"}))
	checkPanels(t, option, "line")
	price := asObj(asList(option["series"])[0])
	if asObj(price["lineStyle"])["color"] != chart.CoinColor("ethereum").Light {
		t.Errorf("price line %v, want the coin's colour", price["lineStyle"])
	}
	if d := asList(price["data"]); len(d) != 24 || asObj(d[23])["value"] != 123.0 {
		t.Errorf("price data %v", d)
	}
	if x := asList(asObj(asList(option["xAxis"])[2])["data"]); x[0] != "2026-03-01 22:00" || x[2] != "2026-03-02 00:00" {
		t.Errorf("hours %v", x)
	}
	if meta["step"] != "hour" || meta["samples"] != nil || len(asObj(meta["symbols"])) != 0 {
		t.Errorf("meta %v", meta)
	}
}
