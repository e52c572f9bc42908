package daily

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// slowSource holds one series of one day and moves the cache's clock by took for each read
// of its daily prices, as a read of a large catalogue would take that long.
type slowSource struct {
	mu      sync.Mutex
	clock   time.Time
	took    time.Duration
	version int64
	reads   int
	asked   int
}

func (s *slowSource) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock
}

func (s *slowSource) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = s.clock.Add(d)
}

func (s *slowSource) DataVersion(context.Context) (domain.DataVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return domain.DataVersion{Version: s.version}, nil
}

func (s *slowSource) DailyPrices(_ context.Context, each func(domain.DailyPrice) error) (int64, map[domain.Series]time.Time, error) {
	s.mu.Lock()
	s.reads++
	s.clock = s.clock.Add(s.took)
	v := s.version
	s.mu.Unlock()
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sr := domain.Series{CoinID: "bitcoin", CurrencyCode: "usd"}
	if err := each(domain.DailyPrice{Series: sr, Date: day, Price: 1, Hours: 24}); err != nil {
		return 0, nil, err
	}
	return v, map[domain.Series]time.Time{sr: day}, nil
}

func (s *slowSource) Prices(context.Context, domain.PriceQuery) ([]domain.PriceRow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked++
	return nil, nil
}

// A read that took 2 s keeps the next one back for 8 s after it: the versions a run bumps
// meanwhile are answered by PostgreSQL, and the first request after the pause reads the newest.
func TestCache_ReadsPauseAfterARead(t *testing.T) {
	src := &slowSource{clock: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), took: 2 * time.Second, version: 1}
	c := New(src, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	c.now = src.now
	ctx := context.Background()
	if _, ok, err := c.Bytes(ctx); err != nil || !ok {
		t.Fatalf("first read: held %t, %v", ok, err)
	}
	ended := src.now()
	src.mu.Lock()
	src.version = 2
	src.mu.Unlock()
	q := domain.PriceQuery{CoinIDs: []string{"bitcoin"}, CurrencyCodes: []string{"usd"},
		Range:     domain.Days(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)),
		Breakdown: domain.AllDimensions, Granularity: domain.Daily, Today: ended}
	for _, after := range []time.Duration{0, time.Second, 8*time.Second - time.Nanosecond} {
		src.mu.Lock()
		src.clock = ended.Add(after)
		src.mu.Unlock()
		if c.mayRead() {
			t.Fatalf("%s after a read of 2 s, the next may start; want a pause of 8 s", after)
		}
		if _, err := c.Prices(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	src.mu.Lock()
	asked := src.asked
	src.mu.Unlock()
	if asked != 3 {
		t.Fatalf("PostgreSQL answered %d of the 3 requests in the pause, want all", asked)
	}
	src.advance(time.Nanosecond)
	if !c.mayRead() {
		t.Fatal("8 s after a read of 2 s, the next may not start")
	}
	if _, err := c.Prices(ctx, q); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 10*time.Second, "the new version read after the pause", func() (bool, string) {
		v := c.HeldVersion()
		return v == 2, fmt.Sprintf("held version %d", v)
	})
	src.mu.Lock()
	reads := src.reads
	src.mu.Unlock()
	if reads != 2 {
		t.Fatalf("%d reads, want 2: one before the pause and one after", reads)
	}
}
