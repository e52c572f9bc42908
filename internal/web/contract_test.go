package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// The contract the Next.js system's clients rely on, checked over HTTP against the real
// router and a real database: for each request the status and the exact shape of the answer
// (every field name, JSON type and null, the envelope included; no field missing, none
// added unless it is one of ours the README lists). Values are pinned where the data makes
// them certain and typed where it does not.

// kind is a JSON value's type, or a string's form, where the value itself is not pinned.
type kind string

const (
	aString kind = "a string"
	aNumber kind = "a number"
	aBool   kind = "a boolean"
	// aTime is an instant as JavaScript's Date.toISOString writes it.
	aTime kind = "an ISO 8601 UTC time with milliseconds"
	// aRunTime is an instant as the cron endpoints write it (RFC 3339, UTC).
	aRunTime kind = "an RFC 3339 UTC time"
	aDay     kind = "a YYYY-MM-DD date"
	anHour   kind = "a YYYY-MM-DD HH:00:00 hour"
)

var kindForms = map[kind]*regexp.Regexp{
	aTime:    regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`),
	aRunTime: regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`),
	aDay:     regexp.MustCompile(`^\d{4}-\d\d-\d\d$`),
	anHour:   regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:00:00$`),
}

// obj is a JSON object with exactly these keys; arr a JSON array of exactly these elements;
// each a JSON array of n elements that all have one shape. Any other Go value is a literal
// the JSON value must equal (nil for null).
type (
	obj  map[string]any
	arr  []any
	each struct {
		n     int
		shape any
	}
)

// mismatches lists where got differs from the shape want, each with its JSON path.
func mismatches(path string, want, got any) []string {
	bad := func() []string {
		g, _ := json.Marshal(got)
		return []string{fmt.Sprintf("%s = %s, want %s", path, g, describe(want))}
	}
	switch w := want.(type) {
	case kind:
		switch w {
		case aString:
			if _, ok := got.(string); !ok {
				return bad()
			}
		case aNumber:
			if _, ok := got.(float64); !ok {
				return bad()
			}
		case aBool:
			if _, ok := got.(bool); !ok {
				return bad()
			}
		default:
			if s, ok := got.(string); !ok || !kindForms[w].MatchString(s) {
				return bad()
			}
		}
		return nil
	case obj:
		g, ok := got.(map[string]any)
		if !ok {
			return bad()
		}
		var out []string
		for k := range g {
			if _, expected := w[k]; !expected {
				out = append(out, fmt.Sprintf("%s.%s: unexpected field", path, k))
			}
		}
		for k, wv := range w {
			gv, present := g[k]
			if !present {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			out = append(out, mismatches(path+"."+k, wv, gv)...)
		}
		slices.Sort(out)
		return out
	case arr:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return bad()
		}
		var out []string
		for i := range w {
			out = append(out, mismatches(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	case each:
		g, ok := got.([]any)
		if !ok || len(g) != w.n {
			return bad()
		}
		var out []string
		for i := range g {
			out = append(out, mismatches(fmt.Sprintf("%s[%d]", path, i), w.shape, g[i])...)
		}
		return out
	case int:
		if g, ok := got.(float64); !ok || g != float64(w) {
			return bad()
		}
		return nil
	default:
		if want != got {
			return bad()
		}
		return nil
	}
}

func describe(want any) string {
	switch w := want.(type) {
	case kind:
		return string(w)
	case each:
		return fmt.Sprintf("%d elements, each %s", w.n, describe(w.shape))
	default:
		b, _ := json.Marshal(want)
		return string(b)
	}
}

// contractCase is one request and the answer it must get. body is the answer's JSON shape,
// or nil for an answer without a body; csvHeader, when set, is the first line of a CSV answer.
type contractCase struct {
	name      string
	method    string
	target    string
	status    int
	body      any
	csvHeader string
}

// The Next.js client's defaults: the coins and currencies it hard-codes, and its 1M range
// (as of 2024-03-05, the last day these fixtures hold).
const (
	clientCoins     = "coinIds=bitcoin,ethereum,dogecoin&currencyCodes=usd,try"
	clientRange     = "dateFrom=2024-02-05&dateTo=2024-03-05"
	clientChart     = "/api/prices?" + clientCoins + "&" + clientRange + "&breakdown=date,coin,currency"
	clientDateMeans = "/api/prices?" + clientCoins + "&" + clientRange
	clientOneDay    = "/api/prices?" + clientCoins + "&dateFrom=2024-03-01&dateTo=2024-03-01&breakdown=coin,date"
	clientCSV       = clientChart + "&format=csv"
)

// Shapes shared by several cases.
var (
	clientFilters = obj{"coinIds": arr{"bitcoin", "ethereum", "dogecoin"}, "currencyCodes": arr{"usd", "try"}}
	noneIgnored   = obj{"coinIds": arr{}, "currencyCodes": arr{}}
	apiError      = obj{"success": false, "message": aString}
	noStats       = obj{"coins": 0, "currencies": 0, "dailyPrices": 0, "hourlyPrices": 0, "coinMetadata": 0, "fetchRuns": 0}
)

func healthy(stats obj, latestRun any) obj {
	return obj{"success": true, "message": "System is healthy", "data": obj{
		"status": "healthy", "timestamp": aTime, "service": "cryptodash",
		"database":    obj{"status": "connected", "type": "PostgreSQL", "stats": stats, "writes": "ok"},
		"environment": "production", "version": "test1", "latestRun": latestRun,
	}}
}

func prices(rows any, meta obj) obj {
	return obj{"success": true, "data": obj{"data": rows, "meta": meta}}
}

func badRequest(message string, params ...string) contractCase {
	errs := obj{}
	for _, p := range params {
		errs[p] = aString
	}
	return contractCase{status: http.StatusBadRequest, body: obj{"success": false, "message": message, "errors": errs}}
}

// requestShapes are the answers that read the same on every database that answers.
func requestShapes() []contractCase {
	cases := []contractCase{
		{name: "OPTIONS prices", method: http.MethodOptions, target: "/api/prices", status: http.StatusNoContent},
		{name: "OPTIONS metadata", method: http.MethodOptions, target: "/api/coins/bitcoin/metadata", status: http.StatusNoContent},
		{name: "unknown API path", target: "/api/nothing-here", status: http.StatusNotFound, body: apiError},
		{name: "a method the route lacks", method: http.MethodPost, target: "/api/coins", status: http.StatusMethodNotAllowed, body: apiError},
	}
	for _, bad := range []struct {
		name, query string
		c           contractCase
	}{
		{"no dates", "", badRequest("dateFrom and dateTo are required", "dateFrom", "dateTo")},
		{"no dateTo", "dateFrom=2024-03-01", badRequest("dateFrom and dateTo are required", "dateTo")},
		{"malformed date", "dateFrom=2024-3-1&dateTo=2024-03-05", badRequest("Invalid date format. Use ISO format (YYYY-MM-DD)", "dateFrom")},
		{"reversed dates", "dateFrom=2024-03-05&dateTo=2024-03-01", badRequest("dateFrom must be on or before dateTo", "dateTo")},
		{"unknown granularity", clientRange + "&granularity=weekly", badRequest("Invalid granularity. Use daily or hourly", "granularity")},
		{"unknown breakdown", clientRange + "&breakdown=date,week", badRequest("Invalid breakdown. Use date, coin or currency", "breakdown")},
		{"malformed coin id", clientRange + "&coinIds=bitcoin,bit%20coin", badRequest("Invalid coin id. Use CoinGecko ids such as bitcoin", "coinIds")},
		{"malformed currency code", clientRange + "&currencyCodes=usd,us-dollar", badRequest("Invalid currency code. Use codes such as usd", "currencyCodes")},
		{"several bad, the first named", "dateFrom=x&dateTo=2024-03-05&granularity=weekly&coinIds=$", badRequest(
			"Invalid date format. Use ISO format (YYYY-MM-DD)", "dateFrom", "granularity", "coinIds")},
	} {
		bad.c.name, bad.c.target = "400 "+bad.name, "/api/prices?"+bad.query
		cases = append(cases, bad.c)
	}
	return cases
}

func TestAPI_Contract(t *testing.T) {
	t.Parallel()

	t.Run("empty database, before the first fetch", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		cases := append(requestShapes(),
			contractCase{name: "health", target: "/api/health", status: http.StatusOK, body: healthy(noStats, nil)},
			contractCase{name: "coins", target: "/api/coins", status: http.StatusOK, body: obj{"success": true, "data": arr{}}},
			contractCase{name: "currencies", target: "/api/currencies", status: http.StatusOK, body: obj{"success": true, "data": arr{}}},
			contractCase{name: "metadata", target: "/api/coins/bitcoin/metadata", status: http.StatusNotFound, body: apiError},
			contractCase{name: "client chart", target: clientChart, status: http.StatusOK, body: prices(arr{}, obj{
				"count": 0, "granularity": "daily", "dateFrom": "2024-02-05", "dateTo": "2024-03-05",
				"breakdown": arr{"date", "coin", "currency"}, "filters": clientFilters,
				"ignored": obj{"coinIds": arr{"bitcoin", "ethereum", "dogecoin"}, "currencyCodes": arr{"usd", "try"}},
			})},
			contractCase{name: "no filters, no breakdown", target: "/api/prices?" + clientRange, status: http.StatusOK, body: prices(arr{}, obj{
				"count": 0, "granularity": "daily", "dateFrom": "2024-02-05", "dateTo": "2024-03-05",
				"breakdown": arr{}, "filters": obj{"coinIds": arr{}, "currencyCodes": arr{}}, "ignored": noneIgnored,
			})},
			contractCase{name: "client CSV", target: clientCSV, status: http.StatusOK, csvHeader: "coin,currency,date,price,partial,hours"},
		)
		checkContract(t, f, cases)
	})

	t.Run("database without dogecoin, one of the client's defaults", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		seedWithoutDogecoin(t, f)
		run := obj{"id": aNumber, "trigger": "cli", "status": "partial", "startedAt": aRunTime, "finishedAt": aRunTime}
		cases := append(requestShapes(),
			contractCase{name: "health", target: "/api/health", status: http.StatusOK, body: healthy(obj{
				"coins": 2, "currencies": 2, "dailyPrices": 8, "hourlyPrices": 16, "coinMetadata": 1, "fetchRuns": 1}, run)},
			contractCase{name: "coins", target: "/api/coins", status: http.StatusOK, body: obj{"success": true, "data": arr{
				obj{"id": "bitcoin", "symbol": "btc", "name": "Bitcoin", "createdAt": aTime},
				obj{"id": "ethereum", "symbol": "eth", "name": "Ethereum", "createdAt": aTime},
			}}},
			contractCase{name: "currencies", target: "/api/currencies", status: http.StatusOK, body: obj{"success": true, "data": arr{
				obj{"code": "try", "name": "Turkish Lira", "createdAt": aTime},
				obj{"code": "usd", "name": "US Dollar", "createdAt": aTime},
			}}},
			contractCase{name: "metadata", target: "/api/coins/bitcoin/metadata", status: http.StatusOK, body: obj{"success": true, "data": obj{
				"coinId": "bitcoin", "name": "Bitcoin", "symbol": "btc",
				"description": "<p>Digital gold</p>", "imageUrl": "https://assets.example/btc.png", "homepageUrl": "https://bitcoin.org"}}},
			contractCase{name: "metadata not fetched yet", target: "/api/coins/ethereum/metadata", status: http.StatusOK, body: obj{"success": true, "data": obj{
				"coinId": "ethereum", "name": "Ethereum", "symbol": "eth", "description": nil, "imageUrl": nil, "homepageUrl": nil}}},
			contractCase{name: "metadata of a coin not stored", target: "/api/coins/dogecoin/metadata", status: http.StatusNotFound, body: apiError},
			contractCase{name: "client chart", target: clientChart, status: http.StatusOK, body: prices(
				each{8, obj{"coin": aString, "currency": aString, "date": aDay, "price": aNumber, "partial": aBool, "hours": aNumber}}, obj{
					"count": 8, "granularity": "daily", "dateFrom": "2024-02-05", "dateTo": "2024-03-05",
					"breakdown": arr{"date", "coin", "currency"}, "filters": clientFilters,
					"ignored": obj{"coinIds": arr{"dogecoin"}, "currencyCodes": arr{}},
				})},
			contractCase{name: "client, no breakdown", target: clientDateMeans, status: http.StatusOK, body: prices(
				arr{obj{"date": "2024-03-01", "price": aNumber, "partial": aBool, "hours": aNumber}, obj{"date": "2024-03-02", "price": aNumber, "partial": aBool, "hours": aNumber}}, obj{
					"count": 2, "granularity": "daily", "dateFrom": "2024-02-05", "dateTo": "2024-03-05",
					"breakdown": arr{}, "filters": clientFilters, "ignored": obj{"coinIds": arr{"dogecoin"}, "currencyCodes": arr{}},
				})},
			contractCase{name: "client, one day by the hour", target: clientOneDay, status: http.StatusOK, body: prices(
				each{4, obj{"coin": aString, "date": anHour, "price": aNumber}}, obj{
					"count": 4, "granularity": "hourly", "dateFrom": "2024-03-01", "dateTo": "2024-03-01",
					"breakdown": arr{"coin", "date"}, "filters": clientFilters, "ignored": obj{"coinIds": arr{"dogecoin"}, "currencyCodes": arr{}},
				})},
			contractCase{name: "only unknown ids", target: "/api/prices?coinIds=dogecoin&currencyCodes=eur&" + clientRange + "&granularity=daily",
				status: http.StatusOK, body: prices(arr{}, obj{
					"count": 0, "granularity": "daily", "dateFrom": "2024-02-05", "dateTo": "2024-03-05", "breakdown": arr{},
					"filters": obj{"coinIds": arr{"dogecoin"}, "currencyCodes": arr{"eur"}},
					"ignored": obj{"coinIds": arr{"dogecoin"}, "currencyCodes": arr{"eur"}},
				})},
			contractCase{name: "client CSV", target: clientCSV, status: http.StatusOK, csvHeader: "coin,currency,date,price,partial,hours"},
		)
		checkContract(t, f, cases)
	})

	t.Run("database down", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.store.Close()
		checkContract(t, f, []contractCase{
			{name: "health", target: "/api/health", status: http.StatusServiceUnavailable, body: obj{
				"success": false, "message": "Health check failed", "errors": obj{
					"database": "disconnected", "status": "unhealthy", "timestamp": aTime, "service": "cryptodash", "version": "test1"}}},
			{name: "coins", target: "/api/coins", status: http.StatusServiceUnavailable, body: apiError},
			{name: "client chart", target: clientChart, status: http.StatusServiceUnavailable, body: apiError},
			{name: "OPTIONS prices", method: http.MethodOptions, target: "/api/prices", status: http.StatusNoContent},
		})
	})
}

// seedWithoutDogecoin stores what a fetch configured without dogecoin leaves: bitcoin and
// ethereum in usd and try over two days (two hours a day), bitcoin's metadata but not yet
// ethereum's, and the run that recorded it.
func seedWithoutDogecoin(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	must(t, f.store.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}, {ID: "ethereum", Symbol: "eth", Name: "Ethereum"}}))
	must(t, f.store.UpsertCurrencies(ctx, []domain.Currency{{Code: "usd", Name: "US Dollar"}, {Code: "try", Name: "Turkish Lira"}}))
	must(t, f.store.UpsertMetadata(ctx, domain.Metadata{CoinID: "bitcoin", Description: "<p>Digital gold</p>",
		ImageURL: "https://assets.example/btc.png", HomepageURL: "https://bitcoin.org"}))
	for _, coin := range []string{"bitcoin", "ethereum"} {
		for _, currency := range []string{"usd", "try"} {
			f.storeHours(coin, currency, day1, 10, 20)
			f.storeHours(coin, currency, day2, 30, 40)
		}
	}
	run, _, err := f.store.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerCLI, TTL: time.Hour})
	must(t, err)
	_, err = f.store.FinishRun(ctx, run.ID, domain.RunPartial, domain.RunProgress{SeriesTotal: 4, SeriesDone: 4,
		WindowsTotal: 4, WindowsDone: 4, RowsWritten: 16}, "dogecoin: not on CoinGecko")
	must(t, err)
}

// checkContract sends every case to the router served over HTTP and checks its status and
// the shape of its answer.
func checkContract(t *testing.T, f *fixture, cases []contractCase) {
	t.Helper()
	srv := httptest.NewServer(f.e)
	t.Cleanup(srv.Close)
	for _, tc := range cases {
		method := tc.method
		if method == "" {
			method = http.MethodGet
		}
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(method, srv.URL+tc.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s: status %d, want %d: %s", method, tc.target, resp.StatusCode, tc.status, body)
			}
			ct := resp.Header.Get("Content-Type")
			switch {
			case tc.csvHeader != "":
				if first, _, _ := strings.Cut(string(body), "\n"); !strings.HasPrefix(ct, "text/csv") || first != tc.csvHeader {
					t.Errorf("Content-Type %q, header line %q, want CSV headed %q", ct, first, tc.csvHeader)
				}
			case tc.body == nil:
				if len(body) != 0 {
					t.Errorf("body %q, want none", body)
				}
			default:
				if ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				var got any
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatalf("not JSON: %v: %s", err, body)
				}
				for _, m := range mismatches("$", tc.body, got) {
					t.Error(m)
				}
			}
		})
	}
}
