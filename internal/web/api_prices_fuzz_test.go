package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// catalogStore is a Store that knows a fixed catalogue and answers every price query with one
// row per asked series, so the router runs without a database.
type catalogStore struct{ Store }

func (catalogStore) DataVersion(context.Context) (domain.DataVersion, error) {
	return domain.DataVersion{Version: 1}, nil
}

func (catalogStore) Catalog(context.Context) (domain.Catalog, error) {
	return domain.Catalog{
		Coins:      []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}, {ID: "avalanche-2", Symbol: "avax", Name: "Avalanche"}},
		Currencies: []domain.Currency{{Code: "usd", Name: "US Dollar"}, {Code: "try", Name: "Turkish Lira"}},
		LatestHour: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}, nil
}

func (catalogStore) Prices(_ context.Context, q domain.PriceQuery) ([]domain.PriceRow, error) {
	var rows []domain.PriceRow
	for _, coin := range q.CoinIDs {
		for _, cur := range q.CurrencyCodes {
			rows = append(rows, domain.PriceRow{CoinID: coin, CurrencyCode: cur, Time: q.Range.Start, Price: 1.5})
		}
	}
	return rows, nil
}

// FuzzAPIPrices sends /api/prices any query string through the real router. Every answer is
// a 200 or a 400 in the JSON envelope (CSV for format=csv), never a 500 or a panic; a 400
// names its parameters with short messages; a 200 echoes lists no longer than the cap.
func FuzzAPIPrices(f *testing.F) {
	for _, seed := range []string{
		"dateFrom=2026-02-01&dateTo=2026-03-01",
		"coinIds=bitcoin,ethereum&currencyCodes=usd,try&dateFrom=2026-02-28&dateTo=2026-03-01&breakdown=coin,currency,date&granularity=hourly",
		"coinIds=Bitcoin&coinIds=avalanche-2&currencyCodes=USD&dateFrom=2026-01-01&dateTo=2026-03-01&format=csv",
		"dateFrom=2026-03-02&dateTo=2026-03-01&granularity=weekly&breakdown=volume&coinIds=-x&currencyCodes=dollars&format=xml",
		"dateFrom=2025-01-01&dateTo=2026-01-01&granularity=hourly",
		"dateFrom=0001-01-01&dateTo=9999-12-31",
	} {
		f.Add(seed)
	}
	h := New(Deps{Store: catalogStore{}})
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/api/prices", RawQuery: rawQuery},
			Header: http.Header{}, Host: "example.com"}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(context.Background()))
		if rec.Code == http.StatusOK && rec.Header().Get("Content-Type") == "text/csv; charset=utf-8" {
			return
		}
		var env struct {
			Success bool              `json:"success"`
			Message string            `json:"message"`
			Errors  map[string]string `json:"errors"`
			Data    struct {
				Meta struct {
					Breakdown []string `json:"breakdown"`
					Filters   struct {
						CoinIDs       []string `json:"coinIds"`
						CurrencyCodes []string `json:"currencyCodes"`
					} `json:"filters"`
				} `json:"meta"`
			} `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("status %d, not the envelope: %v: %.200q", rec.Code, err, rec.Body.String())
		}
		switch rec.Code {
		case http.StatusOK:
			m := env.Data.Meta
			if !env.Success || len(m.Breakdown) > domain.MaxListItems || len(m.Filters.CoinIDs) > domain.MaxListItems ||
				len(m.Filters.CurrencyCodes) > domain.MaxListItems {
				t.Fatalf("a 200 past the cap or failed: %.300s", rec.Body.String())
			}
		case http.StatusBadRequest:
			if env.Success || env.Message == "" || len(env.Errors) == 0 {
				t.Fatalf("a 400 that names nothing: %s", rec.Body.String())
			}
			for param, problem := range env.Errors {
				if len(problem) > 600 || len(param) > 20 {
					t.Fatalf("%q: a problem of %d bytes", param, len(problem))
				}
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}
