package chart_test

import (
	"math"
	"testing"

	"github.com/cryptodash/cryptodash/internal/chart"
)

// TestPercent is the table of cases for every percentage cryptodash writes: pages, axis
// labels, and app.js's percent, which follows the same rules.
func TestPercent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fraction float64
		decimals int
		want     string
	}{
		{"a rise has a plus", 0.0187, 2, "+1.87%"},
		{"a fall has a minus", -0.123, 2, "-12.30%"},
		{"zero has no sign", 0, 2, "0.00%"},
		{"a 0.001% rise rounds to an unsigned zero", 0.00001, 2, "0.00%"},
		{"a 0.001% fall rounds to an unsigned zero", -0.00001, 2, "0.00%"},
		{"an axis tick at zero", -0.00001, 0, "0%"},
		{"an axis tick", 0.1, 0, "+10%"},
		{"a rise that rounds half away", 0.00005, 2, "+0.01%"},
		{"more than doubled", 1.5, 2, "+150.00%"},
		{"not a number", math.NaN(), 2, "–"},
		{"infinite", math.Inf(1), 2, "–"},
	} {
		if got := chart.Percent(tc.fraction, tc.decimals); got != tc.want {
			t.Errorf("%s: Percent(%v, %d) = %q, want %q", tc.name, tc.fraction, tc.decimals, got, tc.want)
		}
	}
}

func TestCompactUnit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v      float64
		size   float64
		suffix string
	}{{0, 1, ""}, {999.99, 1, ""}, {1000, 1e3, "K"}, {845e6, 1e6, "M"}, {1.32e12, 1e12, "T"}, {5e15, 1e12, "T"}} {
		if size, suffix := chart.CompactUnit(tc.v); size != tc.size || suffix != tc.suffix {
			t.Errorf("CompactUnit(%v) = %v %q, want %v %q", tc.v, size, suffix, tc.size, tc.suffix)
		}
	}
}
