package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// The counts, stored ranges and newest hour are kept on write in series_stats; they must
// say what a scan of the prices says, however the hours arrived.
func TestStore_SeriesStatsAgreeWithTheHours(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	sample := func(h int, p float64) domain.Sample {
		return domain.Sample{Time: day.Add(time.Duration(h) * time.Hour), Price: p}
	}
	// A window, the same window again, an overlapping one with a changed hour, a hole, and
	// an older window: new hours and days are counted once, changed ones not at all.
	windows := [][]domain.Sample{
		{sample(30, 1), sample(31, 2), sample(32, 3)},
		{sample(30, 1), sample(31, 2), sample(32, 3)},
		{sample(31, 2.5), sample(32, 3), sample(33, 4), sample(40, 5)},
		{sample(0, 9), sample(1, 8), sample(5, 7)},
	}
	for _, w := range windows {
		if _, err := st.StoreHourly(ctx, btcUSD, w); err != nil {
			t.Fatal(err)
		}
	}
	var hours, days int64
	var first, last time.Time
	if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT ("timestamp" AT TIME ZONE 'UTC')::date), min("timestamp"), max("timestamp")
		FROM prices_hourly`).Scan(&hours, &days, &first, &last); err != nil {
		t.Fatal(err)
	}
	if hours != 8 || days != 2 {
		t.Fatalf("scan: %d hours on %d days, want 8 on 2", hours, days)
	}
	c, err := st.Counts(ctx)
	if err != nil || c.HourlyRows != hours || c.DailyRows != days {
		t.Errorf("Counts: %d hourly, %d daily (%v); the scan says %d and %d", c.HourlyRows, c.DailyRows, err, hours, days)
	}
	ranges, err := st.StoredRanges(ctx, []domain.Series{btcUSD})
	if r := ranges[btcUSD]; err != nil || !r.Start.Equal(first) || !r.End.Equal(last.Add(time.Hour)) {
		t.Errorf("StoredRanges: %v (%v), want %v to %v", r, err, first, last.Add(time.Hour))
	}
	if latest, err := st.LatestHour(ctx); err != nil || !latest.Equal(last) {
		t.Errorf("LatestHour: %v (%v), want %v", latest, err, last)
	}
	// 00:00 to 16:00 the next day is 41 hours, 8 of them stored.
	if missing, err := st.HoursMissing(ctx, []domain.Series{btcUSD}); err != nil || missing != 41-8 {
		t.Errorf("HoursMissing: %d (%v), want 33", missing, err)
	}
	holes, err := st.Holes(ctx, []domain.Series{btcUSD}, 3)
	var inHoles time.Duration
	for _, h := range holes[btcUSD] {
		inHoles += h.End.Sub(h.Start)
	}
	if err != nil || len(holes[btcUSD]) != 3 || inHoles != 33*time.Hour {
		t.Errorf("Holes: %v (%v), want 3 holes of 33 hours in all", holes[btcUSD], err)
	}
}

// A run's windows bump the data version at most once per few seconds, not once each, and the
// run's end announces the rest; a write outside a run is announced at once.
func TestStore_DataVersionBumpsPerRunNotPerWindow(t *testing.T) {
	t.Parallel()
	st, _ := seeded(t)
	ctx := context.Background()
	v0, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run, fence, err := st.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerCLI, Holder: "test:1", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	runCtx := domain.WithFence(ctx, fence)
	started := time.Now()
	const windows = 20
	for i := range windows {
		w := []domain.Sample{{Time: day.Add(time.Duration(i) * time.Hour), Price: float64(i + 1)}}
		if _, err := st.StoreHourly(runCtx, btcUSD, w); err != nil {
			t.Fatal(err)
		}
	}
	v1, _ := st.DataVersion(ctx)
	// One bump may fall due every 5 s however slow the machine.
	if bumps, allowed := v1.Version-v0.Version, 1+int64(time.Since(started)/(5*time.Second)); bumps > allowed {
		t.Errorf("%d windows bumped the version %d times, want at most %d", windows, bumps, allowed)
	}
	if _, err := st.FinishRun(runCtx, run.ID, domain.RunSucceeded, domain.RunProgress{}, ""); err != nil {
		t.Fatal(err)
	}
	v2, _ := st.DataVersion(ctx)
	if v2.Version <= v0.Version {
		t.Error("the run ended and the data version never moved for its windows")
	}
	if err := st.FlushDataVersion(ctx); err != nil {
		t.Fatal(err)
	}
	if v3, _ := st.DataVersion(ctx); v3.Version != v2.Version {
		t.Errorf("a flush with nothing stored since moved the version from %d to %d", v2.Version, v3.Version)
	}
	if _, err := st.StoreHourly(ctx, btcUSD, []domain.Sample{{Time: day.Add(-time.Hour), Price: 1}}); err != nil {
		t.Fatal(err)
	}
	if v4, _ := st.DataVersion(ctx); v4.Version <= v2.Version {
		t.Error("a write outside a run did not move the data version")
	}
}

// The status page's figures come from series_stats aggregated in SQL: they must be what a scan
// of the hours counts, and the coins listed past the limit those needing attention first.
func TestStore_FreshnessCountsAsAScan(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	// Names sort otherwise than ids, so the listing's order shows which it follows.
	coins := []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}, {ID: "aave", Symbol: "aave", Name: "Zaave"},
		{ID: "cardano", Symbol: "ada", Name: "Cardano"}, {ID: "dogecoin", Symbol: "doge", Name: "Dogecoin"},
		{ID: "ethereum", Symbol: "eth", Name: "Ethereum"}}
	if err := st.UpsertCoins(ctx, coins); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertCurrencies(ctx, []domain.Currency{{Code: "usd", Name: "US Dollar"}, {Code: "eur", Name: "Euro"}}); err != nil {
		t.Fatal(err)
	}
	// Fresh to the last hour, stale by days, and none at all; dogecoin has no data.
	lastHour := map[domain.Series]int{
		{CoinID: "bitcoin", CurrencyCode: "usd"}: 47, {CoinID: "bitcoin", CurrencyCode: "eur"}: 47,
		{CoinID: "aave", CurrencyCode: "usd"}: 47, {CoinID: "aave", CurrencyCode: "eur"}: 47,
		{CoinID: "cardano", CurrencyCode: "usd"}: 47, {CoinID: "cardano", CurrencyCode: "eur"}: 3,
		{CoinID: "ethereum", CurrencyCode: "usd"}: 5,
	}
	for sr, last := range lastHour {
		var w []domain.Sample
		for h := range last + 1 {
			w = append(w, domain.Sample{Time: day.Add(time.Duration(h) * time.Hour), Price: float64(h + 1)})
		}
		if _, err := st.StoreHourly(ctx, sr, w); err != nil {
			t.Fatal(err)
		}
	}
	staleBefore := day.Add(24 * time.Hour)
	var series, missing, stale int64
	if err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE h.last IS NULL), count(*) FILTER (WHERE h.last < $1)
		FROM coins c CROSS JOIN currencies cu
		LEFT JOIN (SELECT coin_id, currency_code, max("timestamp") AS last FROM prices_hourly GROUP BY 1, 2) h
			ON h.coin_id = c.id AND h.currency_code = cu.code`, staleBefore).Scan(&series, &missing, &stale); err != nil {
		t.Fatal(err)
	}
	if series != 10 || missing != 3 || stale != 2 {
		t.Fatalf("scan: %d series, %d missing, %d stale; want 10, 3, 2", series, missing, stale)
	}
	listedCoins := func(r domain.FreshnessReport) []string {
		var ids []string
		for _, f := range r.Listed {
			if !slices.Contains(ids, f.CoinID) {
				ids = append(ids, f.CoinID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	t.Run("every coin while they fit", func(t *testing.T) {
		r, err := st.Freshness(ctx, staleBefore, 5)
		if err != nil {
			t.Fatal(err)
		}
		if r.Coins != 5 || r.Series != series || r.Missing != missing || r.Stale != stale {
			t.Errorf("report: %d coins, %d series, %d missing, %d stale; the scan says 5, %d, %d, %d", r.Coins, r.Series, r.Missing, r.Stale, series, missing, stale)
		}
		if len(r.Listed) != 10 {
			t.Errorf("%d series listed, want 10", len(r.Listed))
		}
		for _, f := range r.Listed {
			last, ok := lastHour[f.Series]
			if want := day.Add(time.Duration(last) * time.Hour); ok && (!f.LastHour.Equal(want) || !f.FirstHour.Equal(day) || f.Hours != int64(last+1)) {
				t.Errorf("%s: %v to %v, %d hours; want %v to %v, %d", f.Series, f.FirstHour, f.LastHour, f.Hours, day, want, last+1)
			}
			if !ok && (!f.LastHour.IsZero() || f.Hours != 0) {
				t.Errorf("%s has no data, listed with %v and %d hours", f.Series, f.LastHour, f.Hours)
			}
		}
	})
	t.Run("past the limit those needing attention first, then by name", func(t *testing.T) {
		r, err := st.Freshness(ctx, staleBefore, 4)
		if err != nil {
			t.Fatal(err)
		}
		// cardano, dogecoin and ethereum need attention; of bitcoin ("Bitcoin") and aave
		// ("Zaave"), bitcoin comes first by name.
		if got := listedCoins(r); !slices.Equal(got, []string{"bitcoin", "cardano", "dogecoin", "ethereum"}) || len(r.Listed) != 8 {
			t.Errorf("listed %q in %d series, want bitcoin, cardano, dogecoin and ethereum in 8", got, len(r.Listed))
		}
		if r.Coins != 5 || r.Series != series || r.Missing != missing || r.Stale != stale {
			t.Errorf("counts change with the listing: %+v", r)
		}
		r, err = st.Freshness(ctx, staleBefore, 2)
		if got := listedCoins(r); err != nil || !slices.Equal(got, []string{"cardano", "dogecoin"}) {
			t.Errorf("listed %q (%v), want the first two needing attention by name: cardano and dogecoin", got, err)
		}
	})
}
