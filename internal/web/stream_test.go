package web_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// An answer past streamRows goes to the client as it is made: it must be the same answer,
// with the same cache headers, coded as asked, and a 304 when the client holds it.
func TestAPIPrices_LargeAnswersStreamed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seed()
	hours := make([]float64, 1900)
	for i := range hours {
		hours[i] = float64(100 + i%7)
	}
	series := [][2]string{{"bitcoin", "usd"}, {"bitcoin", "try"}, {"ethereum", "usd"}, {"ethereum", "try"}, {"dogecoin", "usd"}, {"dogecoin", "try"}}
	for _, s := range series {
		f.storeHours(s[0], s[1], day1, hours...)
	}
	const route = "/api/prices?dateFrom=2024-03-01&dateTo=2024-05-20&granularity=hourly&breakdown=coin,currency,date"
	rec := f.do(http.MethodGet, route, "Accept-Encoding", "gzip")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("ETag") == "" ||
		!strings.HasPrefix(rec.Header().Get("Cache-Control"), "public") {
		t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Success bool
		Data    struct {
			Data []map[string]any
			Meta struct{ Count int }
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %.200s", err, body)
	}
	if want := len(series) * len(hours); !got.Success || len(got.Data.Data) != want || got.Data.Meta.Count != want {
		t.Errorf("success %t, %d rows, count %d; want %d", got.Success, len(got.Data.Data), got.Data.Meta.Count, want)
	}
	if first := got.Data.Data[0]; first["coin"] != "bitcoin" || first["currency"] != "TRY" || first["date"] != "2024-03-01 00:00:00" || first["price"] != 100.0 {
		t.Errorf("first row %v", first)
	}
	if again := f.do(http.MethodGet, route, "If-None-Match", rec.Header().Get("ETag")); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes, want 304", again.Code, again.Body.Len())
	}
	csv := f.do(http.MethodGet, route+"&format=csv")
	if lines := strings.Count(csv.Body.String(), "\n"); csv.Code != http.StatusOK || lines != len(series)*len(hours)+1 ||
		!strings.HasPrefix(csv.Header().Get("Content-Type"), "text/csv") || !strings.Contains(csv.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV: %d, %d lines, headers %v", csv.Code, lines, csv.Header())
	}
}
