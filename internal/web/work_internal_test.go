package web

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWorkLimiter_BoundsAnswersMadeAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorkLimiter()
	release := make(chan struct{})
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range renderSlots + renderWaiters {
		wg.Go(func() {
			_, _ = w.do(context.Background(), func() (*answer, error) {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				<-release
				running.Add(-1)
				return &answer{}, nil
			})
		})
	}
	for w.waiting.Load() < renderWaiters {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if _, err := w.do(context.Background(), func() (*answer, error) { return &answer{}, nil }); !errors.Is(err, errBusy) {
		t.Errorf("with every slot taken and the queue full: %v, want errBusy", err)
	}
	if waited := time.Since(start); waited > 100*time.Millisecond {
		t.Errorf("a full queue made a request wait %s; it must be refused at once", waited)
	}
	close(release)
	wg.Wait()
	if most.Load() != renderSlots {
		t.Errorf("%d answers were made at once, want at most %d", most.Load(), renderSlots)
	}
}

func TestWorkLimiter_WaitsBrieflyThenSheds(t *testing.T) {
	t.Parallel()
	w := newWorkLimiter()
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range renderSlots {
		wg.Go(func() {
			_, _ = w.do(context.Background(), func() (*answer, error) { <-release; return &answer{}, nil })
		})
	}
	for w.slots.TryAcquire(1) {
		w.slots.Release(1)
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	_, err := w.do(context.Background(), func() (*answer, error) { return &answer{}, nil })
	if waited := time.Since(start); !errors.Is(err, errBusy) || waited < renderWait || waited > renderWait+time.Second {
		t.Errorf("%v after %s, want errBusy after about %s", err, waited, renderWait)
	}
	close(release)
	wg.Wait()
}
