// Package pipeline moves prices from CoinGecko into PostgreSQL: one run at a time across the
// whole cluster, asking only for what is missing, newest window first, storing each window in
// one transaction and recording its progress in fetch_runs as it goes.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// Source is what the pipeline needs of CoinGecko.
type Source interface {
	CoinsList(ctx context.Context) ([]domain.Coin, error)
	MarketChartRange(ctx context.Context, coinID, vsCurrency string, from, to time.Time) ([]domain.Sample, error)
	Coin(ctx context.Context, id string) (domain.Metadata, error)
}

// Store is what the pipeline needs of the database, in the domain's terms, so a test can hand
// it a fake; *store.Store satisfies it.
type Store interface {
	TryRunLock(ctx context.Context) (domain.RunLock, bool, error)
	StartRun(ctx context.Context, trigger domain.Trigger) (domain.FetchRun, error)
	UpdateRun(ctx context.Context, id int64, p domain.RunProgress) error
	FinishRun(ctx context.Context, id int64, status domain.RunStatus, p domain.RunProgress, errText string) (domain.FetchRun, error)
	RunningRun(ctx context.Context) (domain.FetchRun, error)
	RunStartedSince(ctx context.Context, t time.Time) (bool, error)
	UpsertCoins(ctx context.Context, coins []domain.Coin) error
	UpsertCurrencies(ctx context.Context, currencies []domain.Currency) error
	StoredRanges(ctx context.Context, series []domain.Series) (map[domain.Series]domain.Range, error)
	StoreHourly(ctx context.Context, series domain.Series, hours []domain.Sample) (int64, error)
	StaleMetadata(ctx context.Context, coinIDs []string, maxAge time.Duration) ([]string, error)
	UpsertMetadata(ctx context.Context, m domain.Metadata) error
	MarkSimulated(ctx context.Context) error
}

// ErrBusy is returned by Run when another run holds the cluster-wide lock.
var ErrBusy = errors.New("a fetch run is already in progress")

// Options configures a Pipeline. Zero values take the defaults documented on each field.
type Options struct {
	Store      Store
	Source     Source
	Coins      []string
	Currencies []domain.Currency
	// HistoryDays is how far back a fresh database is filled.
	HistoryDays int
	// Overlap is how much already-stored history each run fetches again (default 48 h): it
	// replaces the live price stored last time with the settled hourly figure, and keeps every
	// incremental range above one day, which CoinGecko would answer in 5-minute points.
	Overlap time.Duration
	// MetadataMaxAge is how old coin metadata may get before a run refreshes it (default 7 days).
	MetadataMaxAge time.Duration
	// Workers is how many windows are fetched at once (default 4); the client's rate limiter
	// still spaces the calls, so this only matters when the limit is high or off.
	Workers int
	// Simulated reports whether the source is the CoinGecko simulator; if it is, the stored
	// data is marked so that no page presents it as real. Nil means never.
	Simulated func() bool
	// Now is the clock runs plan their windows by (default time.Now); tests fix it.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Metrics registers the pipeline's metrics; nil leaves them unregistered.
	Metrics prometheus.Registerer
}

// Pipeline runs fetches. Background runs started by Start live until the context given to New
// ends; Wait blocks until they have stopped.
type Pipeline struct {
	opts    Options
	base    context.Context
	metrics *metrics

	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup
}

// New returns a pipeline whose background runs stop when base is cancelled.
func New(base context.Context, opts Options) *Pipeline {
	if opts.Overlap == 0 {
		opts.Overlap = 48 * time.Hour
	}
	if opts.MetadataMaxAge == 0 {
		opts.MetadataMaxAge = 7 * 24 * time.Hour
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Simulated == nil {
		opts.Simulated = func() bool { return false }
	}
	return &Pipeline{opts: opts, base: base, metrics: newMetrics(opts.Metrics)}
}

// Report is what a finished run tells its caller beyond its fetch_runs row.
type Report struct {
	Run          domain.FetchRun
	UnknownCoins []string
	// Failed names each series that failed and why.
	Failed map[domain.Series]error
	// FetchTime, ProcessTime and StoreTime add up the time spent waiting for CoinGecko,
	// bucketing samples, and writing to PostgreSQL across all windows.
	FetchTime, ProcessTime, StoreTime time.Duration
	Samples                           int
}

// Progress receives a run's row each time it advances.
type Progress func(domain.FetchRun)

// Run performs one run in the foreground. It returns ErrBusy, with the running run, when
// another run holds the lock.
func (p *Pipeline) Run(ctx context.Context, trigger domain.Trigger, progress Progress) (Report, error) {
	lock, running, err := p.acquire(ctx)
	if err != nil {
		return Report{}, err
	}
	if lock == nil {
		return Report{Run: running}, ErrBusy
	}
	defer lock.Release()
	run, err := p.opts.Store.StartRun(ctx, trigger)
	if err != nil {
		return Report{}, err
	}
	return p.execute(ctx, run, progress), nil
}

// Start begins a run in the background and returns it at once (started is true), or returns
// the run already in progress anywhere in the cluster (started is false).
func (p *Pipeline) Start(ctx context.Context, trigger domain.Trigger) (run domain.FetchRun, started bool, err error) {
	if !p.track() {
		return domain.FetchRun{}, false, ErrStopped
	}
	lock, running, err := p.acquire(ctx)
	if err != nil || lock == nil {
		p.wg.Done()
		return running, false, err
	}
	run, err = p.opts.Store.StartRun(ctx, trigger)
	if err != nil {
		lock.Release()
		p.wg.Done()
		return domain.FetchRun{}, false, err
	}
	go func() {
		defer p.wg.Done()
		defer lock.Release()
		p.execute(p.base, run, nil)
	}()
	return run, true, nil
}

// ErrStopped is returned by Start once Wait has been called: the process is shutting down,
// and the caller should try another replica or later.
var ErrStopped = fmt.Errorf("the fetch pipeline is shutting down: %w", domain.ErrUnavailable)

// track counts a background run in, unless shutdown has begun; Wait then waits for it.
func (p *Pipeline) track() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	p.wg.Add(1)
	return true
}

// Wait stops new background runs from starting and blocks until every running one has stopped.
func (p *Pipeline) Wait() {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	p.wg.Wait()
}

// acquire takes the run lock, or finds the run that holds it. The lock is briefly held with no
// running row (just before a run's row is written, just after it is closed, and while a
// scheduled slot checks whether it is due), so a trigger that finds neither tries again for a
// moment rather than report nothing: a cron caller must never get "not found" for a busy lock.
func (p *Pipeline) acquire(ctx context.Context) (domain.RunLock, domain.FetchRun, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		lock, ok, err := p.opts.Store.TryRunLock(ctx)
		if err != nil || ok {
			return lock, domain.FetchRun{}, err
		}
		run, err := p.opts.Store.RunningRun(ctx)
		if err == nil {
			return nil, run, nil
		}
		if !errors.Is(err, domain.ErrNotFound) {
			return nil, domain.FetchRun{}, err
		}
		if time.Now().After(deadline) {
			return nil, domain.FetchRun{}, errors.New("the fetch lock is held but no run is recorded as running")
		}
		select {
		case <-ctx.Done():
			return nil, domain.FetchRun{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
