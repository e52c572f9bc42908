package web_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/ui"
	"github.com/cryptodash/cryptodash/internal/web"
)

// versionCountingStore is the real store with its DataVersion calls counted.
type versionCountingStore struct {
	*store.Store
	dataVersions atomic.Int64
}

func (s *versionCountingStore) DataVersion(ctx context.Context) (domain.DataVersion, error) {
	s.dataVersions.Add(1)
	return s.Store.DataVersion(ctx)
}

func TestCache_ReadsDataVersionOnce(t *testing.T) {
	t.Parallel()
	var counter *versionCountingStore
	f := newFixture(t, func(d *web.Deps) {
		counter = &versionCountingStore{Store: d.Store.(*store.Store)}
		d.Store = counter
		d.UI = ui.New(ui.Options{Store: counter})
	})
	f.seed()
	for _, tt := range []struct {
		name, route string
		header      []string
		want        int
	}{
		// The cache reads the version for the ETag and hands it to the page's layout.
		{"a page behind the cache", "/", nil, http.StatusOK},
		{"a revalidation", "/", []string{"If-None-Match", "*"}, http.StatusNotModified},
		// /status is not cached, so its layout reads the version itself.
		{"a page outside the cache", "/status", nil, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			counter.dataVersions.Store(0)
			if rec := f.do(http.MethodGet, tt.route, tt.header...); rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if n := counter.dataVersions.Load(); n != 1 {
				t.Errorf("%d DataVersion queries, want 1", n)
			}
		})
	}
}

func TestCache_ETagIgnoresOperationalSettings(t *testing.T) {
	t.Parallel()
	const route = "/api/coins"
	a := newFixture(t)
	a.seed()
	b := newFixture(t, func(d *web.Deps) {
		d.Config.Port, d.Config.LogLevel = 9090, "debug"
		d.Config.FetchSchedule, d.Config.HistoryDays = "off", 30
	})
	b.seed()
	etag := a.do(http.MethodGet, route).Header().Get("ETag")
	if got := b.do(http.MethodGet, route).Header().Get("ETag"); etag == "" || got != etag {
		t.Errorf("ETag %q on a replica differing only in PORT, LOG_LEVEL, FETCH_SCHEDULE and HISTORY_DAYS, %q on the other", got, etag)
	}
	c := newFixture(t, func(d *web.Deps) { d.Config.Currencies[0].Name = "Dollar" })
	c.seed()
	if got := c.do(http.MethodGet, route).Header().Get("ETag"); got == etag {
		t.Errorf("ETag %q unchanged with another currency name", got)
	}
}

// A page says "today is partial" until the day ends, whatever the data version: the ETag
// changes at midnight, so neither a browser nor the CDN keeps yesterday's page by a 304.
func TestCache_ETagChangesWithTheUTCDay(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	clock := time.Date(2026, 3, 10, 23, 59, 0, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	f := newFixture(t, func(d *web.Deps) {
		d.Now = now
		d.UI = ui.New(ui.Options{Store: d.Store.(*store.Store), Now: now})
	})
	f.seed()
	before := f.do(http.MethodGet, "/").Header().Get("ETag")
	if rec := f.do(http.MethodGet, "/", "If-None-Match", before); rec.Code != http.StatusNotModified {
		t.Fatalf("a revalidation the same day: %d, want 304", rec.Code)
	}
	mu.Lock()
	clock = clock.Add(2 * time.Minute)
	mu.Unlock()
	rec := f.do(http.MethodGet, "/", "If-None-Match", before)
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") == before {
		t.Errorf("after midnight: %d with ETag %q (was %q), want a fresh 200", rec.Code, rec.Header().Get("ETag"), before)
	}
}
