package web_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestAPICoinOHLC(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()

	t.Run("daily rows in date order, in the documented shape", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/coins/bitcoin/ohlc?currency=usd&dateFrom=2024-02-28&dateTo=2024-03-05")
		var rows []map[string]any
		env := decodeData(t, rec, &rows)
		if rec.Code != http.StatusOK || !env.Success {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		want := []map[string]any{
			{"date": "2024-03-01", "open": 100.5, "high": 300.125, "low": 100.5, "close": 300.125, "samples": 3.0, "partial": false},
			{"date": "2024-03-02", "open": 400.0, "high": 500.0, "low": 400.0, "close": 500.0, "samples": 2.0, "partial": false},
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("rows = %v, want %v", rows, want)
		}
		if rec.Header().Get("ETag") == "" || !strings.Contains(rec.Header().Get("Cache-Control"), "s-maxage") {
			t.Errorf("a read is not cacheable: %v", rec.Header())
		}
	})
	t.Run("currency defaults to usd, and the range keeps both its days", func(t *testing.T) {
		var rows []struct {
			Date    string
			Samples int
		}
		decodeData(t, f.do(http.MethodGet, "/api/coins/bitcoin/ohlc?dateFrom=2024-03-02&dateTo=2024-03-02"), &rows)
		if len(rows) != 1 || rows[0].Date != "2024-03-02" || rows[0].Samples != 2 {
			t.Errorf("rows = %+v, want the usd day 2024-03-02 alone", rows)
		}
	})
	t.Run("another currency is another series", func(t *testing.T) {
		var rows []struct{ Open, Close float64 }
		decodeData(t, f.do(http.MethodGet, "/api/coins/bitcoin/ohlc?currency=TRY&dateFrom=2024-03-01&dateTo=2024-03-02"), &rows)
		if len(rows) != 1 || rows[0].Open != 3000 || rows[0].Close != 3500 {
			t.Errorf("rows = %+v, want the one try day", rows)
		}
	})
	t.Run("no rows is an empty list, not null", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/coins/dogecoin/ohlc?dateFrom=2024-03-01&dateTo=2024-03-02")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"data":[]`) {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("an unknown coin is a 404 naming it", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/coins/nope/ohlc?dateFrom=2024-03-01&dateTo=2024-03-02")
		if env := decode(t, rec); rec.Code != http.StatusNotFound || env.Success || !strings.Contains(env.Message, "nope") {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	for _, tc := range []struct {
		name, query string
		params      []string
	}{
		{"missing dates", "", []string{"dateFrom", "dateTo"}},
		{"malformed dateFrom", "dateFrom=01/03/2024&dateTo=2024-03-02", []string{"dateFrom"}},
		{"reversed dates", "dateFrom=2024-03-05&dateTo=2024-03-01", []string{"dateTo"}},
		{"unknown currency", "currency=xyz&dateFrom=2024-03-01&dateTo=2024-03-02", []string{"currency"}},
		{"every problem at once", "currency=xyz&dateFrom=bad", []string{"currency", "dateFrom", "dateTo"}},
	} {
		t.Run("400 naming the parameter: "+tc.name, func(t *testing.T) {
			rec := f.do(http.MethodGet, "/api/coins/bitcoin/ohlc?"+tc.query)
			env := decode(t, rec)
			if rec.Code != http.StatusBadRequest || env.Success {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			var got []string
			for k := range env.Errors {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.params) {
				t.Errorf("errors %v, want exactly %v", env.Errors, tc.params)
			}
		})
	}
}
