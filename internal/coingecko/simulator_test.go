package coingecko

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/simulator"
)

func startSimulator(t *testing.T, opts simulator.Options) (*simulator.Simulator, string) {
	t.Helper()
	sim := simulator.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL + "/api/v3"
}

// sendLog records when each request leaves the client, before the network and the server
// add their own delays.
type sendLog struct {
	mu    sync.Mutex
	times []time.Time
}

func (l *sendLog) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.times = append(l.times, time.Now())
	l.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// A client configured with the server's own limit keeps within it, even with several
// goroutines sharing it. What the client controls, and so what is certain however busy the
// machine is, is that its k-th call never leaves before k call intervals (the window, with a
// margin, over the limit) have passed since the first could: a late goroutine can only send
// later, never earlier. When the calls arrive also depends on the machine, so a 429 the
// simulator sends for a call delayed on its way is retried, and only outcomes are checked there.
func TestClient_StaysWithinTheSimulatorsRateLimit(t *testing.T) {
	const n, window, workers = 5, 600 * time.Millisecond, 3
	sim, url := startSimulator(t, simulator.Options{RatePerMinute: n, RateWindow: window})
	sends := &sendLog{}
	c := newTestClient(t, url, Config{RatePerMinute: n, RateWindow: window, HTTPClient: &http.Client{Transport: sends}})
	now := clock.Now()

	calls := []func(ctx context.Context) error{
		func(ctx context.Context) error { _, err := c.CoinsList(ctx); return err },
		func(ctx context.Context) error { _, err := c.Coin(ctx, "ethereum"); return err },
		func(ctx context.Context) error {
			_, err := c.MarketChartRange(ctx, "bitcoin", "usd", now.Add(-48*time.Hour), now)
			return err
		},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for i := range n {
				errs <- calls[(w+i)%len(calls)](context.Background())
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	sends.mu.Lock()
	defer sends.mu.Unlock()
	slices.SortFunc(sends.times, func(a, b time.Time) int { return a.Compare(b) })
	interval := callInterval(window, n)
	for k, sent := range sends.times {
		if earliest := start.Add(time.Duration(k) * interval); sent.Before(earliest) {
			t.Errorf("call %d left %v after the start, before %v: more than %d calls a %v window", k, sent.Sub(start), earliest.Sub(start), n, window)
		}
	}
	if got := sim.Calls().Total - sim.RateLimited(); got != workers*n {
		t.Fatalf("%d calls were answered, want %d", got, workers*n)
	}
}

func TestClient_AgainstSimulator(t *testing.T) {
	now := time.Date(2025, 6, 15, 12, 34, 56, 789_000_000, time.UTC)
	sim, url := startSimulator(t, simulator.Options{Now: func() time.Time { return now }})
	c := newTestClient(t, url, Config{})
	ctx := context.Background()

	t.Run("hourly series buckets cleanly", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{NullPrices: true})
		samples, err := c.MarketChartRange(ctx, "bitcoin", "eur", now.AddDate(0, 0, -30), now)
		if err != nil {
			t.Fatal(err)
		}
		hours, dropped := domain.BucketHourly(samples, everything)
		assertAscending(t, hours)
		for _, s := range hours {
			if !domain.ValidPrice(s.Price) {
				t.Fatalf("invalid price %v at %s", s.Price, s.Time)
			}
		}
		if dropped.Price == 0 || dropped.Total() != dropped.Price {
			t.Errorf("dropped %+v, want the simulator's null prices and nothing else", dropped)
		}
		if len(hours) < 550 {
			t.Fatalf("%d hourly buckets from 30 days", len(hours))
		}
	})

	t.Run("history limit is a non-fatal 10012", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{})
		_, err := c.MarketChartRange(ctx, "bitcoin", "usd", now.AddDate(0, 0, -400), now.AddDate(0, 0, -320))
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != 10012 || apiErr.Fatal() || apiErr.Retryable() {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("renamed coin is not found", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{UnknownIDs: []string{"solana"}})
		_, err := c.Coin(ctx, "solana")
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 404 || apiErr.Message != "coin not found" {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("metadata", func(t *testing.T) {
		sim.SetFaults(simulator.Faults{})
		m, err := c.Coin(ctx, "dogecoin")
		if err != nil {
			t.Fatal(err)
		}
		if m.Name != "Dogecoin" || m.HomepageURL == "" || m.ImageURL == "" {
			t.Fatalf("got %+v", m)
		}
		// Plausible market data: DOGE ranks below BTC and ETH, with no cap on its supply.
		if mk := m.Market; mk.Rank == nil || *mk.Rank < 3 || mk.CirculatingSupply == nil || *mk.CirculatingSupply < 1e9 ||
			mk.TotalSupply == nil || *mk.TotalSupply < *mk.CirculatingSupply || mk.Max != nil {
			t.Fatalf("market data %+v", mk)
		}
		btc, err := c.Coin(ctx, "bitcoin")
		if err != nil || btc.Market.Rank == nil || *btc.Market.Rank != 1 || btc.Market.Max == nil || *btc.Market.Max != 21e6 {
			t.Fatalf("bitcoin %+v, %v", btc.Market, err)
		}
	})
}
