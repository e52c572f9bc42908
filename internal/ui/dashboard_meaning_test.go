package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// TestDashboard_OneChangePerSeries reads one series' change where the dashboard states it:
// the card, the table's newest row and the CSV, and for hourly views the coin page the card
// links to. The seeded prices swing within each day, so a card measuring from the first
// day's open rather than its average would differ.
func TestDashboard_OneChangePerSeries(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 40)
	// One series runs two hours later than the others, as a run that stops part way leaves
	// them: the 24 hours of every series then end at that newest hour, on both pages.
	ahead := []domain.Sample{{Time: latest.Add(time.Hour), Price: 150}, {Time: latest.Add(2 * time.Hour), Price: 151}}
	if _, err := ts.store.StoreHourly(context.Background(), domain.Series{CoinID: "solana", CurrencyCode: "eur"}, ahead); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ coin, cur, rng string }{
		{"bitcoin", "usd", "1d"}, {"dogecoin", "try", "1w"}, {"ethereum", "eur", "1m"},
	} {
		t.Run(tc.coin+"/"+tc.cur+" "+tc.rng, func(t *testing.T) {
			q := "?coins=" + tc.coin + "&currencies=" + tc.cur + "&range=" + tc.rng + "&sort=date&dir=desc"
			r := ts.get(t, "/"+q, false)
			card := strings.Trim(strings.TrimSpace(testids(r, "card-change").Text()), "▲▼ ")
			table := strings.TrimSpace(testids(r, "row").First().Find("td").Last().Text())
			recs := readCSV(t, ts, "/dashboard.csv"+q)
			col := -1
			for i, name := range recs[0] {
				if name == "change_pct" {
					col = i
				}
			}
			if col < 0 || len(recs) < 2 {
				t.Fatalf("csv %v has no change_pct rows", recs[0])
			}
			csvChange := formatPct(parseFloat(t, recs[1][col]))
			if card == "" || card != table || card != csvChange {
				t.Errorf("card %q, table %q, csv %q: one series, one change", card, table, csvChange)
			}
			basis := testids(r, "card-basis").Text()
			if daily := tc.rng != "1d"; daily != strings.Contains(basis, "daily avg.") {
				t.Errorf("card basis %q on a %s view", basis, tc.rng)
			}
			if tc.rng == "1d" {
				coin := ts.get(t, "/coins/"+tc.coin+"?currency="+tc.cur+"&range=1d", false)
				if got := statText(coin, "change"); !strings.Contains(got, "("+card+")") {
					t.Errorf("coin page change %q, card %q: the card's link shows other hours", got, card)
				}
			}
		})
	}
}

// formatPct writes a change in percent as pages do, for the values these tests meet (none
// rounds to zero).
func formatPct(v float64) string { return fmt.Sprintf("%+.2f%%", v) }
