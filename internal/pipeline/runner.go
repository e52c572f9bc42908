package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
)

// fatal is satisfied by source errors that doom every later call too (a missing or wrong API
// key, a plan that does not allow the endpoint): the run stops instead of repeating them.
type fatal interface{ Fatal() bool }

func isFatal(err error) bool {
	var f fatal
	return errors.As(err, &f) && f.Fatal()
}

// errRunTimeout ends a run that reached Options.RunTimeout.
var errRunTimeout = errors.New("the run reached its time limit")

// errSourceUnreachable marks a call CoinGecko never answered (the network or its servers are
// down, after the client's own retries): every other call would meet the same, so the run
// stops, and a background run is tried again later.
var errSourceUnreachable = errors.New("CoinGecko unreachable")

// sourceError names what a failed call was for, marking it errSourceUnreachable when no
// answer came back at all; an error of ctx's own ending is not the network's.
func sourceError(ctx context.Context, what string, err error) error {
	var netErr net.Error
	if ctx.Err() == nil && errors.As(err, &netErr) {
		return fmt.Errorf("%w: %s: %w", errSourceUnreachable, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// execute does the work of a run that holds the lease and has its row, records the outcome
// and releases the lease. It returns the report and what cut the run short, if anything.
func (p *Pipeline) execute(ctx context.Context, l lease, run domain.FetchRun, progress Progress) (Report, error) {
	defer p.released()
	log := p.opts.Logger.With("run_id", run.ID, "trigger", run.Trigger)
	log.Info("fetch run started", "lease_fence", l.fence)
	// leaseCtx ends only when the lease is lost. A window's store runs under it rather than
	// under runCtx: a shutdown must not cut a commit off mid-flight, but a lost lease must.
	leaseCtx, endLease := context.WithCancelCause(domain.WithFence(context.WithoutCancel(ctx), l.fence))
	defer endLease(nil)
	var lostOnce sync.Once
	lose := func(err error) {
		lostOnce.Do(func() { log.Warn("run lease lost; the run stops", "err", err) })
		endLease(err)
	}
	runCtx, stop := context.WithCancelCause(domain.WithFence(ctx, l.fence))
	defer stop(nil)
	defer context.AfterFunc(leaseCtx, func() { stop(context.Cause(leaseCtx)) })()
	if p.opts.RunTimeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeoutCause(runCtx, p.opts.RunTimeout, errRunTimeout)
		defer cancel()
	}
	stopHeartbeat := p.keepLease(l, lose, log)

	r := &runner{p: p, run: run, progress: progress, log: log, leaseCtx: leaseCtx, lose: lose,
		report: Report{Failed: map[domain.Series]error{}}}
	err := r.do(runCtx)
	cause := err
	switch {
	case leaseCtx.Err() != nil:
		cause = context.Cause(leaseCtx)
	case runCtx.Err() != nil:
		cause = context.Cause(runCtx)
	}
	status, text := r.outcome(cause)
	stopHeartbeat()

	// The run's row must be closed even when ctx was cancelled by a shutdown. A run that lost
	// its lease closes it without the fence, which would refuse the write; the row is its own.
	finish := func(fenced bool) (domain.FetchRun, error) {
		finishCtx := context.WithoutCancel(ctx)
		if fenced {
			finishCtx = domain.WithFence(finishCtx, l.fence)
		}
		finishCtx, cancel := context.WithTimeout(finishCtx, 10*time.Second)
		defer cancel()
		return p.opts.Store.FinishRun(finishCtx, run.ID, status, r.snapshot(), text)
	}
	final, ferr := finish(!errors.Is(cause, domain.ErrLeaseLost))
	if errors.Is(ferr, domain.ErrLeaseLost) {
		cause = ferr
		status, text = domain.RunFailed, "lost the run lease before recording its end (it expired or another run claimed it); "+
			"every window this run reported stored is kept"
		if parts := r.joined(); parts != "" {
			text += "; " + parts
		}
		final, ferr = finish(false)
	}
	switch {
	case errors.Is(ferr, domain.ErrNotFound):
		log.Warn("the run's row was closed when another run took over its lease; it is left as that run wrote it")
	case ferr != nil:
		log.Error("record run outcome", "err", ferr)
	}
	if ferr != nil {
		final = r.run
		final.Status, final.Error = status, text
	}
	r.report.Run = final
	p.metrics.observe(final)
	level := slog.LevelInfo
	if status != domain.RunSucceeded {
		level = slog.LevelWarn
	}
	log.Log(ctx, level, "fetch run finished", "status", status, "rows_written", final.RowsWritten,
		"windows", fmt.Sprintf("%d/%d", final.WindowsDone, final.WindowsTotal), "error", text,
		"fetch_ms", r.report.FetchTime.Milliseconds(), "process_ms", r.report.ProcessTime.Milliseconds(),
		"store_ms", r.report.StoreTime.Milliseconds())
	if progress != nil {
		progress(final)
	}
	return r.report, cause
}

// keepLease renews the lease every sixth of its TTL until the returned function is called.
// It calls lose when the lease is lost: a renewal says so, or no renewal has succeeded for
// five sixths of the TTL counted from before the last good one was sent. The database dates a
// lease later than that, and the sixth left is the margin for a busy machine's late timers
// and the clocks of the process and the database: the run stops before its lease can lapse
// and another run start.
func (p *Pipeline) keepLease(l lease, lose func(error), log *slog.Logger) (stop func()) {
	ttl := p.opts.LeaseTTL
	every := ttl / 6
	trusted := ttl - every
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		validUntil := l.since.Add(trusted)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			sent := time.Now()
			renewCtx, cancelRenew := context.WithDeadline(ctx, validUntil)
			err := p.opts.Store.RenewRunLease(renewCtx, l.fence, ttl)
			cancelRenew()
			switch {
			case ctx.Err() != nil:
				return
			case err == nil:
				validUntil = sent.Add(trusted)
			case errors.Is(err, domain.ErrLeaseLost):
				lose(fmt.Errorf("%w: it expired or another run claimed it", domain.ErrLeaseLost))
				return
			case !time.Now().Before(validUntil):
				lose(fmt.Errorf("%w: not renewed for %s, so it may be about to lapse: %w", domain.ErrLeaseLost, trusted, err))
				return
			default:
				log.Warn("renew run lease", "err", err)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// runner is the state of one run in progress.
type runner struct {
	p        *Pipeline
	log      *slog.Logger
	progress Progress
	// leaseCtx carries the run's fence and ends only when the lease is lost; lose ends it.
	leaseCtx context.Context
	lose     func(error)

	// pubMu keeps progress writes in order, so the stored progress never steps backwards.
	pubMu    sync.Mutex
	mu       sync.Mutex
	run      domain.FetchRun
	report   Report
	metaErrs []string
}

func (r *runner) snapshot() domain.RunProgress {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.run.RunProgress
	p.SamplesDropped = maps.Clone(p.SamplesDropped)
	return p
}

func (r *runner) do(ctx context.Context) error {
	opts := r.p.opts
	listed, err := opts.Source.CoinsList(ctx)
	if err != nil {
		return sourceError(ctx, "list coins", err)
	}
	known := make(map[string]domain.Coin, len(listed))
	for _, c := range listed {
		known[c.ID] = c
	}
	var coins []domain.Coin
	for _, id := range opts.Coins {
		if c, ok := known[id]; ok {
			coins = append(coins, sanitize.Coin(c))
		} else {
			r.report.UnknownCoins = append(r.report.UnknownCoins, id)
		}
	}
	if len(r.report.UnknownCoins) > 0 {
		r.log.Warn("configured coin ids unknown to CoinGecko are skipped", "ids", r.report.UnknownCoins)
	}
	if len(coins) == 0 {
		return errors.New("none of the configured coins is known to CoinGecko")
	}
	if err := opts.Store.UpsertCoins(ctx, coins); err != nil {
		return err
	}
	if err := opts.Store.UpsertCurrencies(ctx, opts.Currencies); err != nil {
		return err
	}
	if opts.Simulated() {
		if err := opts.Store.MarkSimulated(ctx); err != nil {
			return err
		}
	}

	var series []domain.Series
	for _, c := range coins {
		for _, cur := range opts.Currencies {
			series = append(series, domain.Series{CoinID: c.ID, CurrencyCode: cur.Code})
		}
	}
	stored, err := opts.Store.StoredRanges(ctx, series)
	if err != nil {
		return err
	}
	now := opts.Now().UTC()
	// An hour of margin keeps the oldest request inside the plan's history even if this
	// clock runs ahead of CoinGecko's.
	historyStart := now.Add(-time.Duration(opts.HistoryDays)*24*time.Hour + time.Hour)
	holes, err := opts.Store.Holes(ctx, series, holeAttempts)
	if err != nil {
		return err
	}
	plans := make(map[domain.Series][]fetchWindow, len(series))
	holePlans := make(map[domain.Series][]fetchWindow, len(series))
	for _, s := range series {
		got, has := stored[s]
		plans[s] = planSeries(s, got, has, historyStart, now, opts.Overlap)
		if has {
			holePlans[s] = planHoles(s, holes[s], historyStart, tailStart(got, historyStart, opts.Overlap))
		}
	}
	// The budget goes round the series, newest holes first, so that one series full of
	// holes cannot take every call.
	for budget, round := opts.HoleWindows, 0; budget > 0; round++ {
		added := false
		for _, s := range series {
			if budget > 0 && round < len(holePlans[s]) {
				plans[s] = append(plans[s], holePlans[s][round])
				budget--
				added = true
			}
		}
		if !added {
			break
		}
	}
	passes := 0
	total := 0
	for _, s := range series {
		passes = max(passes, len(plans[s]))
		total += len(plans[s])
	}
	r.mu.Lock()
	r.run.SeriesTotal, r.run.WindowsTotal = len(series), total
	r.mu.Unlock()
	r.publish(ctx)

	remaining := make(map[domain.Series]int, len(series))
	for s, ws := range plans {
		remaining[s] = len(ws)
	}
	// Pass k fetches the k-th newest window of every series, so after the first pass the
	// dashboard already shows the most recent months of everything.
	for pass := 0; pass < passes; pass++ {
		var batch []fetchWindow
		for _, s := range series {
			if _, failed := r.report.Failed[s]; !failed && pass < len(plans[s]) {
				batch = append(batch, plans[s][pass])
			}
		}
		if err := r.fetchAll(ctx, batch, now, remaining); err != nil {
			return err
		}
		if pass == 0 {
			if err := r.refreshMetadata(ctx, coins); err != nil {
				return err
			}
		}
	}
	missing, err := opts.Store.HoursMissing(ctx, series)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.run.HoursMissing = missing
	r.mu.Unlock()
	// CoinGecko leaves a few hours out of most series for good, so this is news, not alarm.
	if missing > 0 {
		r.log.Info("hours still missing inside the stored ranges", "hours", missing)
	}
	return nil
}

// fetchAll fetches and stores windows with a few workers. A series whose window fails is
// recorded and its older windows are skipped; an error that would fail every series (see
// stopsRun) stops everything.
func (r *runner) fetchAll(ctx context.Context, batch []fetchWindow, now time.Time, remaining map[domain.Series]int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan fetchWindow)
	var wg sync.WaitGroup
	for range r.p.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range jobs {
				err := r.window(ctx, w, now)
				var stop error
				r.mu.Lock()
				switch {
				case err == nil:
					r.run.WindowsDone++
					remaining[w.Series]--
					if remaining[w.Series] == 0 {
						r.run.SeriesDone++
					}
				case ctx.Err() != nil:
				case stopsRun(err):
					stop = err
				default:
					r.report.Failed[w.Series] = err
					r.run.WindowsDone += remaining[w.Series]
					remaining[w.Series] = 0
					r.run.SeriesDone++
				}
				r.mu.Unlock()
				if stop != nil {
					cancel(stop)
				} else if err != nil && ctx.Err() == nil {
					r.log.Warn("series failed", "series", w.Series.String(), "err", err)
				}
				r.publish(ctx)
			}
		}()
	}
send:
	for _, w := range batch {
		select {
		case jobs <- w:
		case <-ctx.Done():
			break send
		}
	}
	close(jobs)
	wg.Wait()
	return context.Cause(ctx)
}

// storeTimeout bounds storing one window, which normally takes milliseconds; it only matters
// when the database hangs during a shutdown.
const storeTimeout = 30 * time.Second

// errStore marks database failures other than rejected data: unlike a CoinGecko error for one
// series, they would fail every series, so the run stops.
var errStore = errors.New("store")

// stopsRun reports an error of one window that dooms the others too: a fatal source error (a
// missing key), a source that refuses calls for now (a 429 storm), a database that is away or
// a lost lease. Anything else, data the database rejected among it, fails only its series.
func stopsRun(err error) bool {
	return isFatal(err) || errors.Is(err, errStore) || errors.Is(err, domain.ErrUnavailable) || errors.Is(err, domain.ErrLeaseLost) ||
		errors.Is(err, errSourceUnreachable)
}

func (r *runner) window(ctx context.Context, w fetchWindow, now time.Time) error {
	from, to := w.requestRange(now)
	name := fmt.Sprintf("%s %s to %s", w.Series, from.Format(time.DateOnly), to.Format(time.DateOnly))
	t0 := time.Now()
	samples, err := r.p.opts.Source.MarketChartRange(ctx, w.Series.CoinID, w.Series.CurrencyCode, from, to)
	t1 := time.Now()
	if err != nil {
		r.addTimes(t1.Sub(t0), 0, 0, 0)
		return sourceError(ctx, name, err)
	}
	hours, dropped := domain.BucketHourly(samples, w.keep(to))
	t2 := time.Now()
	if n := dropped.Total(); n > 0 {
		r.mu.Lock()
		if r.run.SamplesDropped == nil {
			r.run.SamplesDropped = map[domain.Series]int{}
		}
		r.run.SamplesDropped[w.Series] += n
		r.mu.Unlock()
		r.log.Warn("unusable samples dropped", "series", w.Series.String(), "dropped", n, "kept_hours", len(hours))
	}
	if len(hours) == 0 && dropped.Total() > 0 {
		r.addTimes(t1.Sub(t0), t2.Sub(t1), 0, len(samples))
		return fmt.Errorf("%s: no usable sample, %d dropped: %s", name, dropped.Total(), dropped.Cause())
	}
	written, err := r.store(w.Series, hours)
	if err == nil {
		err = r.noteAsked(w.Series, w.keep(to).Own, samples)
	}
	t3 := time.Now()
	r.addTimes(t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), len(samples))
	switch {
	case errors.Is(err, domain.ErrRejected):
		return fmt.Errorf("%s: %w", name, err)
	case errors.Is(err, domain.ErrLeaseLost):
		r.lose(err)
		return fmt.Errorf("%w: %w", errStore, err)
	case err != nil:
		return fmt.Errorf("%w: %w", errStore, err)
	}
	r.mu.Lock()
	r.run.RowsWritten += written
	r.mu.Unlock()
	return nil
}

// store writes a window's hours. It goes on even if shutdown begins meanwhile: it takes
// milliseconds, and a commit cut off by cancellation may land on the server while the run
// believes it failed, leaving the run's own count wrong. A lost lease does cut it off: the
// fence would refuse the commit anyway. A store that lost its connection is tried once more
// on another: the transaction did not commit (or, its answer lost, committed, and the second
// try writes nothing), so one killed connection costs a retry rather than the run.
func (r *runner) store(s domain.Series, hours []domain.Sample) (int64, error) {
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(r.leaseCtx, storeTimeout)
		written, err := r.p.opts.Store.StoreHourly(ctx, s, hours)
		cancel()
		if err == nil || attempt == 2 || !errors.Is(err, domain.ErrDatabaseDown) || r.leaseCtx.Err() != nil {
			return written, err
		}
		r.log.Warn("store window: connection lost, trying once more", "series", s.String(), "err", err)
	}
}

// noteAsked records, under the run's fence, which hours of own the answer left missing, and
// which of those had only unusable samples and are worth asking for again.
func (r *runner) noteAsked(s domain.Series, own domain.Range, samples []domain.Sample) error {
	var retry []time.Time
	for _, smp := range samples {
		if !domain.ValidPrice(smp.Price) && own.Contains(smp.Time) {
			retry = append(retry, smp.Time.UTC().Truncate(time.Hour))
		}
	}
	ctx, cancel := context.WithTimeout(r.leaseCtx, storeTimeout)
	defer cancel()
	return r.p.opts.Store.NoteAsked(ctx, s, own, retry, holeAttempts)
}

func (r *runner) addTimes(fetch, process, store time.Duration, samples int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report.FetchTime += fetch
	r.report.ProcessTime += process
	r.report.StoreTime += store
	r.report.Samples += samples
}

// refreshMetadata fetches hover-card facts of coins whose metadata is missing or old. A coin
// whose metadata cannot be fetched keeps what it had; the run names it and ends partial.
func (r *runner) refreshMetadata(ctx context.Context, coins []domain.Coin) error {
	ids := make([]string, len(coins))
	for i, c := range coins {
		ids[i] = c.ID
	}
	stale, err := r.p.opts.Store.StaleMetadata(ctx, ids, r.p.opts.MetadataMaxAge)
	if err != nil {
		return err
	}
	for _, id := range stale {
		// Cleaned once here, so pages never parse more than the bounded, clean text.
		m, err := r.p.opts.Source.Coin(ctx, id)
		if err != nil {
			err = sourceError(ctx, "metadata "+id, err)
		} else if err = r.p.opts.Store.UpsertMetadata(ctx, sanitize.Metadata(m)); err != nil {
			err = fmt.Errorf("metadata %s: %w", id, err)
		}
		if err != nil {
			if stopsRun(err) || ctx.Err() != nil {
				return err
			}
			r.log.Warn("coin metadata not refreshed", "coin", id, "err", err)
			r.mu.Lock()
			r.metaErrs = append(r.metaErrs, err.Error())
			r.mu.Unlock()
		}
	}
	return nil
}

// publish records progress in fetch_runs and tells the foreground caller. A progress write
// the fence refuses means the lease is lost, and the run stops.
func (r *runner) publish(ctx context.Context) {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	err := r.p.opts.Store.UpdateRun(ctx, r.run.ID, r.snapshot())
	switch {
	case errors.Is(err, domain.ErrLeaseLost):
		r.lose(err)
	case err != nil && ctx.Err() == nil:
		r.log.Warn("record run progress", "err", err)
	}
	if r.progress != nil {
		r.mu.Lock()
		run := r.run
		r.mu.Unlock()
		r.progress(run)
	}
}

// outcome turns what cut the run short, if anything, into the run's status and error text,
// naming every unknown coin, failed series and failed metadata refresh.
func (r *runner) outcome(cause error) (domain.RunStatus, string) {
	r.mu.Lock()
	done, total := r.run.WindowsDone, r.run.WindowsTotal
	allFailed := len(r.report.Failed) > 0 && len(r.report.Failed) == r.run.SeriesTotal
	r.mu.Unlock()
	parts := r.joined()
	with := func(first string) string {
		if parts == "" {
			return first
		}
		return first + "; " + parts
	}
	kept := fmt.Sprintf("after %d of %d windows; every stored window is kept and the next run fetches the rest", done, total)
	switch {
	case errors.Is(cause, domain.ErrLeaseLost):
		return domain.RunFailed, with(fmt.Sprintf("stopped: %v, %s", cause, kept))
	case errors.Is(cause, errRunTimeout):
		return domain.RunPartial, with(fmt.Sprintf("stopped at the run's time limit of %s (FETCH_RUN_TIMEOUT) %s", r.p.opts.RunTimeout, kept))
	case errors.Is(cause, context.Canceled):
		return domain.RunFailed, with("interrupted by shutdown " + kept)
	case errors.Is(cause, domain.ErrUnavailable) && !errors.Is(cause, domain.ErrDatabaseDown):
		return domain.RunPartial, with(fmt.Sprintf("stopped: %v, %s", cause, kept))
	case cause != nil:
		return domain.RunFailed, with(cause.Error())
	case allFailed:
		return domain.RunFailed, parts
	case parts != "":
		return domain.RunPartial, parts
	}
	return domain.RunSucceeded, ""
}

// joined lists every unknown coin, failed series and failed metadata refresh, in a stable
// order, for the run's error text.
func (r *runner) joined() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var parts []string
	if len(r.report.UnknownCoins) > 0 {
		parts = append(parts, "unknown coin ids (renamed or retired on CoinGecko? check COINS): "+strings.Join(r.report.UnknownCoins, ", "))
	}
	failed := make([]domain.Series, 0, len(r.report.Failed))
	for s := range r.report.Failed {
		failed = append(failed, s)
	}
	sort.Slice(failed, func(i, j int) bool { return failed[i].String() < failed[j].String() })
	for _, s := range failed {
		parts = append(parts, r.report.Failed[s].Error())
	}
	parts = append(parts, r.metaErrs...)
	return strings.Join(parts, "; ")
}
