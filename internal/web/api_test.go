package web_test

import (
	"compress/gzip"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/testkit"
	"github.com/cryptodash/cryptodash/internal/web"
)

// checkCreatedAt removes row's createdAt after checking it is written as JavaScript's
// toISOString writes it, at an instant from notBefore to now.
func checkCreatedAt(t *testing.T, row map[string]string, notBefore time.Time) {
	t.Helper()
	raw, present := row["createdAt"]
	delete(row, "createdAt")
	at, err := time.Parse("2006-01-02T15:04:05.000Z", raw)
	if !present || err != nil {
		t.Errorf("createdAt %q is not UTC with milliseconds: %v", raw, err)
		return
	}
	if at.Before(notBefore.Truncate(time.Millisecond)) || at.After(time.Now()) {
		t.Errorf("createdAt %s is outside the test's %s..now", at, notBefore)
	}
}

// untimed drops the health answer's timestamp, the one part of an answer that changes from
// one request to the next.
func untimed(body string) string {
	return regexp.MustCompile(`"timestamp":"[^"]*"`).ReplaceAllString(body, `"timestamp":""`)
}

func TestAPI_SameAnswerWithAndWithoutHXRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	routes := []string{
		"/api/health",
		"/api/coins",
		"/api/currencies",
		"/api/coins/bitcoin/metadata",
		"/api/coins/nope/metadata",
		"/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02",
		"/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02&format=csv",
		"/api/prices?dateFrom=bad&dateTo=2024-03-02",
	}
	for _, route := range routes {
		t.Run(route, func(t *testing.T) {
			plain := f.do(http.MethodGet, route)
			htmx := f.do(http.MethodGet, route, "HX-Request", "true")
			if plain.Code != htmx.Code || untimed(plain.Body.String()) != untimed(htmx.Body.String()) {
				t.Errorf("plain %d %q, htmx %d %q", plain.Code, plain.Body, htmx.Code, htmx.Body)
			}
			for _, h := range []string{"Content-Type", "Cache-Control", "ETag", "Vary"} {
				if plain.Header().Get(h) != htmx.Header().Get(h) {
					t.Errorf("%s: plain %q, htmx %q", h, plain.Header().Get(h), htmx.Header().Get(h))
				}
			}
		})
	}
}

func TestAPI_CoinsCurrenciesMetadata(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seeded := time.Now()
	f.seed()

	t.Run("coins sorted by name", func(t *testing.T) {
		var coins []map[string]string
		env := decodeData(t, f.do(http.MethodGet, "/api/coins"), &coins)
		for _, c := range coins {
			checkCreatedAt(t, c, seeded)
		}
		want := []map[string]string{
			{"id": "bitcoin", "symbol": "btc", "name": "Bitcoin"},
			{"id": "dogecoin", "symbol": "doge", "name": "Dogecoin"},
			{"id": "ethereum", "symbol": "eth", "name": "Ethereum"},
		}
		if !env.Success || !reflect.DeepEqual(coins, want) {
			t.Errorf("coins = %v", coins)
		}
	})
	t.Run("currencies sorted by code", func(t *testing.T) {
		var currencies []map[string]string
		decodeData(t, f.do(http.MethodGet, "/api/currencies"), &currencies)
		for _, c := range currencies {
			checkCreatedAt(t, c, seeded)
		}
		want := []map[string]string{{"code": "try", "name": "Turkish Lira"}, {"code": "usd", "name": "US Dollar"}}
		if !reflect.DeepEqual(currencies, want) {
			t.Errorf("currencies = %v", currencies)
		}
	})
	t.Run("metadata", func(t *testing.T) {
		var m map[string]string
		decodeData(t, f.do(http.MethodGet, "/api/coins/bitcoin/metadata"), &m)
		want := map[string]string{"coinId": "bitcoin", "name": "Bitcoin", "symbol": "btc",
			"description": "<p>Digital gold</p>", "imageUrl": "https://assets.example/btc.png", "homepageUrl": "https://bitcoin.org"}
		if !reflect.DeepEqual(m, want) {
			t.Errorf("metadata = %v", m)
		}
	})
	t.Run("metadata of a stored coin not yet fetched has null details", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/coins/dogecoin/metadata")
		var m map[string]any
		decodeData(t, rec, &m)
		want := map[string]any{"coinId": "dogecoin", "name": "Dogecoin", "symbol": "doge",
			"description": nil, "imageUrl": nil, "homepageUrl": nil}
		if rec.Code != http.StatusOK || !reflect.DeepEqual(m, want) {
			t.Errorf("status %d, metadata = %v", rec.Code, m)
		}
	})
	t.Run("metadata of an unknown coin is a 404 envelope", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/coins/nope/metadata")
		env := decode(t, rec)
		if rec.Code != http.StatusNotFound || env.Success || !strings.Contains(env.Message, "nope") {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
		if rec.Header().Get("ETag") != "" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("404 carries cache headers: %v", rec.Header())
		}
	})
	t.Run("an unknown API path is a 404 envelope", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/nothing-here")
		if env := decode(t, rec); rec.Code != http.StatusNotFound || env.Success {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestAPIPrices_BadParameters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	good := url.Values{"dateFrom": {"2024-03-01"}, "dateTo": {"2024-03-02"}}
	cases := []struct {
		name    string
		set     map[string]string
		param   string
		message string
	}{
		{"missing dateFrom", map[string]string{"dateFrom": ""}, "dateFrom", "dateFrom and dateTo are required"},
		{"missing dateTo", map[string]string{"dateTo": ""}, "dateTo", "dateFrom and dateTo are required"},
		{"malformed dateFrom", map[string]string{"dateFrom": "01/03/2024"}, "dateFrom", "Invalid date format. Use ISO format (YYYY-MM-DD)"},
		{"impossible dateTo", map[string]string{"dateTo": "2024-02-30"}, "dateTo", "Invalid date format. Use ISO format (YYYY-MM-DD)"},
		{"reversed dates", map[string]string{"dateFrom": "2024-03-05", "dateTo": "2024-03-01"}, "dateTo", "dateFrom must be on or before dateTo"},
		{"malformed coin id", map[string]string{"coinIds": "bitcoin,bit coin"}, "coinIds", "Invalid coin id. Use CoinGecko ids such as bitcoin"},
		{"malformed currency code", map[string]string{"currencyCodes": "usd,u$d"}, "currencyCodes", "Invalid currency code. Use codes such as usd"},
		{"unknown breakdown", map[string]string{"breakdown": "coin,week"}, "breakdown", "Invalid breakdown. Use date, coin or currency"},
		{"unknown granularity", map[string]string{"granularity": "weekly"}, "granularity", "Invalid granularity. Use daily or hourly"},
		{"unknown format", map[string]string{"format": "xml"}, "format", "Invalid format. Use json or csv"},
		{"hourly over 92 days", map[string]string{"dateFrom": "2024-01-01", "dateTo": "2024-04-03", "granularity": "hourly"}, "granularity",
			"Hourly data covers at most 92 days. Use daily for longer ranges"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range good {
				q[k] = v
			}
			for k, v := range tc.set {
				q.Set(k, v)
			}
			rec := f.do(http.MethodGet, "/api/prices?"+q.Encode())
			env := decode(t, rec)
			if rec.Code != http.StatusBadRequest || env.Success {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if env.Message != tc.message {
				t.Errorf("message %q, want %q", env.Message, tc.message)
			}
			if env.Errors[tc.param] == "" {
				t.Errorf("errors %v do not name %s", env.Errors, tc.param)
			}
			if len(env.Errors) != 1 {
				t.Errorf("errors %v name more than %s", env.Errors, tc.param)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" || rec.Header().Get("ETag") != "" {
				t.Errorf("a 400 is cacheable: Cache-Control %q ETag %q", cc, rec.Header().Get("ETag"))
			}
		})
	}
	t.Run("the hourly limit is named", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/prices?dateFrom=2024-01-01&dateTo=2024-12-31&granularity=hourly")
		if msg := decode(t, rec).Errors["granularity"]; !strings.Contains(msg, "92 days") {
			t.Errorf("granularity error %q does not name the limit", msg)
		}
	})
	t.Run("hourly over a quarter is accepted", func(t *testing.T) {
		// 2024-01-01 to 2024-04-02 is 92 days, the dashboard's 3M.
		rec := f.do(http.MethodGet, "/api/prices?dateFrom=2024-01-01&dateTo=2024-04-02&granularity=hourly&coinIds=bitcoin&currencyCodes=usd")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var got pricesAnswer
		decodeData(t, rec, &got)
		if got.Meta.Granularity != "hourly" || got.Meta.Count != 5 {
			t.Errorf("meta = %+v, want 5 hourly rows", got.Meta)
		}
	})
	t.Run("every bad parameter at once, under the first in a fixed order", func(t *testing.T) {
		for _, query := range []string{"dateFrom=x&coinIds=zz$&breakdown=foo", "breakdown=foo&coinIds=zz$&dateFrom=x"} {
			rec := f.do(http.MethodGet, "/api/prices?"+query)
			env := decode(t, rec)
			for _, p := range []string{"dateFrom", "dateTo", "coinIds", "breakdown"} {
				if env.Errors[p] == "" {
					t.Errorf("%s: errors %v do not name %s", query, env.Errors, p)
				}
			}
			if env.Message != "dateFrom and dateTo are required" {
				t.Errorf("%s: message %q", query, env.Message)
			}
		}
		rec := f.do(http.MethodGet, "/api/prices?dateFrom=2024-03-01&dateTo=x&granularity=weekly")
		if env := decode(t, rec); env.Message != "Invalid date format. Use ISO format (YYYY-MM-DD)" {
			t.Errorf("a malformed date and granularity: message %q", env.Message)
		}
	})
}

type priceRow map[string]any

type idLists struct {
	CoinIDs       []string `json:"coinIds"`
	CurrencyCodes []string `json:"currencyCodes"`
}

type pricesAnswer struct {
	Data []priceRow `json:"data"`
	Meta struct {
		Count       int      `json:"count"`
		Granularity string   `json:"granularity"`
		DateFrom    string   `json:"dateFrom"`
		DateTo      string   `json:"dateTo"`
		Breakdown   []string `json:"breakdown"`
		Mode        string   `json:"mode"`
		Filters     idLists  `json:"filters"`
		Ignored     idLists  `json:"ignored"`
	} `json:"meta"`
}

func (f *fixture) prices(t *testing.T, query string) pricesAnswer {
	t.Helper()
	rec := f.do(http.MethodGet, "/api/prices?"+query)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var out pricesAnswer
	decodeData(t, rec, &out)
	return out
}

func TestAPIPrices_Breakdowns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	const span = "dateFrom=2024-03-01&dateTo=2024-03-05&coinIds=bitcoin,ethereum&currencyCodes=USD,try"
	btcUSDDay1 := (100.5 + 200.25 + 300.125) / 3
	cases := []struct {
		breakdown string
		want      []priceRow
	}{
		{"coin,currency,date", []priceRow{
			{"coin": "bitcoin", "currency": "TRY", "date": "2024-03-01", "price": 3250.0, "partial": false, "hours": 2.0},
			{"coin": "bitcoin", "currency": "USD", "date": "2024-03-01", "price": btcUSDDay1, "partial": false, "hours": 3.0},
			{"coin": "ethereum", "currency": "USD", "date": "2024-03-01", "price": 15.0, "partial": false, "hours": 2.0},
			{"coin": "bitcoin", "currency": "USD", "date": "2024-03-02", "price": 450.0, "partial": false, "hours": 2.0},
		}},
		{"date", []priceRow{
			{"date": "2024-03-01", "price": (3250 + btcUSDDay1 + 15) / 3, "partial": false, "hours": 2.0},
			{"date": "2024-03-02", "price": 450.0, "partial": false, "hours": 2.0},
		}},
		{"coin", []priceRow{
			{"coin": "bitcoin", "price": (3250 + btcUSDDay1 + 450) / 3},
			{"coin": "ethereum", "price": 15.0},
		}},
		{"currency", []priceRow{
			{"currency": "TRY", "price": 3250.0},
			{"currency": "USD", "price": (btcUSDDay1 + 450 + 15) / 3},
		}},
		{"date,coin", []priceRow{
			{"coin": "bitcoin", "date": "2024-03-01", "price": (3250 + btcUSDDay1) / 2, "partial": false, "hours": 2.0},
			{"coin": "ethereum", "date": "2024-03-01", "price": 15.0, "partial": false, "hours": 2.0},
			{"coin": "bitcoin", "date": "2024-03-02", "price": 450.0, "partial": false, "hours": 2.0},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.breakdown, func(t *testing.T) {
			got := f.prices(t, span+"&breakdown="+tc.breakdown)
			if !reflect.DeepEqual(got.Data, tc.want) {
				t.Errorf("rows\n got %v\nwant %v", got.Data, tc.want)
			}
			if got.Meta.Count != len(tc.want) || got.Meta.Granularity != "daily" {
				t.Errorf("meta = %+v", got.Meta)
			}
		})
	}

	t.Run("meta echoes the request", func(t *testing.T) {
		got := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-05&breakdown=date,Coin&coinIds=ethereum,bitcoin&granularity=daily")
		m := got.Meta
		if m.DateFrom != "2024-03-01" || m.DateTo != "2024-03-05" || m.Granularity != "daily" ||
			!reflect.DeepEqual(m.Breakdown, []string{"date", "coin"}) ||
			!reflect.DeepEqual(m.Filters.CoinIDs, []string{"ethereum", "bitcoin"}) ||
			!reflect.DeepEqual(m.Filters.CurrencyCodes, []string{}) {
			t.Errorf("meta = %+v", m)
		}
	})
	t.Run("without breakdown, means per date over every stored coin and currency", func(t *testing.T) {
		got := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-05")
		want := []priceRow{
			{"date": "2024-03-01", "price": (3250 + btcUSDDay1 + 15) / 3, "partial": false, "hours": 2.0},
			{"date": "2024-03-02", "price": 450.0, "partial": false, "hours": 2.0},
		}
		if !reflect.DeepEqual(got.Data, want) {
			t.Errorf("rows\n got %v\nwant %v", got.Data, want)
		}
		m := got.Meta
		if m.Count != 2 || m.Granularity != "daily" || !reflect.DeepEqual(m.Breakdown, []string{}) ||
			!reflect.DeepEqual(m.Filters.CoinIDs, []string{}) || !reflect.DeepEqual(m.Filters.CurrencyCodes, []string{}) {
			t.Errorf("meta = %+v", m)
		}
	})
	t.Run("well-formed ids and codes that are not stored are dropped and named", func(t *testing.T) {
		got := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-05&coinIds=bitcoin,notacoin&currencyCodes=usd,xyz&breakdown=coin")
		if !reflect.DeepEqual(got.Data, []priceRow{{"coin": "bitcoin", "price": (btcUSDDay1 + 450) / 2}}) {
			t.Errorf("rows %v", got.Data)
		}
		if !reflect.DeepEqual(got.Meta.Ignored.CoinIDs, []string{"notacoin"}) || !reflect.DeepEqual(got.Meta.Ignored.CurrencyCodes, []string{"xyz"}) ||
			!reflect.DeepEqual(got.Meta.Filters.CoinIDs, []string{"bitcoin", "notacoin"}) {
			t.Errorf("meta = %+v", got.Meta)
		}
		none := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-05&coinIds=notacoin")
		if len(none.Data) != 0 || none.Meta.Count != 0 || !reflect.DeepEqual(none.Meta.Ignored.CoinIDs, []string{"notacoin"}) {
			t.Errorf("only unknown coins: %+v", none)
		}
	})

	t.Run("full float64 precision", func(t *testing.T) {
		got := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-01&coinIds=bitcoin&currencyCodes=usd&breakdown=coin&granularity=daily")
		if p := got.Data[0]["price"].(float64); p != btcUSDDay1 {
			t.Errorf("price = %v, want %v", p, btcUSDDay1)
		}
	})
}

func TestAPIPrices_Hourly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	got := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-01&coinIds=bitcoin&currencyCodes=usd&breakdown=coin,currency,date")
	if got.Meta.Granularity != "hourly" {
		t.Fatalf("a one-day range is %q, want hourly", got.Meta.Granularity)
	}
	want := []priceRow{
		{"coin": "bitcoin", "currency": "USD", "date": "2024-03-01 00:00:00", "price": 100.5},
		{"coin": "bitcoin", "currency": "USD", "date": "2024-03-01 01:00:00", "price": 200.25},
		{"coin": "bitcoin", "currency": "USD", "date": "2024-03-01 02:00:00", "price": 300.125},
	}
	if !reflect.DeepEqual(got.Data, want) {
		t.Errorf("rows\n got %v\nwant %v", got.Data, want)
	}
	if g := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-03").Meta.Granularity; g != "hourly" {
		t.Errorf("a two-day span is %q, want hourly", g)
	}
	if g := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-04").Meta.Granularity; g != "daily" {
		t.Errorf("a three-day span is %q, want daily", g)
	}
}

func TestAPIPrices_CSV(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	rec := f.do(http.MethodGet, "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05&coinIds=bitcoin&breakdown=date,currency&format=csv")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	records, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Every seeded day starts at 00:00 and is past: complete, however few hours it holds
	// (hours is the fewest of its members').
	want := [][]string{
		{"currency", "date", "price", "partial", "hours"},
		{"TRY", "2024-03-01", "3250", "false", "2"},
		{"USD", "2024-03-01", "200.29166666666666", "false", "3"},
		{"USD", "2024-03-02", "450", "false", "2"},
	}
	if !reflect.DeepEqual(records, want) {
		t.Errorf("csv\n got %v\nwant %v", records, want)
	}
}

func TestAPI_CachingAndETag(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	const route = "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05"
	first := f.do(http.MethodGet, route)
	etag := first.Header().Get("ETag")
	if etag == "" || !strings.Contains(etag, "test1-") {
		t.Fatalf("ETag = %q, want one carrying the build id", etag)
	}
	if cc := first.Header().Get("Cache-Control"); cc != "public, max-age=0, s-maxage=300" {
		t.Errorf("Cache-Control = %q", cc)
	}

	t.Run("304 on a match, without a body", func(t *testing.T) {
		rec := f.do(http.MethodGet, route, "If-None-Match", etag)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
			t.Errorf("status %d, %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
		}
		rec = f.do(http.MethodGet, "/api/coins", "If-None-Match", `"other", `+etag)
		if rec.Code != http.StatusNotModified {
			t.Errorf("a list containing the tag: status %d", rec.Code)
		}
	})
	t.Run("new data, new ETag", func(t *testing.T) {
		f.storeHours("dogecoin", "usd", day2, 0.125)
		rec := f.do(http.MethodGet, route, "If-None-Match", etag)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d after new data, want 200", rec.Code)
		}
		if got := rec.Header().Get("ETag"); got == etag || got == "" {
			t.Errorf("ETag %q did not change from %q", got, etag)
		}
	})
	t.Run("another configuration, another ETag", func(t *testing.T) {
		other := newFixture(t, func(d *web.Deps) { d.Config.Coins = []string{"bitcoin"} })
		other.seed()
		if got := other.do(http.MethodGet, route).Header().Get("ETag"); got == "" || got == etag {
			t.Errorf("ETag %q with other COINS, %q before", got, etag)
		}
	})
	t.Run("an unknown page gets no ETag and no 304", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/no-such-page", "If-None-Match", "*")
		if rec.Code != http.StatusNotFound || rec.Header().Get("ETag") != "" {
			t.Errorf("status %d ETag %q", rec.Code, rec.Header().Get("ETag"))
		}
	})
}

func TestWeb_CacheHeadersPerRouteClass(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	auth := []string{"Authorization", "Bearer " + testSecret}
	cases := []struct {
		method, route string
		header        []string
		want          string
	}{
		{http.MethodGet, "/api/coins", nil, "public, max-age=0, s-maxage=300"},
		{http.MethodGet, "/api/currencies", nil, "public, max-age=0, s-maxage=300"},
		{http.MethodGet, "/api/coins/bitcoin/metadata", nil, "public, max-age=0, s-maxage=300"},
		{http.MethodGet, "/api/health", nil, "no-store"},
		{http.MethodGet, "/metrics", nil, "no-store"},
		{http.MethodGet, "/api/cron/fetch-data", auth, "no-store"},
		{http.MethodGet, "/api/cron/fetch-data", nil, "no-store"},
		{http.MethodPost, "/api/cron/fetch-data", auth, "no-store"},
		{http.MethodGet, "/api/cron/runs/1", auth, "no-store"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.route, func(t *testing.T) {
			rec := f.do(tc.method, tc.route, tc.header...)
			if cc := rec.Header().Get("Cache-Control"); cc != tc.want {
				t.Errorf("status %d Cache-Control %q, want %q", rec.Code, cc, tc.want)
			}
		})
	}
}

func TestWeb_SecurityHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(d *web.Deps) { d.Config.CoinGeckoBaseURL = "http://127.0.0.1:8090/api/v3" })
	for _, route := range []string{"/api/coins", "/api/nothing", "/no-such-page", "/metrics"} {
		rec := f.do(http.MethodGet, route)
		csp := rec.Header().Get("Content-Security-Policy")
		for _, part := range []string{"script-src 'self'", "default-src 'self'", "frame-ancestors 'none'", "img-src 'self' data: https://coin-images.coingecko.com https://assets.coingecko.com http://127.0.0.1:8090;"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s: CSP %q lacks %q", route, csp, part)
			}
		}
		want := map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin", "X-Frame-Options": "DENY"}
		for h, v := range want {
			if got := rec.Header().Get(h); got != v {
				t.Errorf("%s: %s = %q, want %q", route, h, got, v)
			}
		}
	}
}

func TestWeb_Gzip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	rec := f.do(http.MethodGet, "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-01&breakdown=coin,currency,date", "Accept-Encoding", "gzip")
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q", rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(plain), `"success":true`) {
		t.Errorf("gunzipped %q, %v", plain, err)
	}
}

func TestWeb_RequestIDAndAccessLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// As behind the ALB: the peer is a private address, the client is in X-Forwarded-For.
	req := httptest.NewRequest(http.MethodGet, "/api/currencies", nil)
	req.RemoteAddr = "10.0.3.7:41234"
	req.Header.Set("X-Request-Id", "edge-42")
	req.Header.Set("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
	rec := f.send(req)
	if got := rec.Header().Get("X-Request-Id"); got != "edge-42" {
		t.Errorf("X-Request-Id = %q, want the incoming one", got)
	}
	logs := f.logs.String()
	for _, want := range []string{`"request_id":"edge-42"`, `"route":"/api/currencies"`, `"status":200`, `"client_ip":"203.0.113.9"`, `"latency_ms"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("access log lacks %s: %s", want, logs)
		}
	}
	rec = f.do(http.MethodGet, "/api/currencies", "X-Request-Id", "bad id\nforged")
	if got := rec.Header().Get("X-Request-Id"); got == "" || strings.Contains(got, "forged") {
		t.Errorf("X-Request-Id = %q, want a fresh one", got)
	}
}

func TestWeb_Metrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.do(http.MethodGet, "/api/coins/x/metadata")
	rec := f.do(http.MethodGet, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	want := `cryptodash_http_requests_total{code="404",method="GET",route="/api/coins/:id/metadata"} 1`
	if !strings.Contains(rec.Body.String(), want) {
		t.Errorf("metrics lack %s", want)
	}
	if !strings.Contains(rec.Body.String(), "cryptodash_http_request_duration_seconds_bucket") {
		t.Error("metrics lack the latency histogram")
	}
}

func TestWeb_PageErrorsAreHTML(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.do(http.MethodGet, "/no-such-page")
	if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("status %d Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !strings.Contains(rec.Body.String(), `data-testid="error-page"`) {
		t.Errorf("body is not the error page: %s", rec.Body)
	}
}

func TestAPIPrices_RepeatedListParameters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	joined := f.do(http.MethodGet, "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05&coinIds=bitcoin,ethereum&breakdown=coin")
	repeated := f.do(http.MethodGet, "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05&coinIds=bitcoin&coinIds=ethereum&breakdown=coin")
	if joined.Code != http.StatusOK || repeated.Body.String() != joined.Body.String() {
		t.Errorf("repeated coinIds answer\n%s\nwant the comma-separated answer\n%s", repeated.Body, joined.Body)
	}
}

func TestAPI_Options(t *testing.T) {
	t.Parallel()
	cases := []struct {
		route, allow string
	}{
		{"/api/health", "GET, HEAD, OPTIONS"},
		{"/api/coins", "GET, HEAD, OPTIONS"},
		{"/api/coins/bitcoin/metadata", "GET, HEAD, OPTIONS"},
		{"/api/currencies", "GET, HEAD, OPTIONS"},
		{"/api/prices?dateFrom=bad", "GET, HEAD, OPTIONS"},
		{"/api/cron/fetch-data", "GET, HEAD, OPTIONS, POST"},
		{"/api/cron/runs/7", "GET, HEAD, OPTIONS"},
	}
	// With a login configured too: browsers send preflights without the session cookie.
	for name, f := range map[string]*fixture{"public": newFixture(t), "login": newFixture(t, withLogin(t))} {
		for _, tc := range cases {
			t.Run(name+" "+tc.route, func(t *testing.T) {
				rec := f.do(http.MethodOptions, tc.route, "Origin", "https://elsewhere.example", "Access-Control-Request-Method", "GET")
				if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				if got := rec.Header().Get("Allow"); got != tc.allow {
					t.Errorf("Allow %q, want %q", got, tc.allow)
				}
				if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
					t.Errorf("Access-Control-Allow-Origin %q: CORS opened", got)
				}
			})
		}
	}
	t.Run("an unknown API path", func(t *testing.T) {
		if rec := newFixture(t).do(http.MethodOptions, "/api/nothing-here"); rec.Code != http.StatusNotFound {
			t.Errorf("status %d", rec.Code)
		}
	})
	t.Run("a method the route lacks is a 405 naming those it has", func(t *testing.T) {
		f := newFixture(t)
		for _, tc := range []struct{ method, route, allow string }{
			{http.MethodPost, "/api/coins", "GET, HEAD, OPTIONS"},
			{http.MethodDelete, "/api/cron/fetch-data", "GET, HEAD, OPTIONS, POST"},
		} {
			rec := f.do(tc.method, tc.route)
			if env := decode(t, rec); rec.Code != http.StatusMethodNotAllowed || env.Success || rec.Header().Get("Allow") != tc.allow {
				t.Errorf("%s %s: status %d Allow %q: %s", tc.method, tc.route, rec.Code, rec.Header().Get("Allow"), rec.Body)
			}
		}
	})
}

// mode=pct, an addition to the Next.js API, carries each row's change from the first value at
// or after dateFrom: a group's change is the mean of its members', and a member with no value
// on a day carries its last one forward.
func TestAPIPrices_ChangeMode(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	got := f.prices(t, "dateFrom=2024-03-01&dateTo=2024-03-05&breakdown=date,coin&coinIds=bitcoin&mode=pct")
	btcUSDDay1 := (100.5 + 200.25 + 300.125) / 3
	usd := (450/btcUSDDay1 - 1) * 100
	want := []priceRow{
		{"coin": "bitcoin", "date": "2024-03-01", "price": (3250 + btcUSDDay1) / 2, "change": 0.0, "partial": false, "filled": false, "hours": 2.0},
		// BTC/TRY has no 2024-03-02: its 3250 carries forward, a change of 0, and says so.
		{"coin": "bitcoin", "date": "2024-03-02", "price": (3250 + 450) / 2.0, "change": (usd + 0) / 2, "partial": false, "filled": true, "hours": 0.0},
	}
	if len(got.Data) != len(want) {
		t.Fatalf("rows %v", got.Data)
	}
	for i, w := range want {
		for k, v := range w {
			gv := got.Data[i][k]
			if f, ok := v.(float64); ok {
				if g, ok := gv.(float64); !ok || !testkit.Near(g, f) {
					t.Errorf("row %d %s = %v, want %v", i, k, gv, v)
				}
			} else if gv != v {
				t.Errorf("row %d %s = %v, want %v", i, k, gv, v)
			}
		}
	}
	if got.Meta.Mode != "pct" {
		t.Errorf("meta.mode = %q", got.Meta.Mode)
	}
	rec := f.do(http.MethodGet, "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05&breakdown=date&mode=pct&format=csv")
	if header, _, _ := strings.Cut(rec.Body.String(), "\n"); header != "date,price,change_pct,filled,partial,hours" {
		t.Errorf("CSV header %q", header)
	}
	if rec := f.do(http.MethodGet, "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-05&mode=wild"); rec.Code != http.StatusBadRequest ||
		decode(t, rec).Errors["mode"] == "" {
		t.Errorf("mode=wild: %d %s", rec.Code, rec.Body)
	}
}

func TestAPIPrices_RowCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	// Three coins in two currencies a day each from 1980 to 2026: 6 x 17,166 rows could be
	// answered, past domain.MaxAnswerRows; the same range without the coin breakdown (2 x
	// 17,166) or grouped by coin and currency alone (6) is fine.
	const long = "dateFrom=1980-01-01&dateTo=2026-12-31"
	rec := f.do(http.MethodGet, "/api/prices?"+long+"&breakdown=date,coin,currency")
	env := decode(t, rec)
	if rec.Code != http.StatusBadRequest || env.Success {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if !strings.Contains(env.Message, "at most 100000") || !strings.Contains(env.Message, "Narrow it") {
		t.Errorf("message %q does not say the cap and how to narrow", env.Message)
	}
	for _, param := range []string{"coinIds", "currencyCodes", "dateTo"} {
		if env.Errors[param] == "" {
			t.Errorf("errors %v do not name %s", env.Errors, param)
		}
	}
	if rec := f.do(http.MethodGet, "/api/prices?"+long+"&breakdown=date,currency"); rec.Code != http.StatusOK {
		t.Errorf("2 currencies x 17,166 days: status %d: %s", rec.Code, rec.Body)
	}
	if rec := f.do(http.MethodGet, "/api/prices?"+long+"&breakdown=coin,currency"); rec.Code != http.StatusOK {
		t.Errorf("6 series over the range: status %d: %s", rec.Code, rec.Body)
	}
	// mode=pct reads every series on its own, so the cap counts them.
	if rec := f.do(http.MethodGet, "/api/prices?"+long+"&breakdown=date&mode=pct"); rec.Code != http.StatusBadRequest {
		t.Errorf("mode=pct over 6 series x 17,166 days: status %d", rec.Code)
	}
}
