package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// TestCoinPage_ReturnsAndHistory checks the returns strip and the stored history's extremes
// against the stored hours themselves.
func TestCoinPage_ReturnsAndHistory(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 40)
	series := domain.Series{CoinID: "ethereum", CurrencyCode: "try"}
	hours, err := ts.store.HourlyPrices(context.Background(), series, domain.Range{Start: latest.AddDate(-2, 0, 0), End: latest.Add(time.Hour)})
	if err != nil || len(hours) != 40*24 {
		t.Fatalf("%d hours, %v", len(hours), err)
	}
	price := map[time.Time]float64{}
	high, low := hours[0], hours[0]
	for _, h := range hours {
		price[h.Time] = h.Price
		if h.Price > high.Price {
			high = h
		}
		if h.Price < low.Price {
			low = h
		}
	}
	last := price[latest]
	r := ts.get(t, "/coins/ethereum?currency=try", false)
	for _, tc := range []struct {
		id   string
		back time.Duration
	}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}} {
		if got, want := statValue(t, r, "return-"+tc.id), last/price[latest.Add(-tc.back)]-1; !testkit.Near(got, want) {
			t.Errorf("%s return %v, want %v", tc.id, got, want)
		}
	}
	for _, id := range []string{"90d", "1y"} {
		if got := statText(r, "return-"+id); got != "—" {
			t.Errorf("%s return reads %q on 40 days of history", id, got)
		}
	}
	if got := statValue(t, r, "history-high"); got != high.Price {
		t.Errorf("history high %v, want %v", got, high.Price)
	}
	if got := statValue(t, r, "history-low"); got != low.Price {
		t.Errorf("history low %v, want %v", got, low.Price)
	}
	help := testids(r, "stat-history-high").Find(`[data-testid="stat-help"]`).Text()
	if !strings.Contains(help, high.Time.Format("2006-01-02 15:04")) {
		t.Errorf("history high help %q does not date it (%s)", help, high.Time)
	}
}

// TestCoinPage_DaysCSV downloads the days the coin page shows, with their hours, partial
// flags, volume and market cap, and the link to it from the page.
func TestCoinPage_DaysCSV(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 40)
	page := ts.get(t, "/coins/ethereum?currency=try&range=1m", false)
	link := testids(page, "coin-csv").AttrOr("href", "")
	if link != "/coins/ethereum/days.csv?currency=try&range=1m" {
		t.Fatalf("csv link %q", link)
	}
	recs := readCSV(t, ts, link)
	if got := strings.Join(recs[0], ","); got != "date,open,high,low,close,hours,partial,total_volume,market_cap" {
		t.Fatalf("header %s", got)
	}
	candles, err := ts.store.DailyOHLC(context.Background(), domain.Series{CoinID: "ethereum", CurrencyCode: "try"},
		domain.Days(domain.UTCDay(latest).AddDate(0, 0, -29), domain.UTCDay(latest)), latest)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != len(candles) {
		t.Fatalf("%d rows, want the range's %d days", len(recs)-1, len(candles))
	}
	for i, c := range candles {
		rec := recs[i+1]
		if rec[0] != c.Day.Format(domain.DayLayout) || parseFloat(t, rec[1]) != c.Open || parseFloat(t, rec[4]) != c.Close ||
			rec[6] != map[bool]string{true: "true", false: "false"}[c.Partial] {
			t.Errorf("row %v, want %+v", rec, c)
		}
	}
	if last := recs[len(recs)-1]; last[5] != "15" || last[6] != "true" {
		t.Errorf("today's row %v: want 15 hours, partial", last)
	}
	if bad := ts.get(t, "/coins/ethereum/days.csv?currency=xyz", false); bad.status != 400 {
		t.Errorf("bad currency: status %d", bad.status)
	}
}

// TestCoinPage_MarketData shows the rank and supply stored with the coin's details, and the
// fully diluted value they give at the newest stored price.
func TestCoinPage_MarketData(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 40)
	rank, supply, total := 2, 120e6, 121e6
	if err := ts.store.UpsertMetadata(context.Background(), domain.Metadata{CoinID: "ethereum",
		Market: domain.MarketData{Rank: &rank, CirculatingSupply: &supply, TotalSupply: &total}}); err != nil {
		t.Fatal(err)
	}
	r := ts.get(t, "/coins/ethereum?currency=usd", false)
	if got := statText(r, "rank"); got != "#2" {
		t.Errorf("rank %q", got)
	}
	if got := statText(r, "circulating"); got != "120M ETH" {
		t.Errorf("circulating supply %q", got)
	}
	if got := statText(r, "max-supply"); got != "—" {
		t.Errorf("max supply %q, want none", got)
	}
	if got, want := statValue(t, r, "fdv"), statValue(t, r, "last")*total; !testkit.Near(got, want) {
		t.Errorf("fully diluted value %v, want the last price × the total supply, %v", got, want)
	}
}
