package coingecko

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// recordings holds real CoinGecko answers recorded on 2021-05-15 (see its README.md), copied
// from the team's shared test data so the repository tests on its own.
const recordings = "testdata/recorded"

func recorded(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(recordings, name))
	if err != nil {
		t.Fatalf("recorded answer missing: %v", err)
	}
	return body
}

// serveBody answers every request with body and keeps the last request's URL.
func serveBody(t *testing.T, body []byte) (*Client, *url.URL) {
	t.Helper()
	var last url.URL
	_, srv := serveScript(t, func(w http.ResponseWriter, r *http.Request) {
		last = *r.URL
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	return newTestClient(t, srv.URL, Config{}), &last
}

func chartRange(t *testing.T, c *Client) []domain.Sample {
	t.Helper()
	to := time.Date(2021, 5, 15, 14, 40, 0, 0, time.UTC)
	samples, err := c.MarketChartRange(context.Background(), "bitcoin", "usd", to.AddDate(0, 0, -30), to)
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

func assertAscending(t *testing.T, samples []domain.Sample) {
	t.Helper()
	for i := 1; i < len(samples); i++ {
		if !samples[i].Time.After(samples[i-1].Time) {
			t.Fatalf("samples %d and %d not strictly ascending: %s, %s", i-1, i, samples[i-1].Time, samples[i].Time)
		}
	}
}

func TestMarketChartRange_Recorded30DaysHourly(t *testing.T) {
	c, _ := serveBody(t, recorded(t, "market_chart_bitcoin_usd_30d_hourly_2021-05-15.json"))
	samples := chartRange(t, c)
	if len(samples) != 722 {
		t.Fatalf("got %d samples, want 722", len(samples))
	}
	assertAscending(t, samples)
	first, last := samples[0], samples[len(samples)-1]
	if !first.Time.Equal(time.UnixMilli(1618499053863)) || first.Time.Location() != time.UTC {
		t.Fatalf("first sample at %s", first.Time)
	}
	if last.Price != 49424.27756187507 || last.MarketCap == nil || *last.MarketCap != 923497456368.4683 ||
		last.TotalVolume == nil || *last.TotalVolume != 60004857729.241455 {
		t.Fatalf("last sample %+v lost digits or its market data", last)
	}
}

func TestMarketChartRange_Recorded1DayTailRepeat(t *testing.T) {
	c, _ := serveBody(t, recorded(t, "market_chart_bitcoin_usd_1d_5min_2021-05-15.json"))
	samples := chartRange(t, c)
	if len(samples) != 288 {
		t.Fatalf("got %d samples, want 288", len(samples))
	}
	// The answer ends with ...594955 and then ...594000: the client keeps both as sent, and
	// the clean-up puts the repeat in its place instead of losing it or letting it win.
	n := len(samples)
	if !samples[n-2].Time.Equal(time.UnixMilli(1621089594955)) || !samples[n-1].Time.Equal(time.UnixMilli(1621089594000)) {
		t.Fatalf("tail at %s, %s", samples[n-2].Time, samples[n-1].Time)
	}
	hours, dropped := domain.BucketHourly(samples, everything)
	assertAscending(t, hours)
	if last := hours[len(hours)-1]; dropped.Total() != 0 || last.Price != samples[n-2].Price {
		t.Fatalf("last hour %+v (dropped %+v), want the price of ...594955, the latest instant", last, dropped)
	}
}

// everything keeps every sample of the recordings.
var everything = domain.Window{
	Asked: domain.Range{Start: time.Unix(0, 0), End: time.Unix(1<<40, 0)},
	Own:   domain.Range{Start: time.Unix(0, 0), End: time.Unix(1<<40, 0)},
}

func TestMarketChartRange_RecordedDaily(t *testing.T) {
	c, _ := serveBody(t, recorded(t, "market_chart_bitcoin_usd_90d_daily_2021-05-15.json"))
	samples := chartRange(t, c)
	if len(samples) != 91 {
		t.Fatalf("got %d samples, want 91", len(samples))
	}
	assertAscending(t, samples)
	for _, s := range samples[:90] {
		if !s.Time.Equal(s.Time.Truncate(24 * time.Hour)) {
			t.Fatalf("daily sample at %s, not midnight UTC", s.Time)
		}
	}
}

func TestMarketChartRange_Request(t *testing.T) {
	c, last := serveBody(t, []byte(`{"prices":[],"market_caps":[],"total_volumes":[]}`))
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	samples, err := c.MarketChartRange(context.Background(), "avalanche-2", "eur", from, from.Add(90*24*time.Hour))
	if err != nil || len(samples) != 0 {
		t.Fatalf("got %v, %v", samples, err)
	}
	want := url.Values{"vs_currency": {"eur"}, "from": {"1735689600"}, "to": {"1743465600"}, "precision": {"full"}}
	if last.Path != "/coins/avalanche-2/market_chart/range" || last.Query().Encode() != want.Encode() {
		t.Fatalf("requested %s", last)
	}
	if _, err := c.MarketChartRange(context.Background(), "bitcoin", "usd", from, from); err == nil {
		t.Fatal("an empty range was accepted")
	}
}

func TestMarketChartRange_KeepsPointsAsSent(t *testing.T) {
	body := `{
		"prices":[[3000,3.5],[1000,1.5],[2000,null],[1000,1.25],[4000,-1],[5000,0],[6000,2]],
		"market_caps":[[1000,10],[3000,null],[6000,60]],
		"total_volumes":[[1000,100],[3000,300],[2000,200]]
	}`
	c, _ := serveBody(t, []byte(body))
	samples := chartRange(t, c)
	f := func(v float64) *float64 { return &v }
	nan := math.NaN()
	want := []domain.Sample{
		{Time: time.UnixMilli(3000).UTC(), Price: 3.5, TotalVolume: f(300)},
		{Time: time.UnixMilli(1000).UTC(), Price: 1.5, MarketCap: f(10), TotalVolume: f(100)},
		{Time: time.UnixMilli(2000).UTC(), Price: nan, TotalVolume: f(200)},
		{Time: time.UnixMilli(1000).UTC(), Price: 1.25, MarketCap: f(10), TotalVolume: f(100)},
		{Time: time.UnixMilli(4000).UTC(), Price: -1},
		{Time: time.UnixMilli(5000).UTC(), Price: 0},
		{Time: time.UnixMilli(6000).UTC(), Price: 2, MarketCap: f(60)},
	}
	if len(samples) != len(want) {
		t.Fatalf("got %d samples %+v, want %d", len(samples), samples, len(want))
	}
	for i, w := range want {
		s := samples[i]
		samePrice := s.Price == w.Price || math.IsNaN(s.Price) && math.IsNaN(w.Price)
		if !s.Time.Equal(w.Time) || !samePrice || !sameValue(s.MarketCap, w.MarketCap) || !sameValue(s.TotalVolume, w.TotalVolume) {
			t.Errorf("sample %d = %s %v cap %v vol %v, want %s %v cap %v vol %v", i,
				s.Time, s.Price, deref(s.MarketCap), deref(s.TotalVolume), w.Time, w.Price, deref(w.MarketCap), deref(w.TotalVolume))
		}
	}
	t.Run("the clean-up drops nulls and bad prices, and the later of two equal instants wins", func(t *testing.T) {
		perSecond := make([]domain.Sample, len(samples))
		for i, s := range samples {
			// Stretch milliseconds to hours, so each instant buckets alone.
			s.Time = time.Unix(s.Time.UnixMilli()/1000*3600, 0).UTC()
			perSecond[i] = s
		}
		hours, dropped := domain.BucketHourly(perSecond, everything)
		if dropped.Total() != 3 || len(hours) != 3 || hours[0].Price != 1.25 || hours[1].Price != 3.5 || hours[2].Price != 2 {
			t.Errorf("got %+v, dropped %+v; want 1.25, 3.5, 2 with 3 dropped", hours, dropped)
		}
	})
}

// A point no double can hold, or not a number at all, costs its own sample, never the answer.
func TestMarketChartRange_BadPointsCostOneSampleEach(t *testing.T) {
	// Timestamps an hour apart: 3600000 ms is 01:00 on 1970-01-01.
	body := `{
		"prices":[[3600000,1e400],[7200000,"12.5"],[10800000],[null,4],"x",{},[14400000,-1e400],[18000000,2,"extra"],[1e300,3],[21600000,7]],
		"market_caps":[[3600000,1e400],[18000000,-3],[21600000,"60"]],
		"total_volumes":[[18000000,5e400],[21600000,60]]
	}`
	c, _ := serveBody(t, []byte(body))
	samples := chartRange(t, c)
	if len(samples) != 10 {
		t.Fatalf("got %d samples, want one per price point", len(samples))
	}
	price := func(i int) float64 { return samples[i].Price }
	if !math.IsInf(price(0), 1) || !math.IsNaN(price(1)) || !math.IsNaN(price(2)) || !math.IsInf(price(6), -1) ||
		price(7) != 2 || price(9) != 7 {
		t.Errorf("prices %v", samples)
	}
	for _, i := range []int{2, 3, 4, 5, 8} {
		if !samples[i].Time.IsZero() {
			t.Errorf("sample %d has time %s, want zero for an unreadable timestamp", i, samples[i].Time)
		}
	}
	for i, s := range samples {
		if s.MarketCap != nil || (s.TotalVolume != nil) != (i == 9) {
			t.Errorf("sample %d: cap %v volume %v; only finite, non-negative numbers are kept", i, deref(s.MarketCap), deref(s.TotalVolume))
		}
	}
	hours, dropped := domain.BucketHourly(samples, everything)
	if len(hours) != 2 || dropped != (domain.Drops{Time: 5, Price: 3}) {
		t.Errorf("kept %+v, dropped %+v", hours, dropped)
	}
}

func sameValue(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
