package ui_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/ui"
)

// latest is the newest seeded hour; now is the test clock, an hour and a half later.
var (
	latest = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	now    = latest.Add(90 * time.Minute)
)

var basePrices = map[string]float64{"bitcoin": 60000, "ethereum": 3000, "dogecoin": 0.08123, "solana": 150}
var currencyRates = map[string]float64{"usd": 1, "try": 32, "eur": 0.9}

// seedPrices stores days of hourly prices ending at latest for every coin and currency, on a
// smooth deterministic curve so daily means are predictable enough to sort.
func seedPrices(tb testing.TB, s *store.Store, days int) {
	tb.Helper()
	if days < 0 {
		// A database no run has reached yet: not even the coins are stored.
		return
	}
	ctx := context.Background()
	if err := s.UpsertCoins(ctx, []domain.Coin{
		{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}, {ID: "ethereum", Symbol: "eth", Name: "Ethereum"},
		{ID: "dogecoin", Symbol: "doge", Name: "Dogecoin"}, {ID: "solana", Symbol: "sol", Name: "Solana"},
	}); err != nil {
		tb.Fatal(err)
	}
	if err := s.UpsertCurrencies(ctx, []domain.Currency{
		{Code: "usd", Name: "US Dollar"}, {Code: "try", Name: "Turkish Lira"}, {Code: "eur", Name: "Euro"},
	}); err != nil {
		tb.Fatal(err)
	}
	if days == 0 {
		return
	}
	start := latest.Add(-time.Duration(days*24-1) * time.Hour)
	for coin, base := range basePrices {
		for cur, rate := range currencyRates {
			var hours []domain.Sample
			for t, i := start, 0; !t.After(latest); t, i = t.Add(time.Hour), i+1 {
				hours = append(hours, domain.Sample{Time: t, Price: base * rate * (1 + 0.05*math.Sin(float64(i)/30))})
			}
			if _, err := s.StoreHourly(ctx, domain.Series{CoinID: coin, CurrencyCode: cur}, hours); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

type testServer struct {
	e     *echo.Echo
	store *store.Store
}

func newTestServer(tb testing.TB, days int) *testServer {
	tb.Helper()
	return newTestServerWith(tb, days, ui.Options{})
}

// newTestServerWith is newTestServer with opts' Configured and NextRetry.
func newTestServerWith(tb testing.TB, days int, opts ui.Options) *testServer {
	tb.Helper()
	s := storetest.New(tb)
	seedPrices(tb, s, days)
	e := echo.New()
	opts.Store, opts.DefaultCoins, opts.Now = s, []string{"bitcoin", "ethereum", "dogecoin"}, func() time.Time { return now }
	h := ui.New(opts)
	// As the web layer registers the table, with no session and no cached data version.
	for _, r := range ui.Routes {
		handle := h.Handle(r)
		e.GET(r.Path, func(c echo.Context) error { return handle(c, ui.Facts{}) })
	}
	return &testServer{e: e, store: s}
}

type response struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
}

func (ts *testServer) get(tb testing.TB, target string, hx bool) response {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	rec := httptest.NewRecorder()
	ts.e.ServeHTTP(rec, req)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.String(), doc: doc}
}

// getBoth fetches target with and without HX-Request and requires identical answers, since a
// CDN keys on the URL only.
func (ts *testServer) getBoth(tb testing.TB, target string) response {
	tb.Helper()
	plain, hx := ts.get(tb, target, false), ts.get(tb, target, true)
	if plain.status != hx.status || plain.body != hx.body {
		tb.Fatalf("%s answers differently with HX-Request: %d vs %d", target, plain.status, hx.status)
	}
	return plain
}

func testids(r response, id string) *goquery.Selection {
	return r.doc.Find(`[data-testid="` + id + `"]`)
}
