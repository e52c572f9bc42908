package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	appclock "github.com/cryptodash/cryptodash/internal/clock"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/web"
)

// healthAnswer is the part of /api/health these tests read.
type healthAnswer struct {
	Message string `json:"message"`
	Data    struct {
		Status   string `json:"status"`
		Database struct {
			Writes string `json:"writes"`
		} `json:"database"`
		Clock *struct {
			Status      string  `json:"status"`
			SkewSeconds float64 `json:"skewSeconds"`
		} `json:"clock"`
	} `json:"data"`
}

func (f *fixture) health(t *testing.T) healthAnswer {
	t.Helper()
	resp := f.do(http.MethodGet, "/api/health")
	if resp.Code != http.StatusOK {
		t.Fatalf("health answered %d: %s", resp.Code, resp.Body)
	}
	var h healthAnswer
	if err := json.Unmarshal(resp.Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAPI_HealthReportsAFullDiskAsDegraded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := storetest.NewMigratedURL(t)
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	f := newFixture(t, func(d *web.Deps) { d.Store = st })
	if h := f.health(t); h.Data.Status != "healthy" || h.Data.Database.Writes != "ok" {
		t.Fatalf("health before the disk fills: %+v", h)
	}
	free := storetest.FillDisk(t, dbURL)
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}}); err == nil {
		t.Fatal("a write on a full disk succeeded")
	}
	h := f.health(t)
	if h.Data.Status != "degraded" || h.Data.Database.Writes != "failing" || !strings.Contains(h.Message, "refuses writes") {
		t.Errorf("health on a full disk: %+v", h)
	}
	free()
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}}); err != nil {
		t.Fatal(err)
	}
	if h := f.health(t); h.Data.Status != "healthy" || h.Data.Database.Writes != "ok" {
		t.Errorf("health once a write succeeds again: %+v", h)
	}
}

func TestAPI_HealthReportsASkewedClock(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		skew   time.Duration
		status string
	}{{3 * time.Minute, "skewed"}, {-3 * time.Minute, "skewed"}, {30 * time.Second, "ok"}} {
		var clock *store.Clock
		f := newFixture(t, func(d *web.Deps) {
			clock = d.Store.(*store.Store).NewClock(func() time.Time { return appclock.Now().Add(c.skew) })
			d.Clock = clock.Skew
			d.Now = clock.Now
		})
		if h := f.health(t); h.Data.Clock != nil {
			t.Errorf("clock reported before it was read: %+v", h.Data.Clock)
		}
		if err := clock.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		h := f.health(t)
		if h.Data.Clock == nil || h.Data.Clock.Status != c.status || h.Data.Clock.SkewSeconds < c.skew.Seconds()-1 || h.Data.Clock.SkewSeconds > c.skew.Seconds()+1 {
			t.Errorf("clock %s off: health says %+v", c.skew, h.Data.Clock)
		}
		if degraded := h.Data.Status == "degraded"; degraded != (c.status == "skewed") {
			t.Errorf("clock %s off: health status %q (%s)", c.skew, h.Data.Status, h.Message)
		}
	}
}

// countsFailing is a store whose row counts cannot be read while its database answers, as a
// count cut by the health check's deadline on a big table.
type countsFailing struct {
	web.Store
	fail bool
}

func (s *countsFailing) Counts(ctx context.Context) (domain.Counts, error) {
	if s.fail {
		return domain.Counts{}, context.DeadlineExceeded
	}
	return s.Store.Counts(ctx)
}

func TestAPI_HealthStaysUpWhenCountsFail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.NewMigratedURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}}); err != nil {
		t.Fatal(err)
	}
	failing := &countsFailing{Store: st, fail: true}
	f := newFixture(t, func(d *web.Deps) { d.Store = failing })
	h := f.health(t)
	if h.Data.Status != "degraded" || !strings.Contains(h.Message, "row counts could not be read") {
		t.Errorf("health while the counts fail: %+v", h)
	}
	failing.fail = false
	resp := f.do(http.MethodGet, "/api/health")
	var answer struct {
		Data struct {
			Status   string `json:"status"`
			Database struct {
				Stats struct {
					Coins int64 `json:"coins"`
				} `json:"stats"`
			} `json:"database"`
		} `json:"data"`
	}
	if err := json.Unmarshal(resp.Body.Bytes(), &answer); err != nil || resp.Code != http.StatusOK ||
		answer.Data.Status != "healthy" || answer.Data.Database.Stats.Coins != 1 {
		t.Errorf("health once the counts read again: %d %s", resp.Code, resp.Body)
	}
}
