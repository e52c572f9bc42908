package domain_test

import (
	"encoding/json"
	"math"
	"strings"
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

// always is a window that keeps every sample of these tests in time.
var always = domain.Window{
	Asked: domain.Range{Start: at("2000-01-01T00:00:00Z"), End: at("2100-01-01T00:00:00Z")},
	Own:   domain.Range{Start: at("2000-01-01T00:00:00Z"), End: at("2100-01-01T00:00:00Z")},
}

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
		{Time: at("2021-05-15T18:10:00Z"), Price: 1e200},
		{Time: at("2021-05-15T18:20:00Z"), Price: domain.MaxPrice * 1.0001},
		{Time: at("2021-05-15T19:00:00Z"), Price: 7},
		{Time: at("2021-05-15T20:00:00Z"), Price: domain.MaxPrice},
	}
	got, dropped := domain.BucketHourly(in, always)
	if dropped != (domain.Drops{Price: 6}) {
		t.Errorf("dropped %+v, want the 6 invalid prices", dropped)
	}
	want := []struct {
		hour  string
		price float64
	}{
		{"2021-05-15T15:00:00Z", 2},
		{"2021-05-15T16:00:00Z", 3},
		{"2021-05-15T19:00:00Z", 7},
		{"2021-05-15T20:00:00Z", domain.MaxPrice},
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

func TestBucketHourly_Window(t *testing.T) {
	from := at("2026-01-01T00:00:00Z")
	// A closed window of two hours whose request ended at its end.
	w := domain.Window{
		Asked: domain.Range{Start: from, End: from.Add(3 * time.Hour)},
		Own:   domain.Range{Start: from, End: from.Add(2 * time.Hour)},
	}
	cases := []struct {
		name    string
		samples []domain.Sample
		hours   int
		dropped domain.Drops
		cause   string
	}{
		{"inside", []domain.Sample{{Time: from.Add(time.Minute), Price: 1}}, 1, domain.Drops{}, ""},
		{"the neighbour's point is neither kept nor counted",
			[]domain.Sample{{Time: from.Add(2 * time.Hour), Price: 1}, {Time: from.Add(150 * time.Minute), Price: 1}},
			0, domain.Drops{}, "the source sent no samples"},
		{"a month ahead", []domain.Sample{{Time: from.AddDate(0, 1, 0), Price: 1}}, 0, domain.Drops{Late: 1},
			"every timestamp is more than an hour after the window asked for"},
		{"before the window", []domain.Sample{{Time: from.Add(-time.Millisecond), Price: 1}}, 0, domain.Drops{Early: 1},
			"every timestamp is before the window asked for"},
		{"seconds, not milliseconds", []domain.Sample{
			{Time: time.UnixMilli(from.Add(time.Hour).Unix()), Price: 1},
			{Time: time.UnixMilli(from.Add(90 * time.Minute).Unix()), Price: 1},
		}, 0, domain.Drops{Early: 2, Seconds: 2}, "timestamps look like seconds, not milliseconds"},
		{"no time", []domain.Sample{{Price: 1}}, 0, domain.Drops{Time: 1}, "every timestamp is missing or unreadable"},
		{"no price", []domain.Sample{{Time: from, Price: math.NaN()}, {Time: from, Price: 1e200}}, 0, domain.Drops{Price: 2},
			"every price is missing, not positive or above 1e+15"},
		{"a mixture", []domain.Sample{{Time: from, Price: -1}, {Time: from.AddDate(1, 0, 0), Price: 1}}, 0,
			domain.Drops{Price: 1, Late: 1}, "0 before the window, 1 after it, 0 without a readable time, 1 with an unusable price"},
		{"one bad sample among good ones", []domain.Sample{{Time: from, Price: 1e200}, {Time: from.Add(time.Hour), Price: 2}}, 1,
			domain.Drops{Price: 1}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hours, dropped := domain.BucketHourly(tc.samples, w)
			if len(hours) != tc.hours || dropped != tc.dropped {
				t.Fatalf("kept %d hours and dropped %+v, want %d and %+v", len(hours), dropped, tc.hours, tc.dropped)
			}
			if tc.cause != "" && !strings.HasPrefix(dropped.Cause(), tc.cause) {
				t.Errorf("cause %q, want %q", dropped.Cause(), tc.cause)
			}
		})
	}
}

func TestSeries_Text(t *testing.T) {
	s := domain.Series{CoinID: "avalanche-2", CurrencyCode: "usd"}
	b, err := json.Marshal(map[domain.Series]int{s: 3})
	if err != nil || string(b) != `{"avalanche-2/usd":3}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var back map[domain.Series]int
	if err := json.Unmarshal(b, &back); err != nil || back[s] != 3 {
		t.Fatalf("unmarshal = %v, %v", back, err)
	}
	for _, bad := range []string{`{"bitcoin":1}`, `{"/usd":1}`, `{"bitcoin/":1}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}
