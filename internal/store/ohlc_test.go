package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
)

// seedOHLC stores three days of bitcoin/usd: the day before day from 11:00 (13 hours), day
// itself whole, and the day after until 04:00 (5 hours). Hour h of the span is priced 100+h,
// except that each day's noon is its high (+50) and 13:00 its low (-50); market cap is 1000
// times the price and volume 10 times, but the first day's last hour reports neither. A
// bitcoin/eur series beside it must never leak in.
func seedOHLC(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, _ := seeded(t)
	if err := st.UpsertCurrencies(ctx, []domain.Currency{{Code: "eur", Name: "Euro"}}); err != nil {
		t.Fatal(err)
	}
	start := day.Add(-13 * time.Hour)
	var usd, eur []domain.Sample
	for h := range 13 + 24 + 5 {
		ts := start.Add(time.Duration(h) * time.Hour)
		p := 100 + float64(h)
		switch ts.Hour() {
		case 12:
			p += 50
		case 13:
			p -= 50
		}
		mc, vol := p*1000, p*10
		s := domain.Sample{Time: ts, Price: p, MarketCap: &mc, TotalVolume: &vol}
		if ts.Equal(day.Add(-time.Hour)) {
			s.MarketCap, s.TotalVolume = nil, nil
		}
		usd = append(usd, s)
		eur = append(eur, domain.Sample{Time: ts, Price: p * 2})
	}
	for series, hours := range map[domain.Series][]domain.Sample{btcUSD: usd, {CoinID: "bitcoin", CurrencyCode: "eur"}: eur} {
		if _, err := st.StoreHourly(ctx, series, hours); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func TestStore_DailyOHLC(t *testing.T) {
	t.Parallel()
	st := seedOHLC(t)
	ctx := context.Background()
	prev, next := day.AddDate(0, 0, -1), day.AddDate(0, 0, 1)

	got, err := st.DailyOHLC(ctx, btcUSD, domain.Days(prev.AddDate(0, 0, -5), next.AddDate(0, 0, 5)), next)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Candle{
		// The first day is hours 0..12 of the span: 11:00 opens at 100, 23:00 closes at 112.
		{Day: prev, Open: 100, High: 101 + 50, Low: 102 - 50, Close: 112, Samples: 13},
		// The whole day: hours 13..36.
		{Day: day, Open: 113, High: 125 + 50, Low: 126 - 50, Close: 136, Samples: 24},
		// 00:00 to 04:00: hours 37..41, no noon.
		{Day: next, Open: 137, High: 141, Low: 137, Close: 141, Samples: 5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d days %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if !got[i].Day.Equal(w.Day) || got[i].Day.Location() != time.UTC || got[i].Open != w.Open || got[i].High != w.High ||
			got[i].Low != w.Low || got[i].Close != w.Close || got[i].Samples != w.Samples {
			t.Errorf("day %d = %+v, want %+v", i, got[i], w)
		}
	}
	// The history starts at 11:00 on the first day, and the last is today.
	if !got[0].Partial || got[1].Partial || !got[2].Partial {
		t.Errorf("partial days %v %v %v, want the first and last", got[0].Partial, got[1].Partial, got[2].Partial)
	}
	t.Run("a past day missing hours is complete; the day the history starts in is not", func(t *testing.T) {
		got, err := st.DailyOHLC(ctx, btcUSD, domain.Days(prev, next), next.AddDate(0, 0, 3))
		if err != nil || len(got) != 3 || !got[0].Partial || got[1].Partial || got[2].Partial || got[2].Samples != 5 {
			t.Errorf("got %+v, %v; want only the first day partial, the last complete with 5 hours", got, err)
		}
	})

	t.Run("a range of whole days keeps its first day and ends before the day after its last", func(t *testing.T) {
		got, err := st.DailyOHLC(ctx, btcUSD, domain.Days(day, day), next)
		if err != nil || len(got) != 1 || !got[0].Day.Equal(day) {
			t.Errorf("got %+v, %v; want the one day", got, err)
		}
	})
	t.Run("a range of hours covers the days it touches", func(t *testing.T) {
		got, err := st.DailyOHLC(ctx, btcUSD, domain.Range{Start: day.Add(20 * time.Hour), End: next.Add(2 * time.Hour)}, next)
		if err != nil || len(got) != 2 || !got[0].Day.Equal(day) || !got[1].Day.Equal(next) {
			t.Errorf("got %+v, %v; want day and the day after", got, err)
		}
	})
	t.Run("an unknown series has no days", func(t *testing.T) {
		got, err := st.DailyOHLC(ctx, domain.Series{CoinID: "nope", CurrencyCode: "usd"}, domain.Days(prev, next), next)
		if err != nil || len(got) != 0 {
			t.Errorf("got %+v, %v", got, err)
		}
	})
}

func TestStore_DailyMarket(t *testing.T) {
	t.Parallel()
	st := seedOHLC(t)
	prev, next := day.AddDate(0, 0, -1), day.AddDate(0, 0, 1)
	got, err := st.DailyMarket(context.Background(), btcUSD, domain.Days(prev, next))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d days %+v, want 3", len(got), got)
	}
	t.Run("a day's last hour without figures gives none, not an earlier hour's", func(t *testing.T) {
		if !got[0].Time.Equal(day.Add(-time.Hour)) || got[0].Price != 112 || got[0].MarketCap != nil || got[0].TotalVolume != nil {
			t.Errorf("first day %+v, want 23:00 at 112 with no market cap or volume", got[0])
		}
	})
	t.Run("each day's figures are its last stored hour's", func(t *testing.T) {
		for i, w := range []struct {
			hour  time.Time
			price float64
		}{{day.Add(23 * time.Hour), 136}, {next.Add(4 * time.Hour), 141}} {
			g := got[i+1]
			if !g.Time.Equal(w.hour) || g.Time.Location() != time.UTC || g.Price != w.price ||
				g.MarketCap == nil || *g.MarketCap != w.price*1000 || g.TotalVolume == nil || *g.TotalVolume != w.price*10 {
				t.Errorf("day %d = %+v, want %s at %v", i+1, g, w.hour, w.price)
			}
		}
	})
}

func TestStore_HourlyPrices(t *testing.T) {
	t.Parallel()
	st := seedOHLC(t)
	got, err := st.HourlyPrices(context.Background(), btcUSD, domain.Range{Start: day.Add(22 * time.Hour), End: day.Add(26 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("got %d hours %+v, want 22:00 to 01:00", len(got), got)
	}
	for i, g := range got {
		wantPrice := 100 + float64(13+22+i)
		if !g.Time.Equal(day.Add(time.Duration(22+i)*time.Hour)) || g.Price != wantPrice ||
			g.TotalVolume == nil || *g.TotalVolume != wantPrice*10 || g.MarketCap == nil || *g.MarketCap != wantPrice*1000 {
			t.Errorf("hour %d = %+v, want price %v", i, g, wantPrice)
		}
	}
}
