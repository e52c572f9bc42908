package daily_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/daily"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// seed stores 40 days of hours for three coins in two currencies up to the current hour, with
// gaps: one series starts at 13:00 (its first day is cut), one misses a day in the middle and
// one misses a few hours of every day, so hours, gaps and partial days all show.
func seed(t *testing.T, s *store.Store) time.Time {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertCoins(ctx, []domain.Coin{
		{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}, {ID: "avalanche-2", Symbol: "avax", Name: "Avalanche"},
		{ID: "dogecoin", Symbol: "doge", Name: "Dogecoin"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertCurrencies(ctx, []domain.Currency{{Code: "usd", Name: "US Dollar"}, {Code: "eur", Name: "Euro"}}); err != nil {
		t.Fatal(err)
	}
	now := clock.Now().UTC().Truncate(time.Hour)
	start := domain.UTCDay(now).AddDate(0, 0, -40)
	for ci, coin := range []string{"bitcoin", "avalanche-2", "dogecoin"} {
		for ui, cur := range []string{"usd", "eur"} {
			var hours []domain.Sample
			for h, i := start, 0; !h.After(now); h, i = h.Add(time.Hour), i+1 {
				switch {
				case coin == "avalanche-2" && cur == "usd" && h.Before(start.Add(13*time.Hour)),
					coin == "dogecoin" && domain.UTCDay(h).Equal(start.AddDate(0, 0, 20)),
					coin == "bitcoin" && cur == "eur" && h.Hour()%7 == 3:
					continue
				}
				// Prices whose sums round differently by order, so a mean's last bit shows
				// how it was summed.
				p := (1000 + float64(ci*100+ui*10)) * (1 + 0.3*math.Sin(float64(i)/17)) / 3
				hours = append(hours, domain.Sample{Time: h, Price: p})
			}
			if _, err := s.StoreHourly(ctx, domain.Series{CoinID: coin, CurrencyCode: cur}, hours); err != nil {
				t.Fatal(err)
			}
		}
	}
	return now
}

// same reports how rows from memory differ from PostgreSQL's, prices compared to 1e-12 of
// their size: a mean of several rows depends on the order of its sum in the last bit.
func same(mem, sql []domain.PriceRow) error {
	if len(mem) != len(sql) {
		return fmt.Errorf("%d rows from memory, %d from PostgreSQL:\n%v\n%v", len(mem), len(sql), mem, sql)
	}
	for i := range mem {
		m, s := mem[i], sql[i]
		if m.CoinID != s.CoinID || m.CurrencyCode != s.CurrencyCode || !m.Time.Equal(s.Time) || m.Hours != s.Hours || m.Partial != s.Partial {
			return fmt.Errorf("row %d: memory %+v, PostgreSQL %+v", i, m, s)
		}
		if math.Abs(m.Price-s.Price) > 1e-12*math.Abs(s.Price) {
			return fmt.Errorf("row %d: price %v from memory, %v from PostgreSQL", i, m.Price, s.Price)
		}
	}
	return nil
}

func TestCache_Prices(t *testing.T) {
	s := storetest.New(t)
	now := seed(t, s)
	c := daily.New(s, 0, quiet)
	ctx := context.Background()
	// Read the series first: until they are held, PostgreSQL answers.
	if _, ok, err := c.Bytes(ctx); err != nil || !ok {
		t.Fatalf("series not held (%t): %v", ok, err)
	}
	today := domain.UTCDay(now)
	ranges := map[string]domain.Range{
		"all":               domain.Days(today.AddDate(0, 0, -60), today),
		"month to today":    domain.Days(today.AddDate(0, 0, -29), today),
		"the cut first day": domain.Days(today.AddDate(0, 0, -40), today.AddDate(0, 0, -38)),
		"over the gap":      domain.Days(today.AddDate(0, 0, -22), today.AddDate(0, 0, -18)),
		"one day":           domain.Days(today.AddDate(0, 0, -5), today.AddDate(0, 0, -5)),
		"before any":        domain.Days(today.AddDate(0, 0, -90), today.AddDate(0, 0, -80)),
	}
	selections := map[string][2][]string{
		"everything":       {{"bitcoin", "avalanche-2", "dogecoin"}, {"usd", "eur"}},
		"one series":       {{"avalanche-2"}, {"usd"}},
		"repeats, unknown": {{"dogecoin", "nope", "dogecoin"}, {"eur", "eur", "usd", "gbp"}},
		"none stored":      {{"nope"}, {"usd"}},
	}
	breakdowns := []domain.Breakdown{
		{}, {Date: true}, {Coin: true}, {Currency: true}, {Date: true, Coin: true},
		{Coin: true, Currency: true}, {Date: true, Currency: true}, domain.AllDimensions,
	}
	checked := 0
	for rn, r := range ranges {
		for sn, sel := range selections {
			for _, b := range breakdowns {
				q := domain.PriceQuery{CoinIDs: sel[0], CurrencyCodes: sel[1], Range: r, Breakdown: b,
					Granularity: domain.Daily, Today: now}
				mem, err := c.Prices(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				sql, err := s.Prices(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if err := same(mem, sql); err != nil {
					t.Errorf("%s, %s, breakdown %+v: %v", rn, sn, b, err)
				}
				checked += len(sql)
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d rows compared: the seed does not reach the ranges", checked)
	}

	t.Run("hourly queries go to PostgreSQL", func(t *testing.T) {
		q := domain.PriceQuery{CoinIDs: []string{"bitcoin"}, CurrencyCodes: []string{"eur"},
			Range: domain.Range{Start: now.Add(-48 * time.Hour), End: now}, Breakdown: domain.AllDimensions,
			Granularity: domain.Hourly, Today: now}
		mem, err := c.Prices(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		sql, err := s.Prices(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(sql) < 30 {
			t.Fatalf("%d hourly rows; the seed has more", len(sql))
		}
		if err := same(mem, sql); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a new data version is read again", func(t *testing.T) {
		day := today.AddDate(0, 0, -20)
		q := domain.PriceQuery{CoinIDs: []string{"dogecoin"}, CurrencyCodes: []string{"usd"},
			Range: domain.Days(day, day), Breakdown: domain.AllDimensions, Granularity: domain.Daily, Today: now}
		before, err := c.Prices(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(before) != 0 {
			t.Fatalf("dogecoin has no hours on %s in the seed, got %v", day.Format(domain.DayLayout), before)
		}
		if _, err := s.StoreHourly(ctx, domain.Series{CoinID: "dogecoin", CurrencyCode: "usd"},
			[]domain.Sample{{Time: day.Add(5 * time.Hour), Price: 42}}); err != nil {
			t.Fatal(err)
		}
		// The first request of the new version is answered by PostgreSQL while the series
		// are read; once they are, from memory. Both see the new hour.
		for _, when := range []string{"while reading", "once read"} {
			after, err := c.Prices(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != 1 || after[0].Price != 42 || after[0].Hours != 1 {
				t.Fatalf("%s, after storing one hour of 42: %+v", when, after)
			}
			if _, _, err := c.Bytes(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestCache_OverBudget(t *testing.T) {
	s := storetest.New(t)
	now := seed(t, s)
	ctx := context.Background()
	c := daily.New(s, 1000, quiet)
	held, ok, err := c.Bytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ok || held != 0 {
		t.Fatalf("six series of 41 days in 1,000 bytes: held %d bytes (%t)", held, ok)
	}
	if v := c.HeldVersion(); v != 0 {
		t.Errorf("series past their budget: HeldVersion %d, want 0 (none held)", v)
	}
	q := domain.PriceQuery{CoinIDs: []string{"bitcoin", "dogecoin"}, CurrencyCodes: []string{"usd", "eur"},
		Range: domain.Days(domain.UTCDay(now).AddDate(0, 0, -30), domain.UTCDay(now)), Breakdown: domain.Breakdown{Date: true},
		Granularity: domain.Daily, Today: now}
	mem, err := c.Prices(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := s.Prices(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(sql) != 31 {
		t.Fatalf("%d rows; the seed has 31 days", len(sql))
	}
	// Answered by PostgreSQL itself: to the last bit.
	for i := range sql {
		if mem[i] != sql[i] {
			t.Fatalf("row %d: %+v, PostgreSQL %+v", i, mem[i], sql[i])
		}
	}

	big := daily.New(s, 0, quiet)
	if v := big.HeldVersion(); v != 0 {
		t.Errorf("before any read: HeldVersion %d, want 0", v)
	}
	held, ok, err = big.Bytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dv, err := s.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := big.HeldVersion(); v != dv.Version {
		t.Errorf("once read: HeldVersion %d, want the database's %d", v, dv.Version)
	}
	// 6 series of 41 days (the 42nd is today) at 9 bytes a day, and their overhead.
	if !ok || held < 6*41*9 || held > 6*42*9+6*1000 {
		t.Fatalf("held %d bytes (%t) for 6 series of about 41 days", held, ok)
	}
}
