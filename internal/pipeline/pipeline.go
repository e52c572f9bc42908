// Package pipeline moves prices from CoinGecko into PostgreSQL: one run at a time across the
// whole cluster, asking only for what is missing, newest window first, storing each window in
// one transaction and recording its progress in fetch_runs as it goes.
//
// One run at a time is kept by a lease, a row in the database rather than a lock on a
// connection: a run claims it together with its fetch_runs row, renews it every sixth of its
// TTL, and fences every write with it (domain.Fence). Killing or cutting a connection
// therefore neither frees the lease while its run goes on nor keeps it after its run is gone:
// a run that cannot renew stops before its lease lapses, and a lapsed lease is free for the
// next claim.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// Source is what the pipeline needs of CoinGecko. An error that is domain.ErrUnavailable
// means the source refuses calls for a while (a circuit breaker after a storm of 429s): the
// run stops with what it has, partial, and the next run resumes.
type Source interface {
	CoinsList(ctx context.Context) ([]domain.Coin, error)
	MarketChartRange(ctx context.Context, coinID, vsCurrency string, from, to time.Time) ([]domain.Sample, error)
	Coin(ctx context.Context, id string) (domain.Metadata, error)
}

// Store is what the pipeline needs of the database, in the domain's terms, so a test can hand
// it a fake; *store.Store satisfies it. Writes made with a context that carries a fence
// (domain.WithFence) commit only while that fence holds the run lease.
type Store interface {
	StartRun(ctx context.Context, claim domain.RunClaim) (domain.FetchRun, domain.Fence, error)
	RenewRunLease(ctx context.Context, fence domain.Fence, ttl time.Duration) error
	UpdateRun(ctx context.Context, id int64, p domain.RunProgress) error
	FinishRun(ctx context.Context, id int64, status domain.RunStatus, p domain.RunProgress, errText string) (domain.FetchRun, error)
	RunLease(ctx context.Context) (domain.Lease, error)
	CloseLapsedRuns(ctx context.Context) (int64, error)
	UpsertCoins(ctx context.Context, coins []domain.Coin) error
	UpsertCurrencies(ctx context.Context, currencies []domain.Currency) error
	StoredRanges(ctx context.Context, series []domain.Series) (map[domain.Series]domain.Range, error)
	Holes(ctx context.Context, series []domain.Series, giveUpAfter int) (map[domain.Series][]domain.Range, error)
	NoteAsked(ctx context.Context, series domain.Series, asked domain.Range, retry []time.Time, giveUpAfter int) error
	HoursMissing(ctx context.Context, series []domain.Series) (int, error)
	StoreHourly(ctx context.Context, series domain.Series, hours []domain.Sample) (int64, error)
	StaleMetadata(ctx context.Context, coinIDs []string, maxAge time.Duration) ([]string, error)
	UpsertMetadata(ctx context.Context, m domain.Metadata) error
	MarkSimulated(ctx context.Context) error
}

// ErrBusy is returned by Run when another run holds the run lease.
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
	// HoleWindows is how many calls a run may spend asking again for hours missing inside
	// the stored ranges (null prices, dropped samples, gaps left by failed windows), newest
	// holes first and spread over the series (default 24). An hour whose samples were all
	// unusable is asked for up to three times; one CoinGecko sent nothing for is not asked
	// for again, since CoinGecko leaves some hours out for good.
	HoleWindows int
	// MetadataMaxAge is how old coin metadata may get before a run refreshes it (default 7 days).
	MetadataMaxAge time.Duration
	// Workers is how many windows are fetched at once (default 4); the client's rate limiter
	// still spaces the calls, so this only matters when the limit is high or off.
	Workers int
	// LeaseTTL is how long the run lease outlives its last renewal (default 30 s): the time
	// within which a run whose process vanished frees the lease. A run renews it every sixth
	// of that and stops once it cannot prove it still holds it.
	LeaseTTL time.Duration
	// ResumeAfter is the first pause before a background run cut short by a database fault
	// (or the loss of its lease) is resumed by a new run (default 1 s, so a short outage
	// costs seconds); the pause doubles with every further attempt, up to 5 minutes. An
	// attempt while the database is away costs one refused connection.
	ResumeAfter time.Duration
	// RetryAfter is the first pause before a background run that CoinGecko cut short (it was
	// unreachable, or refused calls for a while) is tried again (default 1 minute); the pause
	// doubles with every further attempt, up to 30 minutes.
	RetryAfter time.Duration
	// RunTimeout bounds a run's total time; a run that reaches it stops, keeps what it
	// stored and ends partial, and the next run fetches the rest. Zero means no bound.
	RunTimeout time.Duration
	// Holder names this pipeline in the run lease (default host:pid/n, n counting the
	// pipelines of the process), for operators; a pipeline takes back at once a lease held
	// under its own name while it runs nothing, so no two pipelines may share one.
	Holder string
	// Simulated reports whether the source is the CoinGecko simulator; if it is, the stored
	// data is marked so that no page presents it as real. Nil means never.
	Simulated func() bool
	// Now is the clock runs plan their windows and the schedule finds its slots by (default
	// clock.Now). Commands give the database's (store.Clock), so that replicas whose own
	// clocks drift apart agree; tests fix it.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Metrics registers the pipeline's metrics; nil leaves them unregistered.
	Metrics prometheus.Registerer
}

// holeAttempts is how many times runs ask CoinGecko for a missing hour whose samples were
// unusable before the hour is taken as one CoinGecko does not have.
const holeAttempts = 3

// maxResumeWait caps the pause between attempts to resume a run cut short by a database
// fault, and maxRetryWait the pause between attempts of a run CoinGecko cut short: an
// upstream outage lasts longer, and each attempt costs calls of the plan's budget.
const (
	maxResumeWait = 5 * time.Minute
	maxRetryWait  = 30 * time.Minute
)

// pipelines counts the pipelines of this process, to name each one's lease holder apart.
var pipelines atomic.Int64

// Pipeline runs fetches. Background runs started by Start live until the context given to New
// ends; Wait blocks until they have stopped.
type Pipeline struct {
	opts    Options
	base    context.Context
	metrics *metrics

	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup

	// claimMu orders claims, so that active is right when a claim decides whether a lease
	// held under this pipeline's name can only be a leftover.
	claimMu sync.Mutex
	active  int
	onWait  func(LeaseWait)

	retryMu     sync.Mutex
	retryAt     time.Time
	retryReason string
}

// New returns a pipeline whose background runs stop when base is cancelled.
func New(base context.Context, opts Options) *Pipeline {
	if opts.Overlap == 0 {
		opts.Overlap = 48 * time.Hour
	}
	if opts.HoleWindows == 0 {
		opts.HoleWindows = 24
	}
	if opts.MetadataMaxAge == 0 {
		opts.MetadataMaxAge = 7 * 24 * time.Hour
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = 30 * time.Second
	}
	if opts.ResumeAfter <= 0 {
		opts.ResumeAfter = time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = time.Minute
	}
	if opts.Holder == "" {
		host, _ := os.Hostname()
		opts.Holder = host + ":" + strconv.Itoa(os.Getpid()) + "/" + strconv.FormatInt(pipelines.Add(1), 10)
	}
	if opts.Now == nil {
		opts.Now = clock.Now
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

// Run performs one run in the foreground. When another run holds the lease it waits, as long
// as that holder may be gone without the database knowing yet (its network cut rather than
// its process killed), for the lease to lapse, telling OnWait's function how long that is at
// most; a holder that renews meanwhile is alive, and Run returns ErrBusy with its run. A
// holder whose database session has ended does not hold the lease at all: Run claims it at
// once. Unlike background runs, a foreground run cut short by a fault is not resumed: its
// caller, a person at a terminal, decides.
func (p *Pipeline) Run(ctx context.Context, trigger domain.Trigger, progress Progress) (Report, error) {
	var waited domain.Lease
	for {
		l, run, err := p.claim(ctx, trigger, time.Time{})
		if err != nil {
			return Report{}, err
		}
		if l.fence != 0 {
			report, _ := p.execute(ctx, l, run, progress)
			return report, nil
		}
		held, err := p.opts.Store.RunLease(ctx)
		switch {
		case err != nil:
			return Report{Run: run}, err
		case waited.Fence != 0 && (held.Fence != waited.Fence || held.ExpiresAt.After(waited.ExpiresAt)):
			return Report{Run: run}, ErrBusy
		case waited.Fence == 0:
			waited = held
			p.opts.Logger.Warn("another run holds the run lease; waiting for it to lapse unless its holder renews it",
				"run_id", run.ID, "holder", held.Holder, "up_to", held.Remaining.Round(time.Second).String())
			if p.onWait != nil {
				p.onWait(LeaseWait{Run: run, Holder: held.Holder, UpTo: held.Remaining})
			}
		}
		select {
		case <-ctx.Done():
			return Report{Run: run}, context.Cause(ctx)
		case <-time.After(min(held.Remaining+50*time.Millisecond, time.Second)):
		}
	}
}

// LeaseWait is what a foreground run waits for: the run holding the lease, by whom, and how long
// at most before its lease lapses unless renewed.
type LeaseWait struct {
	Run    domain.FetchRun
	Holder string
	UpTo   time.Duration
}

// OnWait sets the function a foreground run calls when it starts waiting for another run's
// lease, so a command can tell its user; call it before Run.
func (p *Pipeline) OnWait(fn func(LeaseWait)) { p.onWait = fn }

// Start begins a run in the background and returns it at once (started is true), or returns
// the run already in progress anywhere in the cluster (started is false).
func (p *Pipeline) Start(ctx context.Context, trigger domain.Trigger) (run domain.FetchRun, started bool, err error) {
	if !p.track() {
		return domain.FetchRun{}, false, ErrStopped
	}
	l, run, err := p.claim(ctx, trigger, time.Time{})
	if err != nil || l.fence == 0 {
		p.wg.Done()
		return run, false, err
	}
	go func() {
		defer p.wg.Done()
		p.runAndResume(p.base, trigger, l, run)
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

// lease is a claimed run lease as this process knows it.
type lease struct {
	fence domain.Fence
	// since is this process's clock just before the claim was sent: the database dates the
	// lease later, so the lease lasts at least TTL from since.
	since time.Time
}

// claim asks for the run lease and a new run. A zero fence means another run made a new one
// unnecessary, and run is that one. A claim that takes longer than the lease would last is
// given up, so a silent database cannot hang a trigger. A claimed lease counts as active
// until execute ends its run; while none is, a lease held under this pipeline's name is a
// leftover of its own run cut short, which it takes back at once.
func (p *Pipeline) claim(ctx context.Context, trigger domain.Trigger, unlessStartedSince time.Time) (lease, domain.FetchRun, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.LeaseTTL)
	defer cancel()
	p.claimMu.Lock()
	defer p.claimMu.Unlock()
	since := time.Now()
	run, fence, err := p.opts.Store.StartRun(ctx, domain.RunClaim{Trigger: trigger, Holder: p.opts.Holder,
		TTL: p.opts.LeaseTTL, UnlessStartedSince: unlessStartedSince, Reclaim: p.active == 0})
	if err == nil && fence != 0 {
		p.active++
	}
	return lease{fence: fence, since: since}, run, err
}

// released counts a claimed lease's run as over.
func (p *Pipeline) released() {
	p.claimMu.Lock()
	p.active--
	p.claimMu.Unlock()
}

// runAndResume executes a claimed run and, as long as runs are cut short by a fault that
// passes (the database away or full, the lease lost, CoinGecko unreachable or refusing
// calls for a while), tries again after a pause that doubles each time, so an outage costs
// minutes rather than the wait for the next scheduled slot. While another run holds the
// lease it keeps trying, since that run may be a leftover whose lease is about to lapse; it
// stops once a run started after the cut one has ended without such a fault (that run did
// the work), once a run ends for any other reason, or when ctx ends. NextRetry tells when
// the next attempt is due.
func (p *Pipeline) runAndResume(ctx context.Context, trigger domain.Trigger, l lease, run domain.FetchRun) {
	defer p.setRetry(time.Time{}, "")
	for {
		_, cause := p.execute(ctx, l, run, nil)
		wait, ceiling, reason := p.retryAfter(cause)
		if wait == 0 {
			return
		}
		// A run started after the cut one is a later attempt at the same work; the
		// microsecond is the resolution of started_at.
		since := run.StartedAt.Add(time.Microsecond)
		for {
			p.opts.Logger.Info("fetch run will be tried again", "after", wait.String(), "cut_short_run_id", run.ID, "reason", reason)
			p.setRetry(p.opts.Now().Add(wait), reason)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, ceiling)
			next, later, err := p.claim(ctx, trigger, since)
			switch {
			case err != nil:
				p.opts.Logger.Warn("try fetch run again", "err", err)
				reason = "the last attempt could not claim the run lease: " + err.Error()
				continue
			case next.fence != 0:
				l, run = next, later
			case later.Status == domain.RunRunning:
				reason = fmt.Sprintf("run %d holds the run lease", later.ID)
				continue
			case later.Status == domain.RunFailed:
				// That run failed too; whoever started it may not try again.
				since = later.StartedAt.Add(time.Microsecond)
				reason = fmt.Sprintf("run %d, started after the cut one, failed too", later.ID)
				continue
			default:
				p.opts.Logger.Info("fetch run not tried again: a later run did the work", "run_id", later.ID, "status", later.Status)
				return
			}
			break
		}
		p.setRetry(time.Time{}, "")
	}
}

// retryAfter tells, for what cut a run short, the first pause before trying again, the
// ceiling of the pauses that follow, and why; a zero pause means not to try again.
func (p *Pipeline) retryAfter(cause error) (first, ceiling time.Duration, reason string) {
	switch {
	case errors.Is(cause, domain.ErrDatabaseDown):
		return p.opts.ResumeAfter, maxResumeWait, "the database was unreachable: " + cause.Error()
	case errors.Is(cause, domain.ErrStorageFull):
		return p.opts.ResumeAfter, maxResumeWait, "the database could not write: " + cause.Error()
	case errors.Is(cause, domain.ErrLeaseLost):
		return p.opts.ResumeAfter, maxResumeWait, "the run lost its lease: " + cause.Error()
	case errors.Is(cause, errSourceUnreachable):
		return p.opts.RetryAfter, maxRetryWait, cause.Error()
	case errors.Is(cause, domain.ErrUnavailable) && !errors.Is(cause, ErrStopped):
		// Trying before the source's own pause ends would only be refused again.
		first = p.opts.RetryAfter
		var c coolingDown
		if errors.As(cause, &c) {
			first = max(first, c.RetryIn())
		}
		return first, max(first, maxRetryWait), "CoinGecko refused calls for a while: " + cause.Error()
	}
	return 0, 0, ""
}

// coolingDown is satisfied by a source error that knows when calls go through again (the
// client's pause after a storm of 429s).
type coolingDown interface{ RetryIn() time.Duration }

func (p *Pipeline) setRetry(at time.Time, reason string) {
	p.retryMu.Lock()
	defer p.retryMu.Unlock()
	p.retryAt, p.retryReason = at, reason
}

// NextRetry tells when this process next tries again a background run that a passing fault
// cut short (by the pipeline's clock), and why; ok is false while no such attempt is pending.
func (p *Pipeline) NextRetry() (at time.Time, reason string, ok bool) {
	p.retryMu.Lock()
	defer p.retryMu.Unlock()
	return p.retryAt, p.retryReason, !p.retryAt.IsZero()
}

// SweepLapsedRuns closes, as often as a holder renews its lease, runs still marked running
// whose lease lapsed, so that no fetch_runs row stays running once its process is gone: reads
// of runs never write, so this sweep and the next claim are what close them. The statement is cheap: an index
// holds the running runs. It runs in the background until the context given to New ends, and
// Wait waits for it.
func (p *Pipeline) SweepLapsedRuns() {
	if !p.track() {
		return
	}
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(p.opts.LeaseTTL / 6)
		defer t.Stop()
		for {
			n, err := p.opts.Store.CloseLapsedRuns(p.base)
			switch {
			case p.base.Err() != nil:
				return
			case err != nil:
				p.opts.Logger.Warn("close lapsed fetch runs", "err", err)
			case n > 0:
				p.opts.Logger.Warn("closed fetch runs whose process stopped renewing their lease", "runs", n)
			}
			select {
			case <-p.base.Done():
				return
			case <-t.C:
			}
		}
	}()
}
