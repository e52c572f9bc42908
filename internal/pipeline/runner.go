package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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

// execute does the work of a run that holds the lock and has its row, and records the outcome.
func (p *Pipeline) execute(ctx context.Context, run domain.FetchRun, progress Progress) Report {
	log := p.opts.Logger.With("run_id", run.ID, "trigger", run.Trigger)
	log.Info("fetch run started")
	r := &runner{p: p, run: run, progress: progress, log: log, report: Report{Failed: map[domain.Series]error{}}}
	err := r.do(ctx)
	status, text := r.outcome(ctx, err)
	// The run's row must be closed even when ctx was cancelled by a shutdown.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	final, ferr := p.opts.Store.FinishRun(finishCtx, run.ID, status, r.snapshot(), text)
	if ferr != nil {
		log.Error("record run outcome", "err", ferr)
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
	return r.report
}

// runner is the state of one run in progress.
type runner struct {
	p        *Pipeline
	log      *slog.Logger
	progress Progress

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
	return r.run.RunProgress
}

func (r *runner) do(ctx context.Context) error {
	opts := r.p.opts
	listed, err := opts.Source.CoinsList(ctx)
	if err != nil {
		return fmt.Errorf("list coins: %w", err)
	}
	known := make(map[string]domain.Coin, len(listed))
	for _, c := range listed {
		known[c.ID] = c
	}
	var coins []domain.Coin
	for _, id := range opts.Coins {
		if c, ok := known[id]; ok {
			coins = append(coins, c)
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
	plans := make(map[domain.Series][]fetchWindow, len(series))
	passes := 0
	total := 0
	for _, s := range series {
		got, has := stored[s]
		plans[s] = planSeries(s, got, has, historyStart, now, opts.Overlap)
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
	return nil
}

// fetchAll fetches and stores windows with a few workers. A series whose window fails is
// recorded and its older windows are skipped; a fatal source error or a database error stops
// everything.
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
				case isFatal(err) || errors.Is(err, errStore):
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

// errStore marks database failures: unlike a CoinGecko error for one series, they would fail
// every series, so the run stops.
var errStore = errors.New("store")

func (r *runner) window(ctx context.Context, w fetchWindow, now time.Time) error {
	from, to := w.requestRange(now)
	t0 := time.Now()
	samples, err := r.p.opts.Source.MarketChartRange(ctx, w.Series.CoinID, w.Series.CurrencyCode, from, to)
	t1 := time.Now()
	if err != nil {
		r.addTimes(t1.Sub(t0), 0, 0, 0)
		return fmt.Errorf("%s %s to %s: %w", w.Series, from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	hours, _ := domain.BucketHourly(samples, w.keep(to))
	t2 := time.Now()
	// A window that arrived is stored even if shutdown begins meanwhile: it takes milliseconds,
	// and a commit cut off by cancellation may land on the server while the run believes it
	// failed, leaving the run's own count wrong.
	storeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	written, err := r.p.opts.Store.StoreHourly(storeCtx, w.Series, hours)
	cancel()
	t3 := time.Now()
	r.addTimes(t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), len(samples))
	if err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	r.mu.Lock()
	r.run.RowsWritten += written
	r.mu.Unlock()
	return nil
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
		m, err := r.p.opts.Source.Coin(ctx, id)
		if err == nil {
			// Cleaned once here, so pages never parse more than the bounded, clean text.
			err = r.p.opts.Store.UpsertMetadata(ctx, sanitize.Metadata(m))
		}
		if err != nil {
			if isFatal(err) || ctx.Err() != nil {
				return err
			}
			r.log.Warn("coin metadata not refreshed", "coin", id, "err", err)
			r.mu.Lock()
			r.metaErrs = append(r.metaErrs, fmt.Sprintf("metadata %s: %v", id, err))
			r.mu.Unlock()
		}
	}
	return nil
}

// publish records progress in fetch_runs and tells the foreground caller.
func (r *runner) publish(ctx context.Context) {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	if err := r.p.opts.Store.UpdateRun(ctx, r.run.ID, r.snapshot()); err != nil && ctx.Err() == nil {
		r.log.Warn("record run progress", "err", err)
	}
	if r.progress != nil {
		r.mu.Lock()
		run := r.run
		r.mu.Unlock()
		r.progress(run)
	}
}

// outcome turns what happened into the run's status and error text, naming every unknown
// coin, failed series and failed metadata refresh.
func (r *runner) outcome(ctx context.Context, err error) (domain.RunStatus, string) {
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
	switch {
	case ctx.Err() != nil:
		return domain.RunFailed, strings.Join(slices.Insert(parts, 0, fmt.Sprintf(
			"interrupted by shutdown after %d of %d windows; every stored window is kept", r.run.WindowsDone, r.run.WindowsTotal)), "; ")
	case err != nil:
		return domain.RunFailed, strings.Join(slices.Insert(parts, 0, err.Error()), "; ")
	case len(r.report.Failed) > 0 && len(r.report.Failed) == r.run.SeriesTotal:
		return domain.RunFailed, strings.Join(parts, "; ")
	case len(parts) > 0:
		return domain.RunPartial, strings.Join(parts, "; ")
	}
	return domain.RunSucceeded, ""
}
