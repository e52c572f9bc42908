package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

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
			label := testids(r, "chart").AttrOr("aria-label", "")
			_, after, _ := strings.Cut(label, ": ")
			line, _, _ := strings.Cut(after, ". The table")
			labelChange := line[strings.LastIndex(line, " ")+1:]
			drawn := formatPct(lastDrawn(t, r))
			if card == "" || card != table || card != csvChange || card != labelChange || card != drawn {
				t.Errorf("card %q, chart label %q, chart's last point %q, table %q, csv %q: one series, one change", card, labelChange, drawn, table, csvChange)
			}
			// The closing note's table: go test -v -run TestDashboard_OneChangePerSeries ./internal/ui/
			t.Logf("| %s/%s | %s | card %s | chart label %s | chart point %s | table %s | CSV %s (%s) |", tc.coin, tc.cur, tc.rng,
				card, labelChange, drawn, table, recs[1][col], csvChange)
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

// lastDrawn is the value of the newest point of the dashboard chart's only line, in percent.
func lastDrawn(t *testing.T, r response) float64 {
	t.Helper()
	var c struct {
		Option struct {
			Series []struct {
				Data []struct {
					Value [2]float64 `json:"value"`
				} `json:"data"`
			} `json:"series"`
		} `json:"option"`
	}
	if err := json.Unmarshal([]byte(testids(r, "chart").AttrOr("data-options", "")), &c); err != nil || len(c.Option.Series) != 1 {
		t.Fatalf("chart options: %v, %d lines", err, len(c.Option.Series))
	}
	data := c.Option.Series[0].Data
	newest := data[0].Value
	for _, d := range data {
		if d.Value[0] > newest[0] {
			newest = d.Value
		}
	}
	return newest[1]
}

// formatPct writes a change in percent as pages do, for the values these tests meet (none
// rounds to zero).
func formatPct(v float64) string { return fmt.Sprintf("%+.2f%%", v) }

// TestDashboard_GapDayIsComplete stores a series whose history starts at 00:00 and misses one
// hour three days before the newest: that day is complete, says "23 of 24" in the dashboard's
// table, its CSV and the coin page's table, and only today is partial.
func TestDashboard_GapDayIsComplete(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 40)
	ctx := context.Background()
	if err := ts.store.UpsertCurrencies(ctx, []domain.Currency{{Code: "gbp", Name: "British Pound"}}); err != nil {
		t.Fatal(err)
	}
	gap := domain.UTCDay(latest).AddDate(0, 0, -3).Add(9 * time.Hour)
	var hours []domain.Sample
	for h := domain.UTCDay(latest).AddDate(0, 0, -6); !h.After(latest); h = h.Add(time.Hour) {
		if !h.Equal(gap) {
			hours = append(hours, domain.Sample{Time: h, Price: 50_000 + float64(h.Hour())})
		}
	}
	if _, err := ts.store.StoreHourly(ctx, domain.Series{CoinID: "bitcoin", CurrencyCode: "gbp"}, hours); err != nil {
		t.Fatal(err)
	}
	gapDay := domain.UTCDay(gap).Format(domain.DayLayout)

	q := "?coins=bitcoin&currencies=gbp&range=1w&sort=date&dir=desc"
	r := ts.get(t, "/"+q, false)
	notes := map[string]string{}
	testids(r, "row").Each(func(_ int, row *goquery.Selection) {
		day := strings.TrimSpace(strings.TrimSuffix(row.Find("td").First().Text(), row.Find(`[data-testid="cell-note"]`).Text()))
		notes[day] = row.Find(`[data-testid="cell-note"]`).Text()
	})
	today := domain.UTCDay(latest).Format(domain.DayLayout)
	if notes[gapDay] != "23 of 24 h" || !strings.HasPrefix(notes[today], "partial") {
		t.Errorf("table notes %v: want %s \"23 of 24 h\" and only today partial", notes, gapDay)
	}
	for day, note := range notes {
		if strings.HasPrefix(note, "partial") && day != today {
			t.Errorf("%s flagged %q", day, note)
		}
	}

	recs := readCSV(t, ts, "/dashboard.csv"+q)
	if got := strings.Join(recs[0], ","); got != "date,coin,currency,change_pct,filled,partial,hours" {
		t.Fatalf("csv header %s", got)
	}
	for _, rec := range recs[1:] {
		wantPartial, wantHours := rec[0] == today, "24"
		switch rec[0] {
		case gapDay:
			wantHours = "23"
		case today:
			wantHours = "15"
		}
		if rec[5] != strconv.FormatBool(wantPartial) || rec[6] != wantHours {
			t.Errorf("csv row %v: want partial %v and %s hours", rec, wantPartial, wantHours)
		}
	}

	coin := ts.get(t, "/coins/bitcoin?currency=gbp&range=1w", false)
	coin.doc.Find(`[data-testid="ohlc-row"]`).Each(func(_ int, row *goquery.Selection) {
		day := strings.TrimSpace(row.Find("th").Text())
		_, partial := row.Attr("data-partial")
		if partial != (day == today) {
			t.Errorf("coin page %s partial %v", day, partial)
		}
		if day == gapDay && !strings.Contains(row.Text(), "23 of 24") {
			t.Errorf("coin page %s does not say 23 of 24 hours: %q", day, strings.Join(strings.Fields(row.Text()), " "))
		}
	})
}
