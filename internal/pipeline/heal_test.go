package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/coingecko"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/proxytest"
	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// outage is how long the database stays away in TestPipeline_ResumesAfterAShortOutage, as a
// fast restart of PostgreSQL would.
const outage = 3 * time.Second

func TestPipeline_ResumesAfterAShortOutage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.sim.SetFaults(simulator.Faults{Slow: 100 * time.Millisecond})
	px := f.proxy()
	// A lease of a minute: the resumed run must not owe its start to the lease lapsing. The
	// pauses between attempts are the defaults, so the figure logged is production's.
	a := f.custom(ctx, coingecko.Config{}, pipeline.Options{Store: f.replica("replica-a", px),
		Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, LeaseTTL: time.Minute})
	release := f.hold(2)
	first, started, err := a.Start(ctx, domain.TriggerCron)
	if err != nil || !started {
		t.Fatal(started, err)
	}
	f.progressing(t)

	// The database restarts: every connection is reset, and new ones are refused, so the run
	// stops without being able to record its end or release its lease.
	px.Refuse()
	cut := time.Now()
	release()
	await(t, outage, "the cut-short run to stop and plan another try", func() bool {
		_, _, ok := a.NextRetry()
		return ok
	})
	time.Sleep(time.Until(cut.Add(outage)))
	px.Restore()
	restored := time.Now()
	f.sim.SetFaults(simulator.Faults{})
	var resumed domain.FetchRun
	await(t, 2*time.Minute, "a resumed run to succeed", func() bool {
		var err error
		resumed, err = f.store.LatestRun(context.Background())
		return err == nil && resumed.ID > first.ID && resumed.Status == domain.RunSucceeded
	})
	t.Logf("history complete %s after the end of a %s outage (run %d resumed as run %d)",
		time.Since(restored).Round(10*time.Millisecond), outage, first.ID, resumed.ID)
	if n := f.count(`SELECT count(DISTINCT (coin_id, currency_code)) FROM prices_hourly WHERE "timestamp" < $1`, f.now.AddDate(0, 0, -360)); n != 4 {
		t.Errorf("%d series reach back a year after the resumed run, want 4", n)
	}
	if _, _, ok := a.NextRetry(); ok {
		t.Error("a retry is still planned after the resumed run succeeded")
	}
	cancel()
	a.Wait()
	f.assertOneAtATime(t)
}

func TestPipeline_RetriesWhenCoinGeckoIsUnreachable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	upstream := proxytest.New(t, f.srv.Listener.Addr().String())
	client, err := coingecko.New(coingecko.Config{BaseURL: "http://" + upstream.Addr(), MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	const retryAfter = 300 * time.Millisecond
	p := pipeline.New(ctx, pipeline.Options{Store: f.store, Source: client, Now: f.clock,
		Coins: []string{"bitcoin"}, Currencies: []domain.Currency{{Code: "usd", Name: "US Dollar"}},
		HistoryDays: 30, RetryAfter: retryAfter})

	upstream.Refuse()
	first, started, err := p.Start(ctx, domain.TriggerSchedule)
	if err != nil || !started {
		t.Fatal(started, err)
	}
	var at time.Time
	var reason string
	await(t, time.Minute, "a retry to be planned", func() bool {
		var ok bool
		at, reason, ok = p.NextRetry()
		return ok
	})
	if !strings.Contains(reason, "CoinGecko unreachable") {
		t.Errorf("retry reason %q does not say CoinGecko was unreachable", reason)
	}
	if want := f.clock(); at.Before(want) || at.After(want.Add(2*retryAfter)) {
		t.Errorf("next retry at %s, want within %s of %s by the pipeline's clock", at, 2*retryAfter, want)
	}
	failed, err := f.store.Run(ctx, first.ID)
	if err != nil || failed.Status != domain.RunFailed || !strings.Contains(failed.Error, "CoinGecko unreachable") {
		t.Errorf("the first run reads %+v, %v; want failed, saying CoinGecko was unreachable", failed, err)
	}

	upstream.Restore()
	await(t, time.Minute, "a retried run to succeed", func() bool {
		run, err := f.store.LatestRun(ctx)
		return err == nil && run.ID > first.ID && run.Status == domain.RunSucceeded && run.Trigger == domain.TriggerSchedule
	})
	await(t, 10*time.Second, "the planned retry to be cleared", func() bool {
		_, _, ok := p.NextRetry()
		return !ok
	})
	cancel()
	p.Wait()
}

func TestPipeline_FillsHolesLeftByNullPrices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	coins := []string{"bitcoin", "dogecoin"}
	all := []domain.Series{series("bitcoin", "usd"), series("bitcoin", "try"), series("dogecoin", "usd"), series("dogecoin", "try")}
	missing := func(f *fixture) int {
		t.Helper()
		n, err := f.store.HoursMissing(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	run := func(f *fixture) domain.FetchRun {
		t.Helper()
		report, err := f.pipeline(ctx, coins, 120).Run(ctx, domain.TriggerCLI, nil)
		if err != nil {
			t.Fatal(err)
		}
		return report.Run
	}

	// The floor: the hours CoinGecko (here the simulator) leaves out of a clean answer.
	clean := newFixture(t)
	run(clean)
	floor := missing(clean)

	f := newFixture(t)
	f.sim.SetFaults(simulator.Faults{NullPrices: true})
	nulls := run(f)
	afterNulls := missing(f)
	if nulls.HoursMissing != afterNulls || afterNulls <= floor {
		t.Fatalf("after a run meeting null prices: %d hours missing, run says %d; a clean answer leaves %d",
			afterNulls, nulls.HoursMissing, floor)
	}
	f.sim.SetFaults(simulator.Faults{})
	next := run(f)
	left := missing(f)
	t.Logf("hours missing: %d after a run with null prices, %d after a clean run that followed (run says %d); a clean backfill leaves %d",
		afterNulls, left, next.HoursMissing, floor)
	if left != floor || next.HoursMissing != left {
		t.Errorf("%d hours missing after the clean run (it says %d), want the %d a clean backfill leaves", left, next.HoursMissing, floor)
	}
	// Nothing is left to ask for: a third run asks for the tail alone.
	f.advance(0)
	run(f)
	if reqs := f.chartRequests(); len(reqs) != len(all) {
		t.Errorf("a run after the holes were filled made %d chart requests, want one tail per series", len(reqs))
	}
}

func TestPipeline_ResumesOnceAFullDiskIsFreed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.sim.SetFaults(simulator.Faults{Slow: 50 * time.Millisecond})
	p := f.custom(ctx, coingecko.Config{}, pipeline.Options{Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365,
		ResumeAfter: 100 * time.Millisecond})
	release := f.hold(2)
	first, started, err := p.Start(ctx, domain.TriggerCron)
	if err != nil || !started {
		t.Fatal(started, err)
	}
	f.progressing(t)
	free := storetest.FillDisk(t, f.url)
	release()
	var reason string
	await(t, time.Minute, "the run cut short by the full disk to plan another try", func() bool {
		var ok bool
		_, reason, ok = p.NextRetry()
		return ok
	})
	if !strings.Contains(reason, "could not write") {
		t.Errorf("retry reason %q does not say the database could not write", reason)
	}
	if run, err := f.store.Run(ctx, first.ID); err != nil || run.Status == domain.RunSucceeded || !strings.Contains(run.Error, "No space left on device") {
		t.Errorf("the run cut short by a full disk reads %+v, %v", run, err)
	}
	free()
	freed := time.Now()
	await(t, 2*time.Minute, "a resumed run to succeed", func() bool {
		run, err := f.store.LatestRun(ctx)
		return err == nil && run.ID > first.ID && run.Status == domain.RunSucceeded
	})
	t.Logf("history complete %s after the disk was freed", time.Since(freed).Round(10*time.Millisecond))
	if n := f.count(`SELECT count(DISTINCT (coin_id, currency_code)) FROM prices_hourly WHERE "timestamp" < $1`, f.now.AddDate(0, 0, -360)); n != 4 {
		t.Errorf("%d series reach back a year after the resumed run, want 4", n)
	}
	cancel()
	p.Wait()
	f.assertOneAtATime(t)
}

func TestPipeline_NoRedundantResume(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.sim.SetFaults(simulator.Faults{Slow: 50 * time.Millisecond})
	px := f.proxy()
	opts := pipeline.Options{Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, LeaseTTL: time.Minute, ResumeAfter: 100 * time.Millisecond}
	a := f.custom(ctx, coingecko.Config{}, func(o pipeline.Options) pipeline.Options { o.Store = f.replica("replica-a", px); return o }(opts))
	b := f.custom(ctx, coingecko.Config{}, opts)
	release := f.hold(2)
	first, started, err := a.Start(ctx, domain.TriggerCron)
	if err != nil || !started {
		t.Fatal(started, err)
	}
	f.progressing(t)
	px.Refuse()
	release()
	await(t, time.Minute, "replica A's cut-short run to plan another try", func() bool {
		_, _, ok := a.NextRetry()
		return ok
	})
	// Replica B takes over at once, A's session being gone, and does the work.
	var second domain.FetchRun
	await(t, time.Minute, "replica B to start a run", func() bool {
		var started bool
		second, started, err = b.Start(ctx, domain.TriggerCron)
		return err == nil && started
	})
	await(t, 2*time.Minute, "replica B's run to succeed", func() bool {
		run, err := f.store.Run(ctx, second.ID)
		return err == nil && run.Status == domain.RunSucceeded
	})
	px.Restore()
	await(t, time.Minute, "replica A to give up its retries", func() bool {
		_, _, ok := a.NextRetry()
		return !ok
	})
	cancel()
	a.Wait()
	b.Wait()
	if n := f.count(`SELECT count(*) FROM fetch_runs`); n != 2 {
		t.Errorf("%d runs, want A's cut-short run %d and B's %d alone: A resumed work B had done", n, first.ID, second.ID)
	}
	f.assertOneAtATime(t)
}

func TestPipeline_ForegroundRunWaitsForASilentHoldersLease(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.sim.SetFaults(simulator.Faults{Slow: 50 * time.Millisecond})
	// Long enough that A, renewing on a machine busy with other suites, keeps its lease until
	// the black hole: with 3 s, beside another suite, it once lost its lease after 1 of 20 windows.
	const ttl = 8 * time.Second
	opts := pipeline.Options{Coins: []string{"bitcoin", "dogecoin"}, HistoryDays: 365, LeaseTTL: ttl}
	px := f.proxy()
	a := f.custom(ctx, coingecko.Config{}, func(o pipeline.Options) pipeline.Options { o.Store = f.replica("replica-a", px); return o }(opts))
	b := f.custom(ctx, coingecko.Config{}, opts)
	release := f.hold(2)
	done := foreground(t, a)
	// Both windows the simulator lets through are stored, so A is waiting on CoinGecko with
	// no write open: the proxy's black hole keeps a cut transaction's locks held for as long
	// as the proxy's sockets live, which no real partition does (keepalives end it), and a
	// claim would wait on them rather than on the lease.
	first := f.storedWindows(t, 2)
	// A's network drops every packet: its session lives on in the database, so nothing
	// proves A gone until its lease lapses.
	px.Blackhole()
	release()
	var waits []pipeline.LeaseWait
	b.OnWait(func(w pipeline.LeaseWait) { waits = append(waits, w) })
	started := time.Now()
	var waited time.Duration
	report, err := b.Run(ctx, domain.TriggerCLI, func(domain.FetchRun) {
		if waited == 0 {
			waited = time.Since(started)
		}
	})
	if err != nil {
		t.Fatalf("a foreground run beside a silent holder: %v", err)
	}
	t.Logf("the foreground run waited %s for the silent holder's lease (TTL %s) and ended %s",
		waited.Round(10*time.Millisecond), ttl, report.Run.Status)
	if len(waits) != 1 || waits[0].Run.ID != first.ID || waits[0].UpTo <= 0 || waits[0].UpTo > ttl {
		t.Errorf("told of waits %+v, want one for run %d of at most %s", waits, first.ID, ttl)
	}
	if report.Run.ID == first.ID || report.Run.Status != domain.RunSucceeded {
		t.Errorf("the foreground run = %+v", report.Run)
	}
	px.Restore()
	<-done
	f.assertOneAtATime(t)
}
