package web

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

func TestFactsCache_ExpiresAndSkipsFailures(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	cc := newFactsCache()
	cc.now = func() time.Time { return now }
	loads := 0
	fail := false
	load := func(context.Context) (healthFacts, error) {
		loads++
		if fail {
			return healthFacts{}, errors.New("db gone")
		}
		return healthFacts{counts: domain.Counts{Coins: int64(loads)}}, nil
	}
	get := func() (domain.Counts, error) {
		f, err := cc.get(context.Background(), load)
		return f.counts, err
	}

	if n, _ := get(); n.Coins != 1 {
		t.Fatalf("first: %+v", n)
	}
	now = now.Add(healthFactsTTL - time.Second)
	if n, _ := get(); n.Coins != 1 || loads != 1 {
		t.Fatalf("within the TTL: %+v after %d loads", n, loads)
	}
	now = now.Add(2 * time.Second)
	if n, _ := get(); n.Coins != 2 || loads != 2 {
		t.Fatalf("after the TTL: %+v after %d loads", n, loads)
	}
	now = now.Add(healthFactsTTL)
	fail = true
	if _, err := get(); err == nil {
		t.Fatal("a failed load was answered from the cache")
	}
	fail = false
	if n, _ := get(); n.Coins != 4 {
		t.Fatalf("a failed load was cached: %+v", n)
	}
}
