package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// seedCardano stores cardano in USD only, on a curve of its own (so its price in BTC moves),
// over the seeded hours but without hourMissing: a gap the BTC price must keep.
func seedCardano(t *testing.T, ts *testServer, days int, missing time.Time) map[time.Time]float64 {
	t.Helper()
	ctx := context.Background()
	if err := ts.store.UpsertCoins(ctx, []domain.Coin{{ID: "cardano", Symbol: "ada", Name: "Cardano"}}); err != nil {
		t.Fatal(err)
	}
	prices := map[time.Time]float64{}
	var hours []domain.Sample
	start := latest.Add(-time.Duration(days*24-1) * time.Hour)
	for t, i := start, 0; !t.After(latest); t, i = t.Add(time.Hour), i+1 {
		if t.Equal(missing) {
			continue
		}
		cap := 1e9 * (1 + 0.002*float64(i))
		h := domain.Sample{Time: t, Price: 0.5 * (1 + 0.002*float64(i)), MarketCap: &cap}
		prices[t] = h.Price
		hours = append(hours, h)
	}
	if _, err := ts.store.StoreHourly(ctx, domain.Series{CoinID: "cardano", CurrencyCode: "usd"}, hours); err != nil {
		t.Fatal(err)
	}
	return prices
}

// TestCoinPage_PricedInBTC checks the coin priced in bitcoin against the stored USD hours:
// hour by hour, a missing hour a gap, days, returns and the CSV built from those hours.
func TestCoinPage_PricedInBTC(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 40)
	missing := latest.Add(-5 * time.Hour)
	ada := seedCardano(t, ts, 40, missing)
	btcHours, err := ts.store.HourlyPrices(context.Background(), domain.Series{CoinID: "bitcoin", CurrencyCode: "usd"},
		domain.Range{Start: latest.AddDate(0, 0, -41), End: latest.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	btc := map[time.Time]float64{}
	for _, h := range btcHours {
		btc[h.Time] = h.Price
	}
	inBTC := func(t time.Time) float64 { return ada[t] / btc[t] }

	t.Run("1D is the hours, divided hour by hour, with the gap kept", func(t *testing.T) {
		r := ts.getBoth(t, "/coins/cardano?currency=btc&range=1d")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		if got := statValue(t, r, "last"); !testkit.Near(got, inBTC(latest)) {
			t.Errorf("last %v, want %v", got, inBTC(latest))
		}
		first := latest.Add(-23 * time.Hour)
		if got, want := statValue(t, r, "change"), inBTC(latest)/inBTC(first)-1; !testkit.Near(got, want) {
			t.Errorf("change %v, want %v", got, want)
		}
		if n := testids(r, "ohlc-row").Length(); n != 23 {
			t.Errorf("%d hourly rows, want 23: the hour cardano misses has no BTC price", n)
		}
		if text := statText(r, "last"); !strings.HasPrefix(text, "BTC 0.0000") {
			t.Errorf("last price reads %q, want BTC with its decimals", text)
		}
		if note := testids(r, "partial-note").First().Text(); !strings.Contains(note, "divided by Bitcoin's USD price of the same hour") {
			t.Errorf("the page does not say how the BTC price is made: %q", note)
		}
		if got := testids(r, "coin-currency-btc").AttrOr("aria-current", ""); got != "true" {
			t.Errorf("BTC is not the current currency choice")
		}
	})

	t.Run("days, returns and the CSV come from the quoted hours", func(t *testing.T) {
		r := ts.getBoth(t, "/coins/cardano?currency=btc&range=1m")
		if got, want := statValue(t, r, "return-7d"), inBTC(latest)/inBTC(latest.Add(-7*24*time.Hour))-1; !testkit.Near(got, want) {
			t.Errorf("7d return %v, want %v", got, want)
		}
		link := testids(r, "coin-csv").AttrOr("href", "")
		if link != "/coins/cardano/days.csv?currency=btc&range=1m" {
			t.Fatalf("csv link %q", link)
		}
		recs := readCSV(t, ts, link)
		today := domain.UTCDay(latest)
		for _, rec := range recs[1:] {
			day, err := domain.ParseDay(rec[0])
			if err != nil {
				t.Fatal(err)
			}
			last := day.Add(23 * time.Hour)
			if day.Equal(today) {
				last = latest
			}
			closing, _ := strconv.ParseFloat(rec[4], 64)
			if !testkit.Near(closing, inBTC(last)) {
				t.Errorf("%s closes at %v in BTC, want %v", rec[0], closing, inBTC(last))
			}
			wantHours, wantPartial := "24", "false"
			if day.Equal(today) {
				wantHours, wantPartial = strconv.Itoa(latest.Hour()), "true"
			}
			if day.Equal(today) && domain.UTCDay(missing).Equal(today) {
				wantHours = strconv.Itoa(latest.Hour())
			}
			if !day.Equal(today) && domain.UTCDay(missing).Equal(day) {
				wantHours = "23"
			}
			if rec[5] != wantHours || rec[6] != wantPartial {
				t.Errorf("%s: %s hours, partial %s; want %s, %s", rec[0], rec[5], rec[6], wantHours, wantPartial)
			}
		}
	})

	t.Run("bitcoin in BTC is offered disabled, and asked for says why", func(t *testing.T) {
		r := ts.get(t, "/coins/bitcoin?currency=btc", false)
		if r.status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", r.status)
		}
		if msg := testids(r, "coin-error-currency").Text(); !strings.Contains(msg, "always 1") {
			t.Errorf("message %q", msg)
		}
		btcLink := testids(r, "coin-currency-btc")
		if btcLink.AttrOr("aria-disabled", "") != "true" || btcLink.AttrOr("href", "none") != "none" {
			t.Errorf("bitcoin's BTC choice is a link")
		}
		if testids(r, "coin-currency-eth").AttrOr("href", "") != "/coins/bitcoin?currency=eth" {
			t.Errorf("bitcoin's ETH choice is missing")
		}
	})
}

// TestCoinPage_ScaleCustomAndZoom checks the coin page's log scale, custom days and zoom.
func TestCoinPage_ScaleCustomAndZoom(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 40)

	t.Run("log scale", func(t *testing.T) {
		r := ts.getBoth(t, "/coins/ethereum?scale=log")
		var c struct {
			Option struct {
				YAxis []struct {
					Type string `json:"type"`
				} `json:"yAxis"`
			} `json:"option"`
		}
		if err := json.Unmarshal([]byte(testids(r, "coin-chart").AttrOr("data-options", "")), &c); err != nil {
			t.Fatal(err)
		}
		if len(c.Option.YAxis) != 3 || c.Option.YAxis[0].Type != "log" || c.Option.YAxis[1].Type != "value" {
			t.Errorf("y axes %+v: want the price on a log axis, volume linear", c.Option.YAxis)
		}
		if testids(r, "coin-scale-log").AttrOr("aria-current", "") != "true" {
			t.Error("Log is not marked current")
		}
		if got := testids(r, "coin-range-1y").AttrOr("href", ""); got != "/coins/ethereum?range=1y&scale=log" {
			t.Errorf("a range link drops the scale: %s", got)
		}
	})

	t.Run("custom days", func(t *testing.T) {
		from, to := domain.UTCDay(latest).AddDate(0, 0, -9), domain.UTCDay(latest).AddDate(0, 0, -3)
		target := "/coins/ethereum?currency=try&range=custom&from=" + from.Format(domain.DayLayout) + "&to=" + to.Format(domain.DayLayout)
		r := ts.getBoth(t, target)
		if r.status != http.StatusOK || testids(r, "ohlc-row").Length() != 7 {
			t.Fatalf("status %d, %d rows; want the 7 days", r.status, testids(r, "ohlc-row").Length())
		}
		if got := testids(r, "coin-csv").AttrOr("href", ""); !strings.Contains(got, "range=custom") {
			t.Errorf("the CSV of a custom range is %s", got)
		}
		if got := testids(r, "coin-from").AttrOr("value", ""); got != from.Format(domain.DayLayout) {
			t.Errorf("the form shows %s", got)
		}
		bad := ts.get(t, "/coins/ethereum?range=custom&from=2026-03-09&to=2026-03-01", false)
		if bad.status != http.StatusBadRequest || !strings.Contains(testids(bad, "coin-error-range").Text(), "after the end date") {
			t.Errorf("reversed dates: status %d, %q", bad.status, testids(bad, "coin-error-range").Text())
		}
	})

	t.Run("zoom opens on its span and survives nothing else", func(t *testing.T) {
		first := domain.UTCDay(latest.Add(-(40*24 - 1) * time.Hour)) // the first stored day, band 0
		r := ts.getBoth(t, "/coins/ethereum?range=3m&zoom="+first.AddDate(0, 0, 10).Format(domain.DayLayout)+".."+first.AddDate(0, 0, 20).Format(domain.DayLayout))
		el := testids(r, "coin-chart")
		if el.AttrOr("data-zoom-start", "") != "10" || el.AttrOr("data-zoom-end", "") != "20" {
			t.Errorf("zoom bands %s..%s, want 10..20", el.AttrOr("data-zoom-start", ""), el.AttrOr("data-zoom-end", ""))
		}
		if got := testids(r, "coin-range-1m").AttrOr("href", ""); strings.Contains(got, "zoom") {
			t.Errorf("a range link keeps the zoom: %s", got)
		}
		hourly := ts.getBoth(t, "/coins/ethereum?range=1d&zoom="+latest.Add(-3*time.Hour).Format("2006-01-02T15:04")+".."+latest.Format("2006-01-02T15:04"))
		if el := testids(hourly, "coin-chart"); el.AttrOr("data-zoom-start", "") != "20" || el.AttrOr("data-zoom-end", "") != "23" {
			t.Errorf("hourly zoom %s..%s, want 20..23", el.AttrOr("data-zoom-start", ""), el.AttrOr("data-zoom-end", ""))
		}
		if !strings.Contains(testids(r, "zoom-help").Text(), "trackpad") {
			t.Error("the caption does not say how to zoom")
		}
		for _, bad := range []string{"yesterday", "2026-03-09..2026-03-01", "2026-03-01"} {
			b := ts.get(t, "/coins/ethereum?zoom="+bad, false)
			if b.status != http.StatusBadRequest || testids(b, "coin-error-zoom").Length() != 1 || testids(b, "coin-chart").AttrOr("data-zoom-start", "") != "" {
				t.Errorf("zoom=%s: status %d, no message or a zoom anyway", bad, b.status)
			}
		}
	})

	t.Run("the dashboard page reads a zoom, its partials do not draw one", func(t *testing.T) {
		r := ts.get(t, "/?zoom=2026-03-01..2026-03-05", false)
		el := testids(r, "chart")
		if el.AttrOr("data-zoom-start", "") != strconv.FormatInt(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 10) {
			t.Errorf("dashboard zoom start %q", el.AttrOr("data-zoom-start", ""))
		}
		if !strings.Contains(testids(r, "zoom-help").Text(), "trackpad") {
			t.Error("the dashboard's caption does not say how to zoom")
		}
	})
}

// TestDashboard_ChangeVsBTC measures the % view in bitcoin: cardano's change divided by
// bitcoin's, hour by hour, on the card, the chart label and the CSV, and bitcoin flat at 0%.
func TestDashboard_ChangeVsBTC(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, 10)
	ada := seedCardano(t, ts, 10, latest.Add(-5*time.Hour))
	btcHours, err := ts.store.HourlyPrices(context.Background(), domain.Series{CoinID: "bitcoin", CurrencyCode: "usd"},
		domain.Range{Start: latest.Add(-24 * time.Hour), End: latest.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	btc := map[time.Time]float64{}
	for _, h := range btcHours {
		btc[h.Time] = h.Price
	}
	first := latest.Add(-23 * time.Hour)
	want := (ada[latest]/btc[latest])/(ada[first]/btc[first]) - 1
	q := "?coins=bitcoin,cardano&currencies=usd&range=1d&bench=btc&sort=date&dir=desc"
	r := ts.getBoth(t, "/"+q)
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	label := testids(r, "chart").AttrOr("aria-label", "")
	if !strings.Contains(label, "measured in BTC") || !strings.Contains(label, "ADA / USD "+formatPct(want*100)) || !strings.Contains(label, "BTC / USD 0.00%") {
		t.Errorf("chart label %q, want ADA %s and BTC flat", label, formatPct(want*100))
	}
	// The card shows no amount in BTC, so its basis stands alone: no separator before it.
	if basis := strings.TrimSpace(testids(r, "card-basis").First().Text()); basis != "vs BTC" {
		t.Errorf("card basis %q on a 1D view vs BTC, want %q", basis, "vs BTC")
	}
	if _, ticked := testids(r, "option-bench-btc").Find("input").Attr("checked"); !ticked {
		t.Error("the vs BTC box is not ticked")
	}
	recs := readCSV(t, ts, "/dashboard.csv"+q)
	col := -1
	for i, name := range recs[0] {
		if name == "change_vs_btc_pct" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("csv header %v names no change_vs_btc_pct", recs[0])
	}
	for _, rec := range recs[1:] {
		if strings.Contains(strings.Join(rec, ","), "cardano") {
			if got := parseFloat(t, rec[col]); !testkit.Near(got, want*100) {
				t.Errorf("csv change vs BTC %v, want %v", got, want*100)
			}
			break
		}
	}
	price := ts.get(t, "/?coins=cardano&currencies=usd&mode=price&bench=btc", false)
	if strings.Contains(testids(price, "chart").AttrOr("aria-label", ""), "measured in BTC") {
		t.Error("price mode measures in BTC")
	}
}
