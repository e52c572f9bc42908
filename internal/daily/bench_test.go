package daily_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/daily"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// synthetic is a Source of coins x currencies series of days each, made up as they are read,
// so the memory of the held series can be measured at any size without a database.
type synthetic struct{ coins, currencies, days int }

func (s synthetic) DataVersion(context.Context) (domain.DataVersion, error) {
	return domain.DataVersion{Version: 1}, nil
}

func (s synthetic) DailyPrices(_ context.Context, each func(domain.DailyPrice) error) (int64, map[domain.Series]time.Time, error) {
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for c := range s.coins {
		for u := range s.currencies {
			sr := domain.Series{CoinID: fmt.Sprintf("coin-%04d", c), CurrencyCode: fmt.Sprintf("c%02d", u)}
			for d := range s.days {
				if err := each(domain.DailyPrice{Series: sr, Date: first.AddDate(0, 0, d), Price: float64(100 + d), Hours: 24}); err != nil {
					return 0, nil, err
				}
			}
		}
	}
	return 1, nil, nil
}

func (s synthetic) Prices(context.Context, domain.PriceQuery) ([]domain.PriceRow, error) {
	return nil, fmt.Errorf("synthetic: no SQL")
}

// BenchmarkCache_Held reads 1,000 coins x 10 currencies x 365 days into memory and reports
// what the held series take: as the cache counts them (held-MB) and as the Go heap grew
// (heap-MB, after a collection, with the cache still referenced).
func BenchmarkCache_Held(b *testing.B) {
	src := synthetic{coins: 1000, currencies: 10, days: 365}
	ctx := context.Background()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := daily.New(src, 0, quiet)
		held, ok, err := c.Bytes(ctx)
		if err != nil || !ok {
			b.Fatalf("held %d bytes (%t): %v", held, ok, err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(held)/(1<<20), "held-MB")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
		runtime.KeepAlive(c)
	}
}
