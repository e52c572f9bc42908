package pipeline_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/coingecko"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// chartRequest is one market-chart call the simulator received.
type chartRequest struct {
	series   string
	from, to time.Time
}

// fixture is a pipeline wired to a real database and a simulator whose requests are recorded.
type fixture struct {
	t     *testing.T
	url   string
	store *store.Store
	sim   *simulator.Simulator
	srv   *httptest.Server
	now   time.Time

	mu       sync.Mutex
	requests []chartRequest
	// onChart, when set, sees every market-chart request before the simulator answers it.
	onChart func(n int)
}

var testNow = time.Date(2026, 11, 20, 14, 37, 12, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, now: testNow}
	f.url = storetest.NewMigratedURL(t)
	st, err := store.Open(context.Background(), f.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.store = st
	f.sim = simulator.New(simulator.Options{Now: func() time.Time { return f.clock() }})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/market_chart/range") {
			q := r.URL.Query()
			from, _ := strconv.ParseInt(q.Get("from"), 10, 64)
			to, _ := strconv.ParseInt(q.Get("to"), 10, 64)
			id := strings.Split(strings.TrimPrefix(r.URL.Path, "/coins/"), "/")[0]
			f.mu.Lock()
			f.requests = append(f.requests, chartRequest{series: id + "/" + q.Get("vs_currency"),
				from: time.Unix(from, 0).UTC(), to: time.Unix(to, 0).UTC()})
			n, hook := len(f.requests), f.onChart
			f.mu.Unlock()
			if hook != nil {
				hook(n)
			}
		}
		f.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.requests = nil
}

func (f *fixture) chartRequests() []chartRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chartRequest(nil), f.requests...)
}

func (f *fixture) pipeline(ctx context.Context, coins []string, days int) *pipeline.Pipeline {
	f.t.Helper()
	return f.custom(ctx, coingecko.Config{}, pipeline.Options{Coins: coins, HistoryDays: days})
}

// custom builds a pipeline on the fixture's simulator from cfg and opts, filling in what they
// leave out: the fixture's store and clock, two currencies, two attempts per call.
func (f *fixture) custom(ctx context.Context, cfg coingecko.Config, opts pipeline.Options) *pipeline.Pipeline {
	f.t.Helper()
	cfg.BaseURL = f.srv.URL
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 2
	}
	client, err := coingecko.New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	opts.Source, opts.Simulated, opts.Now = client, client.Simulated, f.clock
	if opts.Store == nil {
		opts.Store = f.store
	}
	if opts.Currencies == nil {
		opts.Currencies = []domain.Currency{{Code: "usd", Name: "US Dollar"}, {Code: "try", Name: "Turkish Lira"}}
	}
	return pipeline.New(ctx, opts)
}

func (f *fixture) count(sql string, args ...any) int64 {
	f.t.Helper()
	conn, err := pgx.Connect(context.Background(), f.url)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int64
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestPipeline_Backfill(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p := f.pipeline(ctx, []string{"bitcoin", "dogecoin"}, 365)

	report, err := p.Run(ctx, domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := report.Run
	if run.Status != domain.RunSucceeded || run.Error != "" {
		t.Fatalf("run = %+v", run)
	}
	if run.SeriesTotal != 4 || run.SeriesDone != 4 || run.WindowsDone != run.WindowsTotal || run.WindowsTotal != 4*5 {
		t.Fatalf("progress = %+v, want 4 series in 5 windows each", run)
	}

	t.Run("windows are at most 90 days, newest first per series", func(t *testing.T) {
		seen := map[string][]chartRequest{}
		for _, r := range f.chartRequests() {
			if span := r.to.Sub(r.from); span > pipeline.MaxWindow {
				t.Errorf("%s asked %s to %s: %s is over 90 days", r.series, r.from, r.to, span)
			}
			seen[r.series] = append(seen[r.series], r)
		}
		for s, rs := range seen {
			for i := 1; i < len(rs); i++ {
				if !rs[i].to.Before(rs[i-1].to) {
					t.Errorf("%s window %d ends %s, not before the previous %s", s, i, rs[i].to, rs[i-1].to)
				}
			}
			if oldest := rs[len(rs)-1].from; oldest.Before(f.now.AddDate(0, 0, -365)) {
				t.Errorf("%s reaches back to %s, beyond 365 days", s, oldest)
			}
		}
		if first := f.chartRequests()[0]; !first.to.Equal(f.now.Truncate(time.Second)) {
			t.Errorf("first request ends %s, want now %s", first.to, f.now)
		}
	})

	t.Run("one row per hour of history and daily agrees with hourly", func(t *testing.T) {
		hours := f.count(`SELECT count(*) FROM prices_hourly WHERE coin_id = 'bitcoin' AND currency_code = 'usd'`)
		// CoinGecko skips the odd hour, and so does the simulator; a few percent go missing.
		if hours < 365*24*9/10 || hours > 365*24+1 {
			t.Errorf("bitcoin/usd has %d hourly rows, want nearly %d", hours, 365*24)
		}
		if run.RowsWritten != f.count(`SELECT count(*) FROM prices_hourly`) {
			t.Errorf("rows_written %d differs from the table", run.RowsWritten)
		}
		bad := f.count(`SELECT count(*) FROM prices_daily d JOIN (
				SELECT coin_id, currency_code, ("timestamp" AT TIME ZONE 'UTC')::date AS date,
					avg(price ORDER BY "timestamp") AS mean, min(price) AS low, max(price) AS high, count(*) AS n,
					(array_agg(price ORDER BY "timestamp"))[1] AS open,
					(array_agg(price ORDER BY "timestamp" DESC))[1] AS close
				FROM prices_hourly GROUP BY 1, 2, 3) h USING (coin_id, currency_code, date)
			WHERE d.price <> h.mean OR d.low <> h.low OR d.high <> h.high OR d.samples <> h.n
				OR d.open <> h.open OR d.close <> h.close`)
		if bad != 0 {
			t.Errorf("%d daily rows disagree with their hours", bad)
		}
		days := f.count(`SELECT count(*) FROM prices_daily`)
		groups := f.count(`SELECT count(DISTINCT (coin_id, currency_code, ("timestamp" AT TIME ZONE 'UTC')::date)) FROM prices_hourly`)
		if days != groups {
			t.Errorf("%d daily rows for %d days with hours", days, groups)
		}
	})

	t.Run("metadata and reference rows are stored", func(t *testing.T) {
		if n := f.count(`SELECT count(*) FROM coin_metadata`); n != 2 {
			t.Errorf("%d metadata rows, want 2", n)
		}
		if n := f.count(`SELECT count(*) FROM coins`); n != 2 {
			t.Errorf("%d coins, want 2", n)
		}
		v, err := f.store.DataVersion(ctx)
		if err != nil || !v.Simulated {
			t.Errorf("data version %+v, %v: simulated data must be marked", v, err)
		}
	})

	t.Run("re-running the same fetch changes nothing", func(t *testing.T) {
		before := f.count(`SELECT count(*) FROM prices_hourly`)
		again, err := p.Run(ctx, domain.TriggerCLI, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Run.Status != domain.RunSucceeded || again.Run.RowsWritten != 0 {
			t.Errorf("re-run = %+v, want succeeded with 0 rows written", again.Run)
		}
		if after := f.count(`SELECT count(*) FROM prices_hourly`); after != before {
			t.Errorf("rows went from %d to %d", before, after)
		}
		for _, r := range f.chartRequests()[len(f.chartRequests())-4:] {
			if span := r.to.Sub(r.from); span > 3*24*time.Hour || span < 2*24*time.Hour {
				t.Errorf("incremental request %s spans %s, want the missing tail plus a 2-day overlap", r.series, span)
			}
		}
	})

	t.Run("a day later only the tail is fetched", func(t *testing.T) {
		f.advance(24 * time.Hour)
		before := f.count(`SELECT count(*) FROM prices_hourly`)
		next, err := p.Run(ctx, domain.TriggerSchedule, nil)
		if err != nil {
			t.Fatal(err)
		}
		if next.Run.WindowsTotal != 4 {
			t.Errorf("%d windows, want one per series", next.Run.WindowsTotal)
		}
		gained := f.count(`SELECT count(*) FROM prices_hourly`) - before
		if gained < 4*23 || gained > 4*25 {
			t.Errorf("gained %d rows in a day, want about 96", gained)
		}
		for _, r := range f.chartRequests() {
			if span := r.to.Sub(r.from); span > 4*24*time.Hour {
				t.Errorf("%s asked %s, want the last day plus overlap", r.series, span)
			}
		}
	})
}

func TestPipeline_PartialAndUnknown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.sim.SetFaults(simulator.Faults{FailSeries: []string{"bitcoin/try"}, UnknownIDs: []string{"matic-network"}})
	p := f.pipeline(ctx, []string{"bitcoin", "matic-network", "dogecoin"}, 30)
	report, err := p.Run(ctx, domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := report.Run
	if run.Status != domain.RunPartial {
		t.Fatalf("status %s, want partial: %+v", run.Status, run)
	}
	for _, want := range []string{"matic-network", "bitcoin/try"} {
		if !strings.Contains(run.Error, want) {
			t.Errorf("run error %q does not name %s", run.Error, want)
		}
	}
	if len(report.UnknownCoins) != 1 || report.UnknownCoins[0] != "matic-network" {
		t.Errorf("unknown coins %v", report.UnknownCoins)
	}
	if _, ok := report.Failed[domain.Series{CoinID: "bitcoin", CurrencyCode: "try"}]; !ok || len(report.Failed) != 1 {
		t.Errorf("failed series %v, want bitcoin/try alone", report.Failed)
	}
	if n := f.count(`SELECT count(DISTINCT (coin_id, currency_code)) FROM prices_hourly`); n != 3 {
		t.Errorf("%d series stored, want the 3 that did not fail", n)
	}
}

func TestPipeline_FatalErrorStopsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"status":{"error_code":10002,"error_message":"API Key Missing"}}`))
	}))
	defer srv.Close()
	client, err := coingecko.New(coingecko.Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(context.Background(), pipeline.Options{Store: f.store, Source: client,
		Coins: []string{"bitcoin"}, Currencies: []domain.Currency{{Code: "usd", Name: "US Dollar"}}, HistoryDays: 30})
	report, err := p.Run(context.Background(), domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	if report.Run.Status != domain.RunFailed || !strings.Contains(report.Run.Error, "10002") {
		t.Errorf("run = %+v, want failed naming error 10002", report.Run)
	}
	if calls != 1 {
		t.Errorf("%d calls, want 1: an auth error must not be retried", calls)
	}
}

func TestPipeline_ConcurrentTriggersMakeOneRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.SetFaults(simulator.Faults{Slow: 20 * time.Millisecond})
	ctx := context.Background()
	// Two pipelines stand for two replicas sharing the database.
	a := f.pipeline(ctx, []string{"bitcoin"}, 30)
	b := f.pipeline(ctx, []string{"bitcoin"}, 30)

	type result struct {
		run     domain.FetchRun
		started bool
		err     error
	}
	results := make(chan result, 4)
	var wg sync.WaitGroup
	for _, p := range []*pipeline.Pipeline{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, started, err := p.Start(ctx, domain.TriggerCron)
			results <- result{run, started, err}
		}()
	}
	wg.Wait()
	close(results)
	started := 0
	ids := map[int64]bool{}
	for r := range results {
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.started {
			started++
		}
		ids[r.run.ID] = true
	}
	if started != 1 || len(ids) != 1 {
		t.Fatalf("%d runs started, %d distinct ids reported; want one run reported to all", started, len(ids))
	}
	// A foreground run waits for the lease of a live holder to lapse: it runs after that run
	// ended, or, if the holder renewed its lease meanwhile, reports it busy.
	want := int64(1)
	if report, err := a.Run(ctx, domain.TriggerCLI, nil); err == nil {
		want = 2
		if report.Run.ID == 1 || report.Run.Status != domain.RunSucceeded {
			t.Errorf("foreground run after the running one: %+v", report.Run)
		}
	} else if !errors.Is(err, pipeline.ErrBusy) {
		t.Errorf("foreground run during a run: %v, want it to wait or ErrBusy", err)
	}
	a.Wait()
	b.Wait()
	if n := f.count(`SELECT count(*) FROM fetch_runs`); n != want {
		t.Errorf("%d fetch_runs rows, want %d", n, want)
	}
	if n := f.count(`SELECT count(*) FROM fetch_runs WHERE status = 'succeeded'`); n != want {
		t.Errorf("not every run succeeded")
	}
	f.assertOneAtATime(t)
}

func TestPipeline_RunSlotOncePerSlot(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	a := f.pipeline(ctx, []string{"bitcoin"}, 3)
	b := f.pipeline(ctx, []string{"bitcoin"}, 3)
	// Slots come round by the present the schedule reads (clock.Now, or the database's clock
	// through it), which a suite run as of another date moves while PostgreSQL's does not.
	slot := clock.Now().UTC().Truncate(time.Minute)
	ran, err := a.RunSlot(ctx, slot)
	if err != nil || !ran {
		t.Fatalf("first replica: ran=%v err=%v", ran, err)
	}
	// The second replica's timer fires late, and its clock runs a few minutes behind.
	ran, err = b.RunSlot(ctx, slot.Add(-3*time.Minute))
	if err != nil || ran {
		t.Fatalf("second replica: ran=%v err=%v, want the slot already satisfied", ran, err)
	}
	ran, err = b.RunSlot(ctx, slot.Add(24*time.Hour))
	if err != nil || !ran {
		t.Fatalf("next day's slot: ran=%v err=%v", ran, err)
	}
}

func TestPipeline_ShutdownKeepsStoredWindows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.SetFaults(simulator.Faults{Slow: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	p := f.pipeline(ctx, []string{"bitcoin", "dogecoin"}, 365)
	run, started, err := p.Start(context.Background(), domain.TriggerStartup)
	if err != nil || !started {
		t.Fatal(started, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := f.store.Run(context.Background(), run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.WindowsDone >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	p.Wait()
	final, err := f.store.Run(context.Background(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != domain.RunFailed || !strings.Contains(final.Error, "interrupted") || final.FinishedAt == nil {
		t.Fatalf("run after shutdown = %+v", final)
	}
	if final.WindowsDone == final.WindowsTotal {
		t.Fatalf("run finished before the shutdown; the test proves nothing")
	}
	if stored := f.count(`SELECT count(*) FROM prices_hourly`); stored == 0 || stored != final.RowsWritten {
		t.Errorf("%d rows stored, run says %d: finished windows must be kept", stored, final.RowsWritten)
	}

	t.Run("the next run fetches the history the interrupted one missed", func(t *testing.T) {
		f.sim.SetFaults(simulator.Faults{})
		next := f.pipeline(context.Background(), []string{"bitcoin", "dogecoin"}, 365)
		report, err := next.Run(context.Background(), domain.TriggerCLI, nil)
		if err != nil || report.Run.Status != domain.RunSucceeded {
			t.Fatalf("run = %+v, %v", report.Run, err)
		}
		oldest := f.count(`SELECT count(*) FROM (SELECT coin_id, currency_code, min("timestamp") AS first
			FROM prices_hourly GROUP BY 1, 2) s WHERE first > $1`, f.now.AddDate(0, 0, -364))
		if oldest != 0 {
			t.Errorf("%d series still start less than 364 days back", oldest)
		}
		if n := f.count(`SELECT count(DISTINCT (coin_id, currency_code)) FROM prices_hourly`); n != 4 {
			t.Errorf("%d series stored, want 4", n)
		}
	})
}

func TestPipeline_StartAfterWaitIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p := f.pipeline(ctx, []string{"bitcoin"}, 3)
	p.Wait()
	if _, _, err := p.Start(ctx, domain.TriggerCron); !errors.Is(err, pipeline.ErrStopped) {
		t.Errorf("Start after Wait: %v, want ErrStopped", err)
	}
}
