package store_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/analytics"
	"github.com/cryptodash/cryptodash/internal/coingecko"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// TestStore_PartialDaysOfRecordedMonth stores a month of real CoinGecko hours (recorded on
// 2021-05-15 14:40 UTC, through the client and the pipeline's bucketing) and reads its days:
// CoinGecko skips some hours, so days inside the month hold 23 hours, and those are complete.
// Only the day the history starts in (15:00 onwards) and the recording's today are partial.
func TestStore_PartialDaysOfRecordedMonth(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("../coingecko/testdata/recorded/market_chart_bitcoin_usd_30d_hourly_2021-05-15.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	client, err := coingecko.New(coingecko.Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2021, 5, 15, 14, 40, 0, 0, time.UTC)
	asked := domain.Range{Start: now.AddDate(0, 0, -30), End: now.Add(time.Hour)}
	samples, err := client.MarketChartRange(ctx, "bitcoin", "usd", asked.Start, now)
	if err != nil {
		t.Fatal(err)
	}
	hours, _ := domain.BucketHourly(samples, domain.Window{Asked: asked, Own: asked})
	st, _ := seeded(t)
	if _, err := st.StoreHourly(ctx, btcUSD, hours); err != nil {
		t.Fatal(err)
	}

	rows, err := st.Prices(ctx, domain.PriceQuery{CoinIDs: []string{"bitcoin"}, CurrencyCodes: []string{"usd"},
		Range: asked, Breakdown: domain.AllDimensions, Granularity: domain.Daily, Today: now})
	if err != nil {
		t.Fatal(err)
	}
	var partial, short []string
	for _, r := range rows {
		day := r.Time.Format(domain.DayLayout)
		if r.Partial {
			partial = append(partial, day)
		}
		if r.Hours < 24 && !r.Partial {
			short = append(short, day)
		}
	}
	t.Logf("%d days: %d partial %v; %d complete days missing hours %v", len(rows), len(partial), partial, len(short), short)
	if len(rows) != 31 || len(partial) != 2 || partial[0] != "2021-04-15" || partial[1] != "2021-05-15" {
		t.Errorf("%d days, partial %v: want 31 days, the first (cut by the history's start) and today partial", len(rows), partial)
	}
	if len(short) != 2 {
		t.Errorf("complete days missing hours %v, want the 2 the recording leaves gaps in", short)
	}

	candles, err := st.DailyOHLC(ctx, btcUSD, asked, now)
	if err != nil {
		t.Fatal(err)
	}
	// The SQL flags a day with the rule analytics.DayPartial states, and the Go days built
	// from the same hours (what a BTC-quoted coin page draws) agree with it.
	built := domain.CandlesFromHours(hours, now, hours[0].Time)
	if len(built) != len(candles) {
		t.Fatalf("%d days built from the hours, %d stored", len(built), len(candles))
	}
	for i, c := range candles {
		if want := analytics.DayPartial(c.Day, now, hours[0].Time); c.Partial != want {
			t.Errorf("%s: the store says partial %v, analytics.DayPartial %v", c.Day.Format(domain.DayLayout), c.Partial, want)
		}
		if b := built[i]; b != c {
			t.Errorf("%s: built from hours %+v, stored %+v", c.Day.Format(domain.DayLayout), b, c)
		}
		if c.Partial != rows[i].Partial || c.Samples != rows[i].Hours {
			t.Errorf("%s: candle partial %v with %d hours, price row %v with %d: one rule for both", c.Day.Format(domain.DayLayout),
				c.Partial, c.Samples, rows[i].Partial, rows[i].Hours)
		}
	}
}
