package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/sync/semaphore"
)

// Sign-in throttling. Each replica counts in its own memory, so behind a load balancer that
// spreads one client over n replicas the client gets up to n times loginAttempts a window;
// that is still a few guesses a second at most against a bcrypt hash, and needs no shared
// store. The client address is the one the logs carry (see clientIPExtractor): behind
// CloudFront, CloudFront-Viewer-Address must reach the origin, or every viewer behind one
// edge would share one count.
const (
	// loginAttempts failed sign-ins within loginWindow, from one client address or for one
	// username, refuse further attempts until the oldest of them is a window old.
	loginAttempts = 10
	loginWindow   = time.Minute
	// throttleKeys bounds the addresses and usernames remembered, each with at most
	// loginAttempts times: a flood of made-up usernames forgets the oldest, it does not grow.
	throttleKeys = 10_000
	// bcryptSlots is how many password checks run at once: each takes tens of milliseconds of
	// a core by design, and a flood must not take every core from the pages.
	bcryptSlots = 2
	// bcryptWaiters and bcryptWait bound the queue for a slot: past them a sign-in is shed
	// with a 503 rather than queued without end.
	bcryptWaiters = 16
	bcryptWait    = 2 * time.Second
)

// loginThrottle counts sign-in attempts per client address and per username in a sliding
// window, and bounds the password checks running at once.
type loginThrottle struct {
	now func() time.Time

	mu       sync.Mutex
	attempts *simplelru.LRU[string, []time.Time]

	bcrypt  *semaphore.Weighted
	waiting atomic.Int32
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	attempts, err := simplelru.NewLRU[string, []time.Time](throttleKeys, nil)
	if err != nil {
		panic("web: login throttle: " + err.Error())
	}
	return &loginThrottle{now: now, attempts: attempts, bcrypt: semaphore.NewWeighted(bcryptSlots)}
}

// throttleKeysOf names what a sign-in is counted against: the client address and the
// username (hashed, so a long one costs no more memory than a short one).
func throttleKeysOf(clientIP, username string) []string {
	sum := sha256.Sum256([]byte(username))
	return []string{"ip " + clientIP, "user " + hex.EncodeToString(sum[:])}
}

// begin counts an attempt against keys before its password is checked, so concurrent
// attempts cannot slip past the count together. It returns how long to wait instead when any
// key has loginAttempts attempts within the window; otherwise it returns forget, which takes
// the attempt back (it succeeded, or was never checked).
func (t *loginThrottle) begin(keys []string) (wait time.Duration, forget func()) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		times, _ := t.attempts.Peek(k)
		times = slices.DeleteFunc(slices.Clone(times), func(at time.Time) bool { return now.Sub(at) >= loginWindow })
		t.attempts.Add(k, times)
		if len(times) >= loginAttempts {
			wait = max(wait, times[len(times)-loginAttempts].Add(loginWindow).Sub(now))
		}
	}
	if wait > 0 {
		return wait, nil
	}
	for _, k := range keys {
		times, _ := t.attempts.Peek(k)
		t.attempts.Add(k, append(times, now))
	}
	return 0, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		for _, k := range keys {
			times, ok := t.attempts.Peek(k)
			if i := slices.Index(times, now); ok && i >= 0 {
				t.attempts.Add(k, slices.Delete(slices.Clone(times), i, i+1))
			}
		}
	}
}

// checkSlot waits, within ctx and at most bcryptWait, for one of the bcryptSlots password
// checks, and returns its release; ok is false when the check is shed.
func (t *loginThrottle) checkSlot(ctx context.Context) (release func(), ok bool) {
	if t.waiting.Add(1) > bcryptWaiters {
		t.waiting.Add(-1)
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, bcryptWait)
	defer cancel()
	err := t.bcrypt.Acquire(ctx, 1)
	t.waiting.Add(-1)
	if err != nil {
		return nil, false
	}
	return func() { t.bcrypt.Release(1) }, true
}

// retryAfterSeconds is wait as a Retry-After value: whole seconds, at least one.
func retryAfterSeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}
