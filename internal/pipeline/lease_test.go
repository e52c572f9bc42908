package pipeline_test

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/coingecko"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/proxytest"
	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// leaseTTL is the lease TTL of these tests: short by default, so they are quick; with
// -args -lease-ttl=30s they measure the production default (see the logged figures).
var leaseTTL = flag.Duration("lease-ttl", 5*time.Second, "run lease TTL for the lease tests")

// replica opens a store of its own on the fixture's database, named in pg_stat_activity, and
// through px when px is not nil: another process sharing the database.
func (f *fixture) replica(name string, px *proxytest.Proxy) *store.Store {
	f.t.Helper()
	u, err := url.Parse(f.url)
	if err != nil {
		f.t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	target := u.String()
	if px != nil {
		target = px.URL(target)
	}
	st, err := store.Open(context.Background(), target)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(st.Close)
	return st
}

// proxy starts a proxy in front of the fixture's PostgreSQL server.
func (f *fixture) proxy() *proxytest.Proxy {
	f.t.Helper()
	u, err := url.Parse(f.url)
	if err != nil {
		f.t.Fatal(err)
	}
	return proxytest.New(f.t, u.Host)
}

// await polls cond until it holds, failing the test after timeout.
func await(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, timeout, what, func() (bool, string) { return cond(), "it did not happen" })
}

// foreground runs p in the background as a foreground run would go, reporting on the channel.
func foreground(t *testing.T, p *pipeline.Pipeline) <-chan pipeline.Report {
	t.Helper()
	done := make(chan pipeline.Report, 1)
	go func() {
		report, err := p.Run(context.Background(), domain.TriggerCLI, nil)
		if err != nil {
			t.Errorf("run: %v", err)
		}
		done <- report
	}()
	return done
}

// hold makes the market-chart requests after the n-th wait until release is called, so that a
// test acts on a run certain to be midway, however fast or slow the machine.
func (f *fixture) hold(n int) (release func()) {
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	f.t.Cleanup(release)
	f.mu.Lock()
	f.onChart = func(k int) {
		if k > n {
			<-gate
		}
	}
	f.mu.Unlock()
	return release
}

// progressing waits for the newest run to have stored a window and returns it.
func (f *fixture) progressing(t *testing.T) domain.FetchRun {
	t.Helper()
	return f.storedWindows(t, 1)
}

// storedWindows waits for the newest run, still running, to have stored n windows.
func (f *fixture) storedWindows(t *testing.T, n int) domain.FetchRun {
	t.Helper()
	var run domain.FetchRun
	await(t, 2*time.Minute, fmt.Sprintf("a run storing %d windows", n), func() bool {
		var err error
		run, err = f.store.LatestRun(context.Background())
		return err == nil && run.Status == domain.RunRunning && run.WindowsDone >= n
	})
	return run
}

// assertOneAtATime checks that no two runs' lifetimes overlap: whatever happened to their
// connections, a run started only once the one before it had ended.
func (f *fixture) assertOneAtATime(t *testing.T) {
	t.Helper()
	if n := f.count(`SELECT count(*) FROM fetch_runs a JOIN fetch_runs b ON a.id < b.id
		WHERE b.started_at < coalesce(a.finished_at, 'infinity') AND a.started_at < coalesce(b.finished_at, 'infinity')`); n != 0 {
		t.Errorf("%d pairs of runs overlap in time", n)
	}
}

func TestPipeline_KilledConnectionsKeepTheLease(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.sim.SetFaults(simulator.Faults{Slow: 150 * time.Millisecond})
	opts := pipeline.Options{Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, LeaseTTL: *leaseTTL}
	a := f.custom(ctx, coingecko.Config{}, func(o pipeline.Options) pipeline.Options { o.Store = f.replica("replica-a", nil); return o }(opts))
	b := f.custom(ctx, coingecko.Config{}, opts)
	release := f.hold(2)
	done := foreground(t, a)
	first := f.progressing(t)

	// Every connection replica A has, whichever holds the lock, if any.
	if n := f.count(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'replica-a'`); n == 0 {
		t.Fatal("replica A has no connection to kill")
	}
	run, started, err := b.Start(ctx, domain.TriggerCron)
	if err != nil {
		t.Fatal(err)
	}
	release()
	report := <-done
	b.Wait()
	if report.Run.Status == domain.RunSucceeded && started {
		t.Errorf("replica B started run %d while replica A's run %d went on to succeed", run.ID, first.ID)
	}
	if !started && run.ID != first.ID {
		t.Errorf("replica B was told of run %d, want the running %d", run.ID, first.ID)
	}
	t.Logf("A's run ended %s (%s); B started a run: %v", report.Run.Status, report.Run.Error, started)
	f.assertOneAtATime(t)
}

func TestPipeline_LostLeaseStopsTheRunAndRecordsWhy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.sim.SetFaults(simulator.Faults{Slow: 150 * time.Millisecond})
	a := f.custom(ctx, coingecko.Config{}, pipeline.Options{Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, LeaseTTL: *leaseTTL})
	release := f.hold(2)
	done := foreground(t, a)
	first := f.progressing(t)

	// Another holder claims the lease, as it would once this one's lapsed while its process
	// was paused; the run has not been told.
	if n := f.count(`WITH stolen AS (UPDATE fetch_lease SET token = token + 1, holder = 'thief', run_id = NULL,
			expires_at = clock_timestamp() + interval '1 hour' RETURNING 1) SELECT count(*) FROM stolen`); n != 1 {
		t.Fatal("the lease was not taken")
	}
	stolen := time.Now()
	rowsAtTheft := f.count(`SELECT count(*) FROM prices_hourly`)
	release()
	var report pipeline.Report
	select {
	case report = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the run went on for a minute after losing its lease")
	}
	t.Logf("the run stopped %s after its lease was taken (lease TTL %s)", time.Since(stolen).Round(10*time.Millisecond), *leaseTTL)
	if rows := f.count(`SELECT count(*) FROM prices_hourly`); rows != rowsAtTheft {
		t.Errorf("%d hourly rows written after the lease was taken", rows-rowsAtTheft)
	}
	stored, err := f.store.Run(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []domain.FetchRun{report.Run, stored} {
		if run.Status != domain.RunFailed || !strings.Contains(run.Error, "run lease") {
			t.Errorf("run = %s %q, want failed saying it lost the run lease", run.Status, run.Error)
		}
	}
}

func TestPipeline_VanishedHolderFreesTheLease(t *testing.T) {
	t.Parallel()
	for _, vanish := range []struct {
		name string
		cut  func(*proxytest.Proxy)
		// sweep leaves the other replica idle but for its sweep of lapsed runs, to show the
		// table needs no reader; otherwise it triggers runs until one starts.
		sweep bool
	}{
		// The holder's network drops every packet: its connections stay open, silent.
		{"black-holed", func(px *proxytest.Proxy) { px.Blackhole() }, false},
		// The holder is SIGKILLed: its connections end, and it never connects again.
		{"killed", func(px *proxytest.Proxy) { px.Reset(); px.Blackhole() }, true},
	} {
		t.Run(vanish.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			f.sim.SetFaults(simulator.Faults{Slow: 150 * time.Millisecond})
			opts := pipeline.Options{Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, LeaseTTL: *leaseTTL}
			px := f.proxy()
			a := f.custom(ctx, coingecko.Config{}, func(o pipeline.Options) pipeline.Options { o.Store = f.replica("replica-a", px); return o }(opts))
			bctx, stopB := context.WithCancel(ctx)
			defer stopB()
			b := f.custom(bctx, coingecko.Config{}, opts)
			release := f.hold(2)
			done := foreground(t, a)
			first := f.progressing(t)

			vanish.cut(px)
			cut := time.Now()
			release()
			if vanish.sweep {
				b.SweepLapsedRuns()
				await(t, time.Minute+*leaseTTL, "the sweep to close the vanished holder's run", func() bool {
					return f.count(`SELECT count(*) FROM fetch_runs WHERE id = $1 AND status = 'running'`, first.ID) == 0
				})
				t.Logf("the vanished holder's run was closed in the table %s after the cut, with no reader (lease TTL %s)",
					time.Since(cut).Round(10*time.Millisecond), *leaseTTL)
			}
			var next domain.FetchRun
			await(t, time.Minute+*leaseTTL, "replica B to start a run", func() bool {
				run, started, err := b.Start(ctx, domain.TriggerCron)
				if err != nil {
					t.Logf("start on B: %v", err)
				}
				if !started && err == nil && !vanish.sweep && run.ID != first.ID {
					t.Errorf("B was told of run %d, want the vanished holder's %d until its lease lapses", run.ID, first.ID)
				}
				next = run
				return started
			})
			t.Logf("the lease was free for replica B %s after the cut (lease TTL %s)", time.Since(cut).Round(10*time.Millisecond), *leaseTTL)
			if dead, err := f.store.Run(ctx, first.ID); err != nil || dead.Status != domain.RunFailed || !strings.Contains(dead.Error, "lease") {
				t.Errorf("the dead run reads %+v, %v; want failed, naming the lapsed lease", dead, err)
			}

			select {
			case report := <-done:
				// Killed, it may fail on a reset connection before it misses its lease.
				if report.Run.Status != domain.RunFailed {
					t.Errorf("the vanished holder's run ended %s %q, want failed", report.Run.Status, report.Run.Error)
				}
			case <-time.After(time.Minute):
				t.Error("the vanished holder's run did not stop")
			}
			// B's run may itself lose its short test lease on a loaded machine; what matters
			// here is that it could start, and ends.
			await(t, 3*time.Minute, "B's run to finish", func() bool {
				final, err := f.store.Run(ctx, next.ID)
				return err == nil && final.Status != domain.RunRunning
			})
			stopB()
			b.Wait()
			f.assertOneAtATime(t)
		})
	}
}

func TestPipeline_ResumesAfterADatabaseFault(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.sim.SetFaults(simulator.Faults{Slow: 100 * time.Millisecond})
	px := f.proxy()
	a := f.custom(ctx, coingecko.Config{}, pipeline.Options{Store: f.replica("replica-a", px),
		Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, LeaseTTL: *leaseTTL, ResumeAfter: 100 * time.Millisecond})
	release := f.hold(2)
	first, started, err := a.Start(ctx, domain.TriggerCron)
	if err != nil || !started {
		t.Fatal(started, err)
	}
	f.progressing(t)

	// The database goes away under the run: connections reset, new ones get no answer.
	px.Reset()
	px.Blackhole()
	release()
	// Once its lease lapses the sweep of a replica that still reaches the database (the
	// test's own store stands for one) closes the run; reads alone never would.
	await(t, time.Minute+*leaseTTL, "the cut-short run to be closed as failed", func() bool {
		if _, err := f.store.CloseLapsedRuns(context.Background()); err != nil {
			t.Fatal(err)
		}
		run, err := f.store.Run(context.Background(), first.ID)
		return err == nil && run.Status == domain.RunFailed
	})
	px.Restore()
	f.sim.SetFaults(simulator.Faults{})
	var resumed domain.FetchRun
	await(t, 3*time.Minute, "a resumed run to succeed", func() bool {
		var err error
		resumed, err = f.store.LatestRun(context.Background())
		return err == nil && resumed.ID > first.ID && resumed.Status == domain.RunSucceeded
	})
	if resumed.Trigger != domain.TriggerCron {
		t.Errorf("resumed run's trigger %s, want the cut-short run's", resumed.Trigger)
	}
	if n := f.count(`SELECT count(DISTINCT (coin_id, currency_code)) FROM prices_hourly WHERE "timestamp" < $1`, f.now.AddDate(0, 0, -360)); n != 4 {
		t.Errorf("%d series reach back a year after the resumed run, want 4", n)
	}
	cancel()
	a.Wait()
	f.assertOneAtATime(t)
}

// losesAtFinish stands for a lease that lapsed between a run's last window and its end: the
// fenced finish is refused.
type losesAtFinish struct{ pipeline.Store }

func (s losesAtFinish) FinishRun(ctx context.Context, id int64, status domain.RunStatus, p domain.RunProgress, text string) (domain.FetchRun, error) {
	if _, fenced := domain.FenceOf(ctx); fenced {
		return domain.FetchRun{}, fmt.Errorf("finish run %d: %w", id, domain.ErrLeaseLost)
	}
	return s.Store.FinishRun(ctx, id, status, p, text)
}

func TestPipeline_LeaseLostAtTheEndIsRecorded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	p := f.custom(ctx, coingecko.Config{}, pipeline.Options{Store: losesAtFinish{f.store}, Coins: []string{"bitcoin"}, HistoryDays: 3})
	report, err := p.Run(ctx, domain.TriggerCLI, nil)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.store.Run(ctx, report.Run.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []domain.FetchRun{report.Run, stored} {
		if run.Status != domain.RunFailed || !strings.Contains(run.Error, "lost the run lease before recording its end") {
			t.Errorf("run = %s %q, want failed saying it lost its lease", run.Status, run.Error)
		}
	}
}
