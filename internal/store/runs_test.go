package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

func TestStore_RunLease(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	claim := domain.RunClaim{Trigger: domain.TriggerCron, Holder: "test:1", TTL: time.Minute}

	first, fence, err := st.StartRun(ctx, claim)
	if err != nil || fence == 0 || first.Status != domain.RunRunning {
		t.Fatalf("first claim = %+v, fence %d, %v", first, fence, err)
	}
	t.Run("a second claim gets the running run and no lease", func(t *testing.T) {
		run, f, err := st.StartRun(ctx, claim)
		if err != nil || f != 0 || run.ID != first.ID {
			t.Fatalf("second claim = %+v, fence %d, %v", run, f, err)
		}
	})
	t.Run("the holder renews and writes under its fence", func(t *testing.T) {
		if err := st.RenewRunLease(ctx, fence, time.Minute); err != nil {
			t.Fatal(err)
		}
		fenced := domain.WithFence(ctx, fence)
		if err := st.UpdateRun(fenced, first.ID, domain.RunProgress{WindowsTotal: 3}); err != nil {
			t.Fatal(err)
		}
		if n, err := st.StoreHourly(fenced, btcUSD, hours(1, 2)); err != nil || n != 2 {
			t.Fatalf("stored %d, %v", n, err)
		}
	})
	var second, third domain.FetchRun
	var fence2 domain.Fence
	t.Run("finishing releases the lease for the next run", func(t *testing.T) {
		fenced := domain.WithFence(ctx, fence)
		dropped := map[domain.Series]int{btcUSD: 2}
		done, err := st.FinishRun(fenced, first.ID, domain.RunSucceeded, domain.RunProgress{WindowsTotal: 3, WindowsDone: 3, SamplesDropped: dropped}, "")
		if err != nil || done.Status != domain.RunSucceeded || done.SamplesDropped[btcUSD] != 2 {
			t.Fatalf("finish = %+v, %v", done, err)
		}
		second, fence2, err = st.StartRun(ctx, claim)
		if err != nil || fence2 <= fence || second.ID == first.ID {
			t.Fatalf("claim after finish = %+v, fence %d after %d, %v", second, fence2, fence, err)
		}
	})
	t.Run("an old fence can neither renew nor write", func(t *testing.T) {
		if err := st.RenewRunLease(ctx, fence, time.Minute); !errors.Is(err, domain.ErrLeaseLost) {
			t.Errorf("renew: %v, want ErrLeaseLost", err)
		}
		stale := domain.WithFence(ctx, fence)
		if _, err := st.StoreHourly(stale, btcUSD, hours(5, 6, 7)); !errors.Is(err, domain.ErrLeaseLost) {
			t.Errorf("store: %v, want ErrLeaseLost", err)
		}
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM prices_hourly`).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d hourly rows, want the 2 stored under the live fence (%v)", n, err)
		}
		if err := st.UpdateRun(stale, second.ID, domain.RunProgress{WindowsDone: 9}); !errors.Is(err, domain.ErrLeaseLost) {
			t.Errorf("update: %v, want ErrLeaseLost", err)
		}
		if _, err := st.FinishRun(stale, second.ID, domain.RunSucceeded, domain.RunProgress{}, ""); !errors.Is(err, domain.ErrLeaseLost) {
			t.Errorf("finish: %v, want ErrLeaseLost", err)
		}
		if run, err := st.Run(ctx, second.ID); err != nil || run.Status != domain.RunRunning || run.WindowsDone != 0 {
			t.Errorf("the live run after stale writes = %+v, %v", run, err)
		}
	})
	t.Run("a lapsed lease is free, and the sweep closes its run", func(t *testing.T) {
		if err := st.RenewRunLease(ctx, fence2, 100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		// The pipeline's sweep, as serve runs it: it finds the run once its lease lapses.
		testkit.Eventually(t, 10*time.Second, "the sweep to close the lapsed run", func() (bool, string) {
			n, err := st.CloseLapsedRuns(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n == 1, fmt.Sprintf("closed %d runs", n)
		})
		run, err := st.LatestRun(ctx)
		if err != nil || run.ID != second.ID || run.Status != domain.RunFailed || run.FinishedAt == nil || run.Error == "" {
			t.Errorf("lapsed run = %+v, %v; want %d failed with a reason", run, err, second.ID)
		}
		if err := st.RenewRunLease(ctx, fence2, time.Minute); !errors.Is(err, domain.ErrLeaseLost) {
			t.Errorf("renewing a lapsed lease: %v, want ErrLeaseLost", err)
		}
		var fence3 domain.Fence
		third, fence3, err = st.StartRun(ctx, claim)
		if err != nil || fence3 == 0 {
			t.Fatalf("claim after lapse = %+v, fence %d, %v", third, fence3, err)
		}
		// The vanished holder's run, back, writes nothing: the claim closed its row, and a
		// later end would overlap the run that took over.
		if lost, err := st.FinishRun(ctx, second.ID, domain.RunFailed, domain.RunProgress{WindowsDone: 1}, "stopped: lost the lease"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("recording a run whose row the next claim closed = %+v, %v; want ErrNotFound", lost, err)
		}
		if closed, err := st.Run(ctx, second.ID); err != nil || closed.Status != domain.RunFailed || closed.Error == "stopped: lost the lease" ||
			closed.FinishedAt == nil || !closed.FinishedAt.Before(third.StartedAt) {
			t.Errorf("the lost run reads %+v, %v; want it as the claim closed it, before the next run started", closed, err)
		}
		if run, _, err := st.StartRun(ctx, claim); err != nil || run.ID != third.ID {
			t.Errorf("the lost run's record freed the live lease: %+v, %v", run, err)
		}
	})
	t.Run("a slot satisfied by a recent run is not claimed", func(t *testing.T) {
		if _, err := st.FinishRun(ctx, third.ID, domain.RunSucceeded, domain.RunProgress{}, ""); err != nil {
			t.Fatal(err)
		}
		slot := claim
		slot.UnlessStartedSince = time.Now().Add(-time.Hour)
		run, f, err := st.StartRun(ctx, slot)
		if err != nil || f != 0 || run.ID != third.ID {
			t.Fatalf("slot claim = %+v, fence %d, %v; want the recent run", run, f, err)
		}
		slot.UnlessStartedSince = time.Now().Add(time.Hour)
		if _, f, err := st.StartRun(ctx, slot); err != nil || f == 0 {
			t.Fatalf("claim for a later slot: fence %d, %v", f, err)
		}
	})
	if _, err := st.Run(ctx, 9999); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown run: %v, want ErrNotFound", err)
	}
}

func TestStore_CloseLapsedRuns(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	run, fence, err := st.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerSchedule, TTL: time.Minute})
	if err != nil || fence == 0 {
		t.Fatal(fence, err)
	}
	if n, err := st.CloseLapsedRuns(ctx); err != nil || n != 0 {
		t.Fatalf("closed %d runs with a live lease, %v", n, err)
	}
	// The holder vanished a minute ago: its lease ran out and nobody renewed it.
	if _, err := conn.Exec(ctx, `UPDATE fetch_lease SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if n, err := st.CloseLapsedRuns(ctx); err != nil || n != 1 {
		t.Fatalf("closed %d runs, %v; want the lapsed one", n, err)
	}
	var status string
	if err := conn.QueryRow(ctx, `SELECT status FROM fetch_runs WHERE id = $1`, run.ID).Scan(&status); err != nil || status != "failed" {
		t.Errorf("lapsed run is %q (%v)", status, err)
	}

	t.Run("reads leave a lapsed run as stored, for the sweep to close", func(t *testing.T) {
		run, fence, err := st.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerSchedule, TTL: time.Minute})
		if err != nil || fence == 0 {
			t.Fatal(fence, err)
		}
		if _, err := conn.Exec(ctx, `UPDATE fetch_lease SET expires_at = now() - interval '1 second'`); err != nil {
			t.Fatal(err)
		}
		runs, err := st.RecentRuns(ctx, 5)
		if err != nil || len(runs) != 2 || runs[0].ID != run.ID || runs[0].Status != domain.RunRunning {
			t.Fatalf("recent runs = %+v, %v; want the lapsed run first, still running", runs, err)
		}
		if latest, err := st.LatestRun(ctx); err != nil || latest.Status != domain.RunRunning {
			t.Fatalf("latest run = %+v, %v; want it as stored, running", latest, err)
		}
		if got, err := st.Run(ctx, run.ID); err != nil || got.Status != domain.RunRunning {
			t.Fatalf("run %d = %+v, %v; want it as stored, running", run.ID, got, err)
		}
	})
}

// A sweep closes the running runs whose lease lapsed and nothing else: a run that ended keeps
// its status, its end and its error however long ago its lease ran out.
func TestStore_CloseLapsedRunsLeavesEndedRuns(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	ended := map[int64]domain.RunStatus{}
	for _, status := range []domain.RunStatus{domain.RunSucceeded, domain.RunPartial, domain.RunFailed} {
		run, fence, err := st.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerSchedule, TTL: time.Minute})
		if err != nil || fence == 0 {
			t.Fatal(fence, err)
		}
		if _, err := st.FinishRun(ctx, run.ID, status, domain.RunProgress{WindowsDone: 3}, "ended as "+string(status)); err != nil {
			t.Fatal(err)
		}
		ended[run.ID] = status
	}
	before, err := st.RecentRuns(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	lapsed, fence, err := st.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerSchedule, TTL: time.Minute})
	if err != nil || fence == 0 {
		t.Fatal(fence, err)
	}
	if _, err := conn.Exec(ctx, `UPDATE fetch_lease SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if n, err := st.CloseLapsedRuns(ctx); err != nil || n != 1 {
		t.Errorf("closed %d runs, %v; want only the lapsed running one", n, err)
	}
	after, err := st.RecentRuns(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]domain.FetchRun{}
	for _, r := range after {
		byID[r.ID] = r
	}
	if byID[lapsed.ID].Status != domain.RunFailed {
		t.Errorf("lapsed run = %+v, want failed", byID[lapsed.ID])
	}
	for _, was := range before {
		now := byID[was.ID]
		if now.Status != ended[was.ID] || now.Error != was.Error || !now.FinishedAt.Equal(*was.FinishedAt) {
			t.Errorf("ended run %d was %s (%q, ended %v), the sweep made it %s (%q, ended %v)",
				was.ID, was.Status, was.Error, was.FinishedAt, now.Status, now.Error, now.FinishedAt)
		}
	}
}
