package chart

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/go-echarts/go-echarts/v2/opts"
)

func TestLinePoints_AsLineData(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.0 / 3, 123456.789, 5e-7, -5e-7, 1e-6, 1e-10, 1.5e-300,
		1e20, 1e21, 1.234e25, -2e22, math.MaxFloat64, math.SmallestNonzeroFloat64, 0.000001234, 99999999999.99}
	start := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	p := linePoints{}
	var want []opts.LineData
	for i, v := range values {
		at := start.Add(time.Duration(i) * 37 * time.Hour)
		p.times, p.values = append(p.times, at), append(p.values, v)
		want = append(want, opts.LineData{Value: []any{at.UnixMilli(), v}})
	}
	got, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(exp) {
		t.Errorf("linePoints wrote\n%s\nwant, as opts.LineData,\n%s", got, exp)
	}
	if got, _ := json.Marshal(linePoints{}); string(got) != "[]" {
		t.Errorf("no points wrote %s, want []", got)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := json.Marshal(linePoints{times: []time.Time{start}, values: []float64{bad}}); err == nil {
			t.Errorf("%v: no error; JSON cannot carry it", bad)
		}
	}
}
