package simulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/simulator"
)

// now has a millisecond part so the live point's whole-second stamp differs from it.
var now = time.Date(2025, 6, 15, 12, 34, 56, 789_000_000, time.UTC)

func start(t *testing.T, opts simulator.Options) (*simulator.Simulator, *httptest.Server) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	sim := simulator.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv
}

type point struct {
	t     time.Time
	value *float64
}

type chart struct {
	prices, caps, volumes []point
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func chartURL(base, coin, currency string, from, to time.Time) string {
	return fmt.Sprintf("%s/api/v3/coins/%s/market_chart/range?vs_currency=%s&from=%d&to=%d&precision=full",
		base, coin, currency, from.Unix(), to.Unix())
}

func fetchChart(t *testing.T, base, coin, currency string, from, to time.Time) chart {
	t.Helper()
	resp, body := get(t, chartURL(base, coin, currency, from, to))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return decodeChart(t, body)
}

func decodeChart(t *testing.T, body []byte) chart {
	t.Helper()
	var raw struct {
		Prices       [][2]*float64 `json:"prices"`
		MarketCaps   [][2]*float64 `json:"market_caps"`
		TotalVolumes [][2]*float64 `json:"total_volumes"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	conv := func(in [][2]*float64) []point {
		out := make([]point, len(in))
		for i, p := range in {
			out[i] = point{t: time.UnixMilli(int64(*p[0])).UTC(), value: p[1]}
		}
		return out
	}
	c := chart{prices: conv(raw.Prices), caps: conv(raw.MarketCaps), volumes: conv(raw.TotalVolumes)}
	if len(c.caps) != len(c.prices) || len(c.volumes) != len(c.prices) {
		t.Fatalf("arrays not aligned: %d prices, %d caps, %d volumes", len(c.prices), len(c.caps), len(c.volumes))
	}
	for i := range c.prices {
		if !c.caps[i].t.Equal(c.prices[i].t) || !c.volumes[i].t.Equal(c.prices[i].t) {
			t.Fatalf("point %d: timestamps differ across arrays", i)
		}
	}
	return c
}

// regular drops the live tail: points at or after the live second.
func regular(ps []point) []point {
	live := now.Truncate(time.Second)
	i := slices.IndexFunc(ps, func(p point) bool { return !p.t.Before(live) })
	if i < 0 {
		return ps
	}
	return ps[:i]
}

func TestSimulator_MarketChartGranularity(t *testing.T) {
	_, srv := start(t, simulator.Options{})

	t.Run("a day ending now is 5-minutely", func(t *testing.T) {
		c := fetchChart(t, srv.URL, "bitcoin", "usd", now.Add(-24*time.Hour), now)
		pts := regular(c.prices)
		if len(pts) < 280 || len(pts) > 290 {
			t.Fatalf("got %d points, want about 288", len(pts))
		}
		for i := 1; i < len(pts); i++ {
			if gap := pts[i].t.Sub(pts[i-1].t); gap <= 0 || gap >= 10*time.Minute {
				t.Fatalf("gap %s between points %d and %d", gap, i-1, i)
			}
		}
	})

	t.Run("a past day is hourly", func(t *testing.T) {
		from, to := now.Add(-10*24*time.Hour), now.Add(-9*24*time.Hour)
		c := fetchChart(t, srv.URL, "ethereum", "usd", from, to)
		if len(c.prices) < 20 || len(c.prices) > 27 {
			t.Fatalf("got %d points, want about 24", len(c.prices))
		}
		for _, p := range c.prices {
			if p.t.Before(from) || p.t.After(to) {
				t.Fatalf("point %s outside [%s, %s]", p.t, from, to)
			}
		}
	})

	t.Run("30 days is hourly at irregular minutes with gaps and doubles", func(t *testing.T) {
		c := fetchChart(t, srv.URL, "bitcoin", "usd", now.Add(-30*24*time.Hour), now)
		pts := regular(c.prices)
		if len(pts) < 650 || len(pts) > 760 {
			t.Fatalf("got %d points, want about 720", len(pts))
		}
		perHour := map[time.Time]int{}
		minutes := map[int]bool{}
		for i, p := range pts {
			if i > 0 && !p.t.After(pts[i-1].t) {
				t.Fatalf("regular points not ascending at %d", i)
			}
			perHour[p.t.Truncate(time.Hour)]++
			minutes[p.t.Minute()] = true
		}
		doubles := 0
		for _, n := range perHour {
			if n == 2 {
				doubles++
			}
		}
		skipped := 0
		for h := pts[0].t.Truncate(time.Hour); h.Before(pts[len(pts)-1].t); h = h.Add(time.Hour) {
			if perHour[h] == 0 {
				skipped++
			}
		}
		if doubles == 0 || skipped <= 0 || len(minutes) < 40 {
			t.Fatalf("doubles %d, skipped hours %d, distinct minutes %d: want all irregular", doubles, skipped, len(minutes))
		}
	})

	t.Run("180 days is daily at midnight UTC", func(t *testing.T) {
		c := fetchChart(t, srv.URL, "solana", "eur", now.Add(-180*24*time.Hour), now)
		pts := regular(c.prices)
		if len(pts) != 180 {
			t.Fatalf("got %d daily points, want 180", len(pts))
		}
		for _, p := range pts {
			if !p.t.Equal(p.t.Truncate(24 * time.Hour)) {
				t.Fatalf("daily point at %s, not midnight", p.t)
			}
		}
	})
}

func TestSimulator_LivePoint(t *testing.T) {
	_, srv := start(t, simulator.Options{})
	repeats := 0
	for _, coin := range simulator.DefaultCoins() {
		c := fetchChart(t, srv.URL, coin.ID, "usd", now.Add(-2*24*time.Hour), now.Add(time.Hour))
		n := len(c.prices)
		last := c.prices[n-1]
		if !last.t.Equal(now.Truncate(time.Second)) {
			t.Fatalf("%s: last point at %s, want the live second %s", coin.ID, last.t, now.Truncate(time.Second))
		}
		if prev := c.prices[n-2]; prev.t.Equal(now.Truncate(time.Millisecond)) {
			repeats++
			if *prev.value != *last.value {
				t.Fatalf("%s: repeated live point has price %v, then %v", coin.ID, *prev.value, *last.value)
			}
		}
	}
	if repeats == 0 {
		t.Fatal("no coin repeated its live point with a smaller timestamp; the real API does")
	}

	c := fetchChart(t, srv.URL, "bitcoin", "usd", now.Add(-3*24*time.Hour), now.Add(-2*24*time.Hour))
	if last := c.prices[len(c.prices)-1].t; !last.Before(now.Add(-2 * 24 * time.Hour).Add(time.Second)) {
		t.Fatalf("a range ending in the past got a point at %s", last)
	}
}

func TestSimulator_Deterministic(t *testing.T) {
	_, a := start(t, simulator.Options{})
	_, b := start(t, simulator.Options{})
	url := "/coins/cardano/market_chart/range?vs_currency=gbp&from=%d&to=%d"
	from, to := now.Add(-20*24*time.Hour).Unix(), now.Unix()
	_, bodyA := get(t, a.URL+fmt.Sprintf(url, from, to))
	_, bodyB := get(t, b.URL+fmt.Sprintf(url, from, to))
	if !bytes.Equal(bodyA, bodyB) {
		t.Fatal("two simulators answered the same request differently")
	}

	// Overlapping windows must agree on every instant they share, or re-fetching an hour
	// would rewrite history.
	wide := fetchChart(t, a.URL, "bitcoin", "eur", now.Add(-40*24*time.Hour), now.Add(-5*24*time.Hour))
	narrow := fetchChart(t, a.URL, "bitcoin", "eur", now.Add(-12*24*time.Hour), now.Add(-6*24*time.Hour))
	byTime := map[time.Time]float64{}
	for _, p := range wide.prices {
		byTime[p.t] = *p.value
	}
	for _, p := range narrow.prices {
		if w, ok := byTime[p.t]; !ok || w != *p.value {
			t.Fatalf("%s: narrow window has %v, wide window %v (present %v)", p.t, *p.value, w, ok)
		}
	}
}

func TestSimulator_PricesPlausible(t *testing.T) {
	_, srv := start(t, simulator.Options{})
	from, to := now.Add(-300*24*time.Hour), now
	cases := []struct {
		coin, currency string
		low, high      float64
	}{
		{"bitcoin", "usd", 20_000, 200_000},
		{"ethereum", "usd", 1_000, 10_000},
		{"dogecoin", "usd", 0.03, 0.5},
		{"bitcoin", "try", 20_000 * 25, 200_000 * 60},
	}
	for _, tc := range cases {
		t.Run(tc.coin+"/"+tc.currency, func(t *testing.T) {
			for _, p := range fetchChart(t, srv.URL, tc.coin, tc.currency, from, to).prices {
				if *p.value < tc.low || *p.value > tc.high {
					t.Fatalf("%s: price %v outside [%v, %v]", p.t, *p.value, tc.low, tc.high)
				}
			}
		})
	}
	usd := fetchChart(t, srv.URL, "bitcoin", "usd", from, to).prices
	eur := fetchChart(t, srv.URL, "bitcoin", "eur", from, to).prices
	for i := range usd {
		if ratio := *eur[i].value / *usd[i].value; ratio < 0.85 || ratio > 1 {
			t.Fatalf("%s: eur/usd ratio %v", usd[i].t, ratio)
		}
	}
}

func TestSimulator_HistoryLimit(t *testing.T) {
	_, srv := start(t, simulator.Options{})
	resp, body := get(t, chartURL(srv.URL, "bitcoin", "usd", now.AddDate(0, 0, -366), now.AddDate(0, 0, -300)))
	var e struct {
		Error struct {
			Status struct {
				ErrorCode    int    `json:"error_code"`
				ErrorMessage string `json:"error_message"`
			} `json:"status"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || e.Error.Status.ErrorCode != 10012 ||
		!strings.Contains(e.Error.Status.ErrorMessage, "365 days") {
		t.Fatalf("got %d %s, want 401 with error 10012", resp.StatusCode, body)
	}

	edge := now.Truncate(24*time.Hour).AddDate(0, 0, -365)
	if resp, body := get(t, chartURL(srv.URL, "bitcoin", "usd", edge, edge.Add(24*time.Hour))); resp.StatusCode != http.StatusOK {
		t.Fatalf("exactly 365 days back: %d %s", resp.StatusCode, body)
	}
}

func TestSimulator_ErrorAnswers(t *testing.T) {
	_, srv := start(t, simulator.Options{})
	cases := []struct {
		name, path string
		status     int
		body       string
	}{
		{"missing currency", "/api/v3/coins/bitcoin/market_chart/range?from=1&to=2", 422, `{"error":"Missing parameter vs_currency"}`},
		{"unknown currency", "/coins/bitcoin/market_chart/range?vs_currency=xyz&from=1&to=2", 400, `{"error":"invalid vs_currency"}`},
		{"unknown coin chart", "/coins/nocoin/market_chart/range?vs_currency=usd&from=1&to=2", 404, `{"error":"coin not found"}`},
		{"unknown coin", "/api/v3/coins/nocoin", 404, `{"error":"coin not found"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path)
			if resp.StatusCode != tc.status || string(body) != tc.body {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, body, tc.status, tc.body)
			}
		})
	}
}

func TestSimulator_CoinDetailAndImage(t *testing.T) {
	_, srv := start(t, simulator.Options{})
	resp, body := get(t, srv.URL+"/api/v3/coins/bitcoin?localization=false&tickers=false")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var c struct {
		Name        string            `json:"name"`
		Symbol      string            `json:"symbol"`
		Description map[string]string `json:"description"`
		Image       map[string]string `json:"image"`
		Links       struct {
			Homepage []string `json:"homepage"`
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	en := c.Description["en"]
	if c.Name != "Bitcoin" || c.Symbol != "btc" || !strings.Contains(en, "<a href=") ||
		!strings.Contains(en, "\r\n") || !strings.Contains(en, "simulator") {
		t.Fatalf("unexpected detail: %+v", c)
	}
	if len(c.Links.Homepage) != 3 || c.Links.Homepage[0] == "" || c.Links.Homepage[2] != "" {
		t.Fatalf("homepage %q: want one URL padded with empty strings", c.Links.Homepage)
	}
	if want := srv.URL + "/images/bitcoin.svg"; c.Image["large"] != want {
		t.Fatalf("image %q, want the simulator's own %q", c.Image["large"], want)
	}
	resp, svg := get(t, c.Image["large"])
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !bytes.Contains(svg, []byte("BTC")) {
		t.Fatalf("image: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), svg)
	}
}

func TestSimulator_Faults(t *testing.T) {
	sim, srv := start(t, simulator.Options{})
	listURL := srv.URL + "/api/v3/coins/list"

	t.Run("429 with Retry-After, then normal", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{Fail429: 2, RetryAfterSeconds: 7})
		for range 2 {
			resp, body := get(t, listURL)
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || !strings.Contains(string(body), `"error_code":429`) {
				t.Fatalf("got %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
		}
		if resp, _ := get(t, listURL); resp.StatusCode != 200 {
			t.Fatalf("third call: %d", resp.StatusCode)
		}
		if sim.RateLimited() != 0 {
			t.Fatal("injected 429s counted as rate limiting")
		}
	})

	t.Run("HTML 503 and HTML 200", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{Fail503HTML: 1, HTMLOK: 1})
		resp, body := get(t, listURL)
		if resp.StatusCode != 503 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("<title>")) {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		resp, body = get(t, listURL)
		if resp.StatusCode != 200 || json.Valid(body) {
			t.Fatalf("got %d %s, want 200 with HTML", resp.StatusCode, body)
		}
		if resp, _ := get(t, listURL); resp.StatusCode != 200 {
			t.Fatalf("after the faults: %d", resp.StatusCode)
		}
	})

	t.Run("null prices", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{NullPrices: true})
		c := fetchChart(t, srv.URL, "bitcoin", "usd", now.Add(-10*24*time.Hour), now)
		nulls := 0
		for _, p := range c.prices {
			if p.value == nil {
				nulls++
			}
		}
		if nulls == 0 || nulls > len(c.prices)/4 {
			t.Fatalf("%d nulls in %d prices", nulls, len(c.prices))
		}
	})

	t.Run("unknown ids and failing series, set over HTTP", func(t *testing.T) {
		resp, err := http.Post(srv.URL+"/_sim/faults", "application/json",
			strings.NewReader(`{"unknownIDs":["dogecoin"],"failSeries":["solana/eur"],"slow":"50ms"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST /_sim/faults: %d", resp.StatusCode)
		}
		started := time.Now()
		_, body := get(t, listURL)
		if elapsed := time.Since(started); elapsed < 50*time.Millisecond {
			t.Fatalf("answer took %s despite slow=50ms", elapsed)
		}
		if bytes.Contains(body, []byte(`"dogecoin"`)) || !bytes.Contains(body, []byte(`"bitcoin"`)) {
			t.Fatalf("list: %s", body)
		}
		if resp, _ := get(t, srv.URL+"/coins/dogecoin"); resp.StatusCode != 404 {
			t.Fatalf("hidden coin: %d", resp.StatusCode)
		}
		for range 2 {
			if resp, _ := get(t, chartURL(srv.URL, "solana", "eur", now.Add(-time.Hour), now)); resp.StatusCode != 500 {
				t.Fatalf("failing series: %d", resp.StatusCode)
			}
		}
		if resp, _ := get(t, chartURL(srv.URL, "solana", "usd", now.Add(-time.Hour), now)); resp.StatusCode != 200 {
			t.Fatalf("other series of the coin: %d", resp.StatusCode)
		}
		if f := sim.Faults(); f.Slow != 50*time.Millisecond || !slices.Equal(f.FailSeries, []string{"solana/eur"}) {
			t.Fatalf("faults after POST: %+v", f)
		}
	})

	t.Run("corrupt series, set over HTTP", func(t *testing.T) {
		resp, err := http.Post(srv.URL+"/_sim/faults", "application/json",
			strings.NewReader(`{"corrupt":{"bitcoin/usd":"seconds","bitcoin/eur":"future","dogecoin/usd":"huge-price"}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		from, to := now.Add(-48*time.Hour), now.Add(-24*time.Hour)
		seconds := fetchChart(t, srv.URL, "bitcoin", "usd", from, to)
		if len(seconds.prices) == 0 || seconds.prices[0].t.After(time.Unix(0, 0).AddDate(0, 1, 0)) {
			t.Errorf("seconds: first point at %s, want the seconds read as milliseconds (January 1970)", seconds.prices[0].t)
		}
		future := fetchChart(t, srv.URL, "bitcoin", "eur", from, to)
		n := len(future.prices)
		if last, before := future.prices[n-1].t, future.prices[n-2].t; last.Before(to.AddDate(0, 0, 27)) || before.After(to) {
			t.Errorf("future: the last two points at %s and %s, want one extra a month ahead", before, last)
		}
		huge := fetchChart(t, srv.URL, "dogecoin", "usd", from, to)
		n = 0
		for _, p := range huge.prices {
			if p.value != nil && *p.value == 1e200 {
				n++
			}
		}
		if n != 1 {
			t.Errorf("huge-price: %d prices of 1e200, want 1", n)
		}
	})

	t.Run("huge bodies", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{HugeBody: 3 << 20})
		resp, body := get(t, chartURL(srv.URL, "bitcoin", "usd", now.Add(-time.Hour), now))
		if resp.StatusCode != 200 || len(body) != 3<<20 || json.Valid(body) {
			t.Fatalf("got %d with %d bytes, want 200 with 3 MiB that are not JSON", resp.StatusCode, len(body))
		}
		sim.SetFaults(simulator.Faults{})
	})

	t.Run("bad control request", func(t *testing.T) {
		for _, body := range []string{`{"fail492":1}`, `{"corrupt":{"bitcoin/usd":"shredded"}}`, `{"hugeBody":-1}`} {
			resp, err := http.Post(srv.URL+"/_sim/faults", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Errorf("%s: %d, want 400", body, resp.StatusCode)
			}
		}
	})
}

func TestSimulator_RateLimit(t *testing.T) {
	const window = 400 * time.Millisecond
	sim, srv := start(t, simulator.Options{RatePerMinute: 3, RateWindow: window})
	url := srv.URL + "/api/v3/coins/list"
	for i := range 3 {
		if resp, _ := get(t, url); resp.StatusCode != 200 {
			t.Fatalf("call %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := get(t, url)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || !bytes.Contains(body, []byte(`"error_code":429`)) {
		t.Fatalf("fourth call: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if sim.RateLimited() != 1 {
		t.Fatalf("RateLimited() = %d, want 1", sim.RateLimited())
	}
	time.Sleep(window + 50*time.Millisecond)
	if resp, _ := get(t, url); resp.StatusCode != 200 {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
	if got := sim.Calls(); got.Total != 5 || got.CoinsList != 5 {
		t.Fatalf("Calls() = %+v, want 5 list calls", got)
	}
}
