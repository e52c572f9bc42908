package web

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// Bounds of the answers a process makes at once. Each cache miss renders a page or an API
// answer (its queries, its encoding and its compression), and the largest, 92 days of hourly
// prices for every series, holds tens of megabytes while it is made: without a bound, a few
// dozen made at once outgrew a 1 GB task. A hit costs none of this and is never queued.
const (
	// renderSlots is how many answers are made at once: a little more than the cores of a
	// task, since part of each is waiting on the database.
	renderSlots = 4
	// renderWaiters and renderWait bound the queue for a slot; past either an answer is
	// refused with a 503 and Retry-After, which CloudFront and browsers retry, rather than
	// queued without end. A waiter holds its goroutine and its request, a few kilobytes, and
	// no answer: the queue is bounded for its wait more than its memory. 32 shed most of a
	// steady 50 clients' misses at once (issue 21) while each would have been answered within
	// a tenth of renderWait; 128 queues them and still refuses a flood at once.
	renderWaiters = 128
	renderWait    = 2 * time.Second
)

// errBusy is the answer to a request shed because too many answers are being made.
var errBusy = fmt.Errorf("too many answers are being made at once: %w", domain.ErrUnavailable)

// workLimiter bounds the answers made at once (see renderSlots).
type workLimiter struct {
	slots   *semaphore.Weighted
	waiting atomic.Int32
}

func newWorkLimiter() *workLimiter {
	return &workLimiter{slots: semaphore.NewWeighted(renderSlots)}
}

// do runs fn in a slot, waiting within ctx and at most renderWait for one; errBusy when
// none frees up in time or too many wait already.
func (w *workLimiter) do(ctx context.Context, fn func() (*answer, error)) (*answer, error) {
	if w.waiting.Add(1) > renderWaiters {
		w.waiting.Add(-1)
		return nil, errBusy
	}
	wait, cancel := context.WithTimeout(ctx, renderWait)
	err := w.slots.Acquire(wait, 1)
	cancel()
	w.waiting.Add(-1)
	if err != nil {
		return nil, errBusy
	}
	defer w.slots.Release(1)
	return fn()
}
