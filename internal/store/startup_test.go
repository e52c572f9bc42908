package store_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/proxytest"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/migrations"
)

// TestStore_ReplicasCreatingAMissingDatabaseTogether starts several processes' stores at
// once on a database that does not exist: each creates or finds it, and migrates it once.
func TestStore_ReplicasCreatingAMissingDatabaseTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for round := range 3 {
		dbURL := storetest.NewURL(t)
		cfg, err := pgx.ParseConfig(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		admin(t, "DROP DATABASE "+cfg.Database)
		const replicas = 4
		errs := make(chan error, replicas)
		for range replicas {
			go func() {
				st, err := store.Open(ctx, dbURL)
				if err != nil {
					errs <- err
					return
				}
				defer st.Close()
				_, err = st.Migrate(ctx)
				errs <- err
			}()
		}
		for range replicas {
			if err := <-errs; err != nil {
				t.Errorf("round %d: a replica failed: %v", round, err)
			}
		}
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		var applied int
		err = conn.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied)
		conn.Close(ctx)
		files, _ := fs.Glob(migrations.FS, "*.sql")
		if err != nil || applied != len(files) {
			t.Errorf("round %d: %d migrations recorded (%v), want each of the %d once", round, applied, err, len(files))
		}
	}
}

func TestStore_NewWithoutADatabase(t *testing.T) {
	t.Parallel()
	proxy := proxytest.New(t, "127.0.0.1:1")
	proxy.Blackhole()
	st, err := store.New(proxy.URL(storetest.NewMigratedURL(t)))
	if err != nil {
		t.Fatalf("New needs no database: %v", err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := st.Coins(ctx); !errors.Is(err, domain.ErrDatabaseDown) {
		t.Errorf("a query without a database: %v, want ErrDatabaseDown", err)
	}
}

// TestStore_RefusedConnectionsAreBusy fills the connection slots of a role: a query that
// needs a new connection is refused for now (SQLSTATE 53300), which the store reports as
// busy, a kind of down a request may wait out.
func TestStore_RefusedConnectionsAreBusy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	limited := storetest.WithConnectionLimit(t, storetest.NewMigratedURL(t), 1)
	hold, err := pgx.Connect(ctx, limited)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close(ctx)
	st, err := store.New(limited)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Coins(ctx); !errors.Is(err, domain.ErrDatabaseBusy) || !errors.Is(err, domain.ErrDatabaseDown) {
		t.Errorf("every slot taken: %v, want ErrDatabaseBusy", err)
	}
	hold.Close(ctx)
	if _, err := st.Coins(ctx); err != nil {
		t.Errorf("a slot free again: %v", err)
	}
}

// admin runs statements on the server's maintenance database.
func admin(t *testing.T, statements ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range statements {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}
