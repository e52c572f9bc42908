package store_test

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/proxytest"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// A listening connection whose network drops every packet never learns it is dead; the
// replica must find out by itself, poll meanwhile, and listen again on a new connection.
func TestStore_SilentListenerIsReplaced(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbURL := storetest.NewMigratedURL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	px := proxytest.New(t, u.Host)
	replica, err := store.New(px.URL(dbURL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Close)
	if err := replica.WatchDataVersion(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	writer := openNamed(t, dbURL, "writer")
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	listener := func() (pid, port int) {
		_ = conn.QueryRow(ctx, `SELECT pid, client_port FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()
			ORDER BY backend_start DESC LIMIT 1`, store.ListenerName).Scan(&pid, &port)
		return pid, port
	}
	deadline := func(within time.Duration, what string, cond func() bool) time.Duration {
		t.Helper()
		start := time.Now()
		for !cond() {
			if time.Since(start) > within {
				t.Fatalf("gave up after %s waiting for %s", within, what)
			}
			time.Sleep(10 * time.Millisecond)
		}
		return time.Since(start)
	}
	var pid, port int
	deadline(10*time.Second, "the listener to connect", func() bool { pid, port = listener(); return pid != 0 })
	found := false
	for _, c := range px.Conns() {
		if a, ok := c.UpstreamAddr().(*net.TCPAddr); ok && a.Port == port {
			c.Blackhole()
			found = true
		}
	}
	if !found {
		t.Fatalf("no proxied connection on port %d", port)
	}
	cut := time.Now()
	if err := writer.UpsertCoins(ctx, []domain.Coin{{ID: "coin-" + strconv.FormatInt(cut.UnixNano(), 36), Symbol: "x", Name: "X"}}); err != nil {
		t.Fatal(err)
	}
	want, err := writer.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stale := deadline(5*time.Second, "the replica to see the new version", func() bool {
		v, err := replica.DataVersion(ctx)
		return err == nil && v.Version >= want.Version
	})
	replaced := deadline(5*time.Second, "a new listening connection", func() bool {
		p, _ := listener()
		return p != 0 && p != pid
	})
	t.Logf("with the listener black-holed, the replica served the old version for %s and listened again %s after the cut",
		stale.Round(time.Millisecond), (stale + replaced).Round(time.Millisecond))
	if stale > 2*time.Second {
		t.Errorf("stale for %s, want under 2 s", stale)
	}
	if since := replaced + stale; since > 2500*time.Millisecond {
		t.Errorf("listening again %s after the cut, want about 2 s", since)
	}
}
