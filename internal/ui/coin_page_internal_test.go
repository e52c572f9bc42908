package ui

import (
	"net/url"
	"testing"

	"github.com/cryptodash/cryptodash/internal/domain"
)

func TestParseCoinState(t *testing.T) {
	t.Parallel()
	noUSD := []domain.Currency{{Code: "eur", Name: "Euro"}, {Code: "gbp", Name: "British Pound"}}
	t.Run("without usd the first stored currency is the default, left out of links", func(t *testing.T) {
		s, errs := parseCoinState("bitcoin", url.Values{}, noUSD, nil)
		if len(errs) != 0 || s.currency != "eur" || s.rng.preset != "3m" || s.URL() != "/coins/bitcoin" {
			t.Errorf("state %+v %v, URL %s", s, errs, s.URL())
		}
	})
	t.Run("a named currency and range are kept, lower-cased", func(t *testing.T) {
		s, errs := parseCoinState("avalanche-2", url.Values{"currency": {"GBP"}, "range": {"1Y"}}, noUSD, nil)
		if len(errs) != 0 || s.URL() != "/coins/avalanche-2?currency=gbp&range=1y" {
			t.Errorf("URL %s, errs %v", s.URL(), errs)
		}
	})
	t.Run("usd is asked for where it is not stored", func(t *testing.T) {
		s, errs := parseCoinState("bitcoin", url.Values{"currency": {"usd"}}, noUSD, nil)
		if errs["currency"] != `Unknown currency "usd"; showing EUR.` || s.currency != "eur" {
			t.Errorf("state %+v, errs %v", s, errs)
		}
	})
}

func TestFormatCompact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cur  string
		v    float64
		want string
	}{
		{"usd", 1.3249e12, "$1.32T"},
		{"usd", 999_960, "$1.00M"},
		{"try", 845_123_456, "₺845M"},
		{"usd", 41_100_000_000, "$41.1B"},
		{"chf", 12_345, "CHF 12.3K"},
		{"usd", 512.5, "$512.50"},
	} {
		if got := formatCompact(tc.cur, tc.v); got != tc.want {
			t.Errorf("formatCompact(%s, %v) = %q, want %q", tc.cur, tc.v, got, tc.want)
		}
	}
}

func TestFormatPercent(t *testing.T) {
	t.Parallel()
	for f, want := range map[float64]string{0.0187: "+1.87%", -0.123: "-12.30%", 0: "0.00%", -0.00001: "0.00%", 0.00001: "0.00%"} {
		if got := formatPercent(f); got != want {
			t.Errorf("formatPercent(%v) = %q, want %q", f, got, want)
		}
	}
}
