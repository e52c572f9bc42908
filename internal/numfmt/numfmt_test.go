package numfmt_test

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/cryptodash/cryptodash/internal/numfmt"
)

// number reads a case's value: a JSON number, or a string for what JSON cannot hold ("NaN",
// "Infinity", "-0").
type number float64

func (n *number) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		f, err := strconv.ParseFloat(s, 64)
		*n = number(f)
		return err
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = number(f)
	return err
}

// cases is testdata/cases.json, which static/src/js/format.test.js also reads.
type cases struct {
	Symbols map[string]string `json:"symbols"`
	Percent []struct {
		Name     string `json:"name"`
		Value    number `json:"value"`
		Decimals int    `json:"decimals"`
		Expected string `json:"expected"`
	} `json:"percent"`
	Price, Compact []struct {
		Name     string `json:"name"`
		Currency string `json:"currency"`
		Value    number `json:"value"`
		Expected string `json:"expected"`
	}
	Axis []struct {
		Name     string    `json:"name"`
		Currency string    `json:"currency"`
		Max      float64   `json:"max"`
		Ticks    []float64 `json:"ticks"`
		Expected []string  `json:"expected"`
	} `json:"axis"`
	AxisPercent []struct {
		Name     string  `json:"name"`
		Value    float64 `json:"value"`
		Expected string  `json:"expected"`
	} `json:"axisPercent"`
}

func load(t *testing.T) cases {
	t.Helper()
	b, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var c cases
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Percent) == 0 || len(c.Price) == 0 || len(c.Compact) == 0 || len(c.Axis) == 0 || len(c.AxisPercent) == 0 {
		t.Fatal("testdata/cases.json lost a table")
	}
	return c
}

func TestCases(t *testing.T) {
	t.Parallel()
	c := load(t)
	for _, tc := range c.Percent {
		if got := numfmt.Percent(float64(tc.Value), tc.Decimals); got != tc.Expected {
			t.Errorf("percent %s: Percent(%v, %d) = %q, want %q", tc.Name, tc.Value, tc.Decimals, got, tc.Expected)
		}
	}
	for _, tc := range c.Price {
		if got := numfmt.Price(tc.Currency, c.Symbols, float64(tc.Value)); got != tc.Expected {
			t.Errorf("price %s: Price(%q, %v) = %q, want %q", tc.Name, tc.Currency, tc.Value, got, tc.Expected)
		}
	}
	for _, tc := range c.Compact {
		if got := numfmt.Compact(tc.Currency, c.Symbols, float64(tc.Value)); got != tc.Expected {
			t.Errorf("compact %s: Compact(%q, %v) = %q, want %q", tc.Name, tc.Currency, tc.Value, got, tc.Expected)
		}
	}
	for _, tc := range c.Axis {
		scale := numfmt.AxisScale(tc.Max)
		for i, v := range tc.Ticks {
			if got := numfmt.AxisLabel(v, scale, tc.Currency, c.Symbols); got != tc.Expected[i] {
				t.Errorf("axis %s: tick %v = %q, want %q", tc.Name, v, got, tc.Expected[i])
			}
		}
	}
	for _, tc := range c.AxisPercent {
		if got := numfmt.AxisPercent(tc.Value); got != tc.Expected {
			t.Errorf("axisPercent %s: AxisPercent(%v) = %q, want %q", tc.Name, tc.Value, got, tc.Expected)
		}
	}
}
