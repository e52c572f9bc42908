package domain_test

import (
	"math"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// always is a range that keeps every sample of these tests.
var always = domain.Range{Start: at("2000-01-01T00:00:00Z"), End: at("2100-01-01T00:00:00Z")}

func TestBucketHourly(t *testing.T) {
	mc := 5.0
	in := []domain.Sample{
		{Time: at("2021-05-15T16:34:51Z"), Price: 3},
		{Time: at("2021-05-15T15:04:13Z"), Price: 1, MarketCap: &mc},
		{Time: at("2021-05-15T15:59:59Z"), Price: 2},
		{Time: at("2021-05-15T16:10:00Z"), Price: math.NaN()},
		{Time: at("2021-05-15T17:00:00Z"), Price: 0},
		{Time: at("2021-05-15T17:30:00Z"), Price: -4},
		{Time: at("2021-05-15T18:00:00Z"), Price: math.Inf(1)},
		{Time: at("2021-05-15T19:00:00Z"), Price: 7},
	}
	got, dropped := domain.BucketHourly(in, always)
	if dropped != 4 {
		t.Errorf("dropped %d samples, want the 4 invalid prices", dropped)
	}
	want := []struct {
		hour  string
		price float64
	}{
		{"2021-05-15T15:00:00Z", 2},
		{"2021-05-15T16:00:00Z", 3},
		{"2021-05-15T19:00:00Z", 7},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d hours %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if !got[i].Time.Equal(at(w.hour)) || got[i].Price != w.price {
			t.Errorf("hour %d = %s %v, want %s %v", i, got[i].Time, got[i].Price, w.hour, w.price)
		}
	}
	t.Run("the latest sample of an hour wins even when it comes first", func(t *testing.T) {
		got, _ := domain.BucketHourly([]domain.Sample{
			{Time: at("2021-05-15T10:50:00Z"), Price: 9},
			{Time: at("2021-05-15T10:05:00Z"), Price: 1},
		}, always)
		if len(got) != 1 || got[0].Price != 9 {
			t.Errorf("got %+v, want the 10:50 price", got)
		}
	})
	t.Run("hours are UTC whatever the input zone", func(t *testing.T) {
		ist := time.FixedZone("IST", 5*3600+1800)
		got, _ := domain.BucketHourly([]domain.Sample{{Time: time.Date(2021, 5, 15, 10, 45, 0, 0, ist), Price: 1}}, always)
		if !got[0].Time.Equal(at("2021-05-15T05:00:00Z")) || got[0].Time.Location() != time.UTC {
			t.Errorf("got %s", got[0].Time)
		}
	})
}

func TestValidCoinIDAndCurrencyCode(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{{"bitcoin", true}, {"avalanche-2", true}, {"0x", true}, {"-btc", false}, {"bit coin", false}, {"Bitcoin", false}, {"btc$", false}, {"", false}} {
		if got := domain.ValidCoinID(tc.id); got != tc.want {
			t.Errorf("ValidCoinID(%q) = %t", tc.id, got)
		}
	}
	for _, tc := range []struct {
		code string
		want bool
	}{{"usd", true}, {"sats", true}, {"us", false}, {"dollar", false}, {"u5d", false}, {"USD", false}} {
		if got := domain.ValidCurrencyCode(tc.code); got != tc.want {
			t.Errorf("ValidCurrencyCode(%q) = %t", tc.code, got)
		}
	}
}
