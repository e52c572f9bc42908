package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// With a thousand coins the store lists maxFreshnessRows of them, the coins with a stale or
// empty series among them; the table shows those first, then the rest in the coins' order,
// and its summary counts every series.
func TestFreshnessTable_ListsTheCoinsNeedingAttentionFirst(t *testing.T) {
	now := time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)
	var coins []domain.Coin
	report := domain.FreshnessReport{Coins: 1000, Series: 1000, Stale: 1, Missing: 1}
	for i := range 1000 {
		c := domain.Coin{ID: fmt.Sprintf("coin-%04d", i), Symbol: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Coin %d", i)}
		coins = append(coins, c)
		f := domain.SeriesFreshness{Series: domain.Series{CoinID: c.ID, CurrencyCode: "usd"}, FirstHour: now.AddDate(0, 0, -30), LastHour: now.Add(-time.Hour), Hours: 720}
		switch {
		case i == 500:
			f.LastHour = now.AddDate(0, 0, -3)
		case i == 900:
			f.FirstHour, f.LastHour, f.Hours = time.Time{}, time.Time{}, 0
		case i >= maxFreshnessRows-2:
			continue
		}
		report.Listed = append(report.Listed, f)
	}
	rows, currencies, summary := freshnessTable(coins, []domain.Currency{{Code: "usd"}}, report, now)
	if len(rows) != maxFreshnessRows {
		t.Fatalf("%d rows, want %d", len(rows), maxFreshnessRows)
	}
	if rows[0].CoinID != "coin-0500" || rows[1].CoinID != "coin-0900" || rows[2].CoinID != "coin-0000" || rows[2].Stale {
		t.Errorf("first rows %s %s %s, want the stale coin, the empty one, then the rest in order", rows[0].CoinID, rows[1].CoinID, rows[2].CoinID)
	}
	if len(currencies) != 1 || currencies[0] != "USD" {
		t.Errorf("currencies %q, want [USD]", currencies)
	}
	for _, want := range []string{"1000 series", "998 fresh", "1 stale", "1 without data", "100 of 1000 coins"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary %q does not say %q", summary, want)
		}
	}
}
