package jsonnum_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/cryptodash/cryptodash/internal/jsonnum"
)

func TestAppendFloat_AsEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99e-7, 5e-7, -5e-7, 1e-10, 1.5e-300,
		1e20, 1e21, -1e21, 123456789.123456789, 62499.78680774768, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jsonnum.AppendFloat(nil, f)
		if err != nil || string(got) != string(want) {
			t.Errorf("%v: %q (%v), encoding/json %q", f, got, err, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got, err := jsonnum.AppendFloat(nil, f); err == nil {
			t.Errorf("%v: %q, want an error as encoding/json gives", f, got)
		}
	}
}
