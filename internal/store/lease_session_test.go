package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	appclock "github.com/cryptodash/cryptodash/internal/clock"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// openNamed opens a store of its own on dbURL, its sessions named name in pg_stat_activity.
func openNamed(t *testing.T, dbURL, name string) *store.Store {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	st, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

func TestStore_LeaseOfAnEndedSessionIsFree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storetest.NewMigratedURL(t)
	holder := openNamed(t, dbURL, "lease-holder")
	other := openNamed(t, dbURL, "lease-other")
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	// An hour: nothing in this test may wait for the lease to lapse.
	claim := domain.RunClaim{Trigger: domain.TriggerCLI, Holder: "holder:1", TTL: time.Hour}
	terminate := func(t *testing.T) {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'lease-holder'`).Scan(&n); err != nil || n == 0 {
			t.Fatalf("terminated %d sessions of the holder: %v", n, err)
		}
	}

	first, fence, err := holder.StartRun(ctx, claim)
	if err != nil || fence == 0 {
		t.Fatalf("claim = %+v, %d, %v", first, fence, err)
	}
	t.Run("a live session keeps the lease", func(t *testing.T) {
		if run, f, err := other.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerCron, Holder: "other:1", TTL: time.Hour}); err != nil || f != 0 || run.ID != first.ID {
			t.Fatalf("claim beside a live holder = %+v, %d, %v", run, f, err)
		}
		lease, err := other.RunLease(ctx)
		if err != nil || lease.Fence != fence || lease.Holder != "holder:1" || lease.Remaining < 59*time.Minute {
			t.Fatalf("lease = %+v, %v", lease, err)
		}
	})
	t.Run("a holder whose session was cut renews through a new one", func(t *testing.T) {
		terminate(t)
		if err := holder.RenewRunLease(ctx, fence, time.Hour); err != nil {
			t.Fatal(err)
		}
		if run, f, err := other.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerCron, Holder: "other:1", TTL: time.Hour}); err != nil || f != 0 {
			t.Fatalf("claim beside the renewed holder = %+v, %d, %v", run, f, err)
		}
	})
	var second domain.FetchRun
	t.Run("a holder whose session ended frees the lease at once", func(t *testing.T) {
		terminate(t)
		testkit.Eventually(t, 5*time.Second, "the lease of an ended session, with an hour left on it, to be free", func() (bool, string) {
			var f domain.Fence
			second, f, err = other.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerCron, Holder: "other:1", TTL: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			return f != 0, fmt.Sprintf("still held by run %d", second.ID)
		})
		dead, err := other.Run(ctx, first.ID)
		if err != nil || dead.Status != domain.RunFailed {
			t.Errorf("the ended holder's run reads %+v, %v; want failed", dead, err)
		}
		if err := holder.RenewRunLease(ctx, fence, time.Hour); !errors.Is(err, domain.ErrLeaseLost) {
			t.Errorf("the old holder renews: %v, want ErrLeaseLost", err)
		}
	})
	t.Run("a holder takes back its own leftover lease when it says so", func(t *testing.T) {
		again := domain.RunClaim{Trigger: domain.TriggerCron, Holder: "other:1", TTL: time.Hour}
		if run, f, err := other.StartRun(ctx, again); err != nil || f != 0 || run.ID != second.ID {
			t.Fatalf("claim without Reclaim = %+v, %d, %v", run, f, err)
		}
		if run, f, err := holder.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerCLI, Holder: "holder:1", TTL: time.Hour, Reclaim: true}); err != nil || f != 0 {
			t.Fatalf("another holder's Reclaim took the lease: %+v, %d, %v", run, f, err)
		}
		again.Reclaim = true
		if run, f, err := other.StartRun(ctx, again); err != nil || f == 0 || run.ID == second.ID {
			t.Fatalf("claim with Reclaim = %+v, %d, %v", run, f, err)
		}
	})
}

func TestStore_WriteFailureFollowsWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storetest.NewMigratedURL(t)
	st := openNamed(t, dbURL, "writer")
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertCurrencies(ctx, []domain.Currency{{Code: "usd", Name: "US Dollar"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteFailure(); err != nil {
		t.Fatalf("write failure before any: %v", err)
	}
	free := storetest.FillDisk(t, dbURL)
	_, err := st.StoreHourly(ctx, btcUSD, hours(1, 2))
	if !errors.Is(err, domain.ErrStorageFull) || !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("store on a full disk: %v, want ErrStorageFull", err)
	}
	if err := st.WriteFailure(); !errors.Is(err, domain.ErrStorageFull) {
		t.Errorf("write failure on a full disk: %v", err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Errorf("ping on a full disk: %v; reads go on", err)
	}
	free()
	if _, err := st.StoreHourly(ctx, btcUSD, hours(1, 2)); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteFailure(); err != nil {
		t.Errorf("write failure after a write succeeded: %v", err)
	}
}

func TestClock_FollowsTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	for _, skew := range []time.Duration{3 * time.Hour, -2 * time.Hour, 0} {
		clock := st.NewClock(func() time.Time { return appclock.Now().Add(skew) })
		if _, known := clock.Skew(); known {
			t.Error("skew known before the first read")
		}
		if err := clock.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		got, known := clock.Skew()
		if d := got - skew; !known || d > time.Second || d < -time.Second {
			t.Errorf("local clock %s off: skew measured %s", skew, got)
		}
		// The test's own clock agrees with the database's: they share the machine.
		if d := clock.Now().Sub(appclock.Now()); d > time.Second || d < -time.Second {
			t.Errorf("local clock %s off: Now is %s off the database's", skew, d)
		}
	}
}

func TestStore_LostLeaseWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, conn := seeded(t)
	claim := domain.RunClaim{Trigger: domain.TriggerCron, Holder: "a:1", TTL: time.Hour}
	_, old, err := st.StartRun(ctx, claim)
	if err != nil || old == 0 {
		t.Fatal(old, err)
	}
	// Another holder takes the lease over, as it would once the first one's lapsed.
	if _, err := conn.Exec(ctx, `UPDATE fetch_lease SET token = token + 1, holder = 'b:1', run_id = NULL`); err != nil {
		t.Fatal(err)
	}
	var before string
	if err := conn.QueryRow(ctx, `SELECT (SELECT row(version, simulated)::text FROM data_version) ||
		(SELECT string_agg(id || symbol || name, ',') FROM coins) || (SELECT string_agg(code || name, ',') FROM currencies) ||
		(SELECT count(*) FROM coin_metadata)`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	stale := domain.WithFence(ctx, old)
	for name, write := range map[string]func() error{
		"coins": func() error {
			return st.UpsertCoins(stale, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Renamed"}})
		},
		"currencies": func() error { return st.UpsertCurrencies(stale, []domain.Currency{{Code: "usd", Name: "Renamed"}}) },
		"metadata":   func() error { return st.UpsertMetadata(stale, domain.Metadata{CoinID: "bitcoin", Description: "x"}) },
		"simulated":  func() error { return st.MarkSimulated(stale) },
	} {
		if err := write(); !errors.Is(err, domain.ErrLeaseLost) {
			t.Errorf("%s under a lost lease: %v, want ErrLeaseLost", name, err)
		}
	}
	var after string
	if err := conn.QueryRow(ctx, `SELECT (SELECT row(version, simulated)::text FROM data_version) ||
		(SELECT string_agg(id || symbol || name, ',') FROM coins) || (SELECT string_agg(code || name, ',') FROM currencies) ||
		(SELECT count(*) FROM coin_metadata)`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("a holder that lost its lease changed the tables: %s, then %s", before, after)
	}
}
