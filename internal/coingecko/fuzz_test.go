package coingecko

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// The seed corpora live in testdata/fuzz: every error shape coingecko.md lists (CoinGecko's
// nested and top-level codes, plain "Throttled", Cloudflare pages) and the recorded answers.

// FuzzParseError checks the one parser of every answer CoinGecko or its CDN sends: it never
// panics, lets through as data only a 2xx JSON answer, and its message fits a log line and a
// PostgreSQL text column whatever the body holds.
func FuzzParseError(f *testing.F) {
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		header := http.Header{}
		header.Set("Retry-After", retryAfter)
		e := parseError(status, header, body, now)
		if e == nil {
			if status < 200 || status > 299 || !json.Valid(bytes.TrimSpace(body)) {
				t.Fatalf("status %d with body %q taken for data", status, body)
			}
			return
		}
		for _, text := range []string{e.Message, e.Error()} {
			if !utf8.ValidString(text) || strings.ContainsFunc(text, unicode.IsControl) {
				t.Fatalf("text %q is not clean UTF-8 without control characters", text)
			}
		}
		if n := utf8.RuneCountInString(e.Message); n > maxMessageRunes+len("answer is not JSON: ")+1 {
			t.Fatalf("message of %d runes", n)
		}
		if e.Fatal() && e.Retryable() {
			t.Fatalf("%v is both fatal and retryable", e)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfterRead {
			t.Fatalf("Retry-After %q read as %s", retryAfter, e.RetryAfter)
		}
	})
}

// FuzzMarketChart checks the decoding of a market chart and its clean-up: one bad point costs
// one sample, never the answer, and what the clean-up keeps is always storable.
func FuzzMarketChart(f *testing.F) {
	from := time.Date(2021, 4, 15, 0, 0, 0, 0, time.UTC)
	keep := domain.Window{
		Asked: domain.Range{Start: from, End: from.AddDate(0, 1, 1)},
		Own:   domain.Range{Start: from, End: from.AddDate(0, 1, 0)},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if parseError(http.StatusOK, http.Header{}, body, time.Now()) != nil {
			return
		}
		var chart chartBody
		if err := decodeJSON(body, &chart); err != nil {
			var arrays struct{ Prices, MarketCaps, TotalVolumes json.RawMessage }
			if json.Unmarshal(body, &arrays) == nil && isArrayOrNull(arrays.Prices) &&
				isArrayOrNull(arrays.MarketCaps) && isArrayOrNull(arrays.TotalVolumes) {
				t.Fatalf("an answer of the right shape failed as a whole: %v", err)
			}
			return
		}
		samples := chart.samples()
		if len(samples) != len(chart.Prices) {
			t.Fatalf("%d samples from %d price points", len(samples), len(chart.Prices))
		}
		for _, s := range samples {
			for _, v := range []*float64{s.MarketCap, s.TotalVolume} {
				if v != nil && !(*v >= 0 && !math.IsInf(*v, 0)) {
					t.Fatalf("market cap or volume %v kept", *v)
				}
			}
		}
		hours, dropped := domain.BucketHourly(samples, keep)
		if len(hours)+dropped.Total() > len(samples) {
			t.Fatalf("%d hours and %d dropped from %d samples", len(hours), dropped.Total(), len(samples))
		}
		for i, h := range hours {
			if !domain.ValidPrice(h.Price) || !keep.Own.Contains(h.Time) || !h.Time.Equal(h.Time.Truncate(time.Hour)) {
				t.Fatalf("hour %+v is not storable", h)
			}
			if i > 0 && !h.Time.After(hours[i-1].Time) {
				t.Fatalf("hours not strictly ascending at %d", i)
			}
		}
	})
}

func isArrayOrNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || raw[0] == '[' || string(raw) == "null"
}
