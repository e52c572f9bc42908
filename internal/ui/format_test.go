package ui

import (
	"math"
	"testing"
)

func TestFormatPrice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		currency string
		v        float64
		want     string
	}{
		{"rounds up to a dollar: cents, not a bare point", "usd", 0.99999, "$1.00"},
		{"rounds up to ten cents", "usd", 0.099999, "$0.10"},
		{"half a dollar keeps cents", "usd", 0.5, "$0.50"},
		{"negative: sign before the symbol", "usd", -0.5, "-$0.50"},
		{"negative large", "eur", -1234.5, "-€1,234.50"},
		{"large: grouped, cents rounded", "usd", 1234567.891, "$1,234,567.89"},
		{"one", "usd", 1, "$1.00"},
		{"doge keeps four significant digits", "usd", 0.0812, "$0.0812"},
		{"doge with more digits", "try", 0.081234, "₺0.08123"},
		{"tiny", "usd", 0.000012345, "$0.00001234"},
		{"a billionth", "usd", 1e-9, "$0.000000001"},
		{"beyond the decimals: exponent, never zero", "usd", 1e-20, "$1.000e-20"},
		{"zero", "usd", 0, "$0.00"},
		{"negative zero", "usd", math.Copysign(0, -1), "$0.00"},
		{"code without a symbol", "chf", 12.3, "CHF 12.30"},
		{"negative code without a symbol", "chf", -0.25, "-CHF 0.25"},
		{"mixed currencies: no symbol", "", 0.5, "0.50"},
		{"not a number", "usd", math.NaN(), "–"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatPrice(tt.currency, tt.v); got != tt.want {
				t.Errorf("formatPrice(%q, %v) = %q, want %q", tt.currency, tt.v, got, tt.want)
			}
		})
	}
}
