package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// priceRowJSON and pricesJSON are the answer's shape as encoding/json wrote it before rows
// were appended by hand: the reference the appender must match byte for byte.
type priceRowJSON struct {
	Coin     string   `json:"coin,omitempty"`
	Currency string   `json:"currency,omitempty"`
	Date     string   `json:"date,omitempty"`
	Price    float64  `json:"price"`
	Change   *float64 `json:"change,omitempty"`
	Partial  *bool    `json:"partial,omitempty"`
	Hours    *int     `json:"hours,omitempty"`
	Filled   *bool    `json:"filled,omitempty"`
}

type pricesJSON struct {
	Data []priceRowJSON `json:"data"`
	Meta pricesMeta     `json:"meta"`
}

func referenceRow(req pricesRequest, r domain.PriceRow) priceRowJSON {
	q := req.query
	out := priceRowJSON{Price: r.Price}
	if req.change {
		pct := r.Change * 100
		out.Change, out.Filled = &pct, &r.Filled
	}
	if q.Granularity == domain.Daily && q.Breakdown.Date {
		out.Partial, out.Hours = &r.Partial, &r.Hours
	}
	if q.Breakdown.Coin {
		out.Coin = r.CoinID
	}
	if q.Breakdown.Currency {
		out.Currency = strings.ToUpper(r.CurrencyCode)
	}
	if q.Breakdown.Date {
		out.Date = domain.FormatRowTime(r.Time, q.Granularity)
	}
	return out
}

// The rows of an answer, written by hand, are the bytes encoding/json wrote: every float a
// price or a change can be (tiny, huge, negative, integral, the shortest round trip), every
// breakdown, both granularities and modes, and ids that need escaping.
func TestPricesJSON_SameBytesAsEncodingJSON(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	prices := []float64{0, 1, -1, 0.1, 1.0 / 3, 67123.456789, 2.5e-7, 1e-6, 9.99e-7, -3e-9, 1e21, 1e20,
		123456789012345678, 5e-324, 1.7e306, 0.000123, 42.00000000001}
	var rows []domain.PriceRow
	for i, p := range prices {
		rows = append(rows, domain.PriceRow{
			Time: day.Add(time.Duration(i) * time.Hour), CoinID: []string{"bitcoin", "avalanche-2", "a<b>&\"c\\", "bad\xffutf8\u2028"}[i%4],
			CurrencyCode: []string{"usd", "try", "eur"}[i%3], Price: p, Change: p / 7,
			Hours: i % 25, Partial: i%2 == 0, Filled: i%3 == 0,
		})
	}
	// Years of other than four digits, which the date is not written digit by digit for.
	rows[1].Time = time.Date(999, 12, 31, 23, 0, 0, 0, time.UTC)
	rows[2].Time = time.Date(10000, 1, 1, 7, 0, 0, 0, time.UTC)
	meta := pricesMeta{Count: len(rows), Granularity: "daily", DateFrom: "2026-03-09", DateTo: "2026-03-10",
		Breakdown: []string{"date", "coin"}, Mode: "pct",
		Filters: pricesFilters{CoinIDs: []string{"bitcoin"}, CurrencyCodes: []string{}},
		Ignored: pricesFilters{CoinIDs: []string{"x<y>"}, CurrencyCodes: []string{}}}
	for _, g := range []domain.Granularity{domain.Daily, domain.Hourly} {
		for _, change := range []bool{false, true} {
			for mask := range 8 {
				b := domain.Breakdown{Date: mask&1 != 0, Coin: mask&2 != 0, Currency: mask&4 != 0}
				req := pricesRequest{query: domain.PriceQuery{Granularity: g, Breakdown: b}, change: change}
				t.Run(fmt.Sprintf("%s change=%t %+v", g, change, b), func(t *testing.T) {
					t.Parallel()
					for _, n := range []int{0, 1, len(rows)} {
						ref := make([]priceRowJSON, n)
						for i, r := range rows[:n] {
							ref[i] = referenceRow(req, r)
						}
						want, err := json.Marshal(envelope{Success: true, Data: pricesJSON{Data: ref, Meta: meta}})
						if err != nil {
							t.Fatal(err)
						}
						var got bytes.Buffer
						if err := writePricesJSON(&got, req, rows[:n], meta); err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got.Bytes(), want) {
							t.Errorf("%d rows:\n got %s\nwant %s", n, got.Bytes(), want)
						}
					}
				})
			}
		}
	}
}

// A row of many thousands written in chunks is still the whole answer.
func TestPricesJSON_LongAnswerWhole(t *testing.T) {
	t.Parallel()
	req := pricesRequest{query: domain.PriceQuery{Granularity: domain.Daily, Breakdown: domain.AllDimensions}}
	rows := make([]domain.PriceRow, 3000)
	ref := make([]priceRowJSON, len(rows))
	for i := range rows {
		rows[i] = domain.PriceRow{Time: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i),
			CoinID: "bitcoin", CurrencyCode: "usd", Price: float64(i) * 1.37, Hours: 24}
		ref[i] = referenceRow(req, rows[i])
	}
	meta := pricesMeta{Breakdown: []string{}, Filters: pricesFilters{CoinIDs: []string{}, CurrencyCodes: []string{}},
		Ignored: pricesFilters{CoinIDs: []string{}, CurrencyCodes: []string{}}}
	want, err := json.Marshal(envelope{Success: true, Data: pricesJSON{Data: ref, Meta: meta}})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := writePricesJSON(&got, req, rows, meta); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%d bytes, want the %d encoding/json wrote", got.Len(), len(want))
	}
}

// JSON cannot say NaN or an infinity; the answer fails as encoding/json's did.
func TestPricesJSON_RefusesNaN(t *testing.T) {
	t.Parallel()
	req := pricesRequest{query: domain.PriceQuery{Granularity: domain.Daily, Breakdown: domain.Breakdown{Date: true}}}
	for _, p := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if err := writePricesJSON(&bytes.Buffer{}, req, []domain.PriceRow{{Price: p}}, pricesMeta{}); err == nil {
			t.Errorf("price %v written", p)
		}
	}
}
