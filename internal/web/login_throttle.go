package web

import (
	"context"
	"maps"
	"math"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Sign-in throttling, after OWASP's authentication guidance: a guesser is slowed, and
// nobody can lock the owner out or make the throttle forget a guesser.
//
//   - Failures are counted per client (an IPv4 address, or an IPv6 /64, which one host
//     usually holds whole): loginAttempts within loginWindow refuse that client, whichever
//     usernames it tries. Made-up usernames add nothing to remember, so a flood of them
//     evicts nothing.
//   - The configured username is counted on its own, over every client: past
//     accountAttempts failures a window, a client that has failed recently is refused for it,
//     while one with no recent failures is still let through. Guessers spread over many
//     addresses get one guess each a window; the owner, signing in from a client that has not
//     been guessing, gets in.
//   - Memory is bounded by throttleClients counters, and a table full of live counters fails
//     closed: a new client is refused until counters expire, rather than an old one forgotten.
//
// Each replica counts in its own memory, so behind a load balancer that spreads one client
// over n replicas the client gets up to n times loginAttempts a window; that is still a few
// guesses a second at most against a bcrypt hash, and needs no shared store. The client is
// the one proxies.client names, never Echo's RealIP.
const (
	loginAttempts   = 10
	loginWindow     = time.Minute
	accountAttempts = 100
	// throttleClients bounds the clients remembered, each with at most loginAttempts times:
	// about 10 MB at most.
	throttleClients = 50_000
	// sweepEvery bounds how often a full table is searched for expired counters, so a flood
	// that keeps it full cannot make every attempt a walk over it.
	sweepEvery = time.Second
	// bcryptSlots is how many password checks run at once: each takes tens of milliseconds of
	// a core by design, and a flood must not take every core from the pages.
	bcryptSlots = 2
	// bcryptWaiters and bcryptWait bound the queue for a slot: past them a sign-in is shed
	// with a 503 rather than queued without end.
	bcryptWaiters = 16
	bcryptWait    = 2 * time.Second
)

// loginThrottle counts failed sign-ins per client and for the configured username in a
// sliding window, and bounds the password checks running at once.
type loginThrottle struct {
	now      func() time.Time
	capacity int

	mu        sync.Mutex
	clients   map[netip.Prefix][]time.Time
	account   []time.Time
	lastSweep time.Time

	bcrypt  *semaphore.Weighted
	waiting atomic.Int32
}

func newLoginThrottle(now func() time.Time, capacity int) *loginThrottle {
	return &loginThrottle{now: now, capacity: capacity, clients: map[netip.Prefix][]time.Time{},
		bcrypt: semaphore.NewWeighted(bcryptSlots)}
}

// clientKey is what a client's failures are counted under: its address, or for IPv6 its /64.
func clientKey(a netip.Addr) netip.Prefix {
	bits := a.BitLen()
	if a.Is6() {
		bits = 64
	}
	p, err := a.Prefix(bits)
	if err != nil {
		// Only an invalid address, which no connection has; it gets a key of its own.
		return netip.Prefix{}
	}
	return p
}

// refusal says why an attempt is not checked.
type refusal int

const (
	admitted refusal = iota
	// throttled: the client, or the username it tries, failed too often; 429.
	throttled
	// tableFull: the throttle cannot count one more client; 503.
	tableFull
)

// begin counts an attempt before its password is checked, so concurrent attempts cannot slip
// past the count together. owner says whether it names the configured username. Refused, it
// says why and for how long; admitted, it returns forget, which takes the attempt back (it
// succeeded, or was never checked).
func (t *loginThrottle) begin(client netip.Addr, owner bool) (why refusal, wait time.Duration, forget func()) {
	now := t.now()
	key := clientKey(client)
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := func(times []time.Time) []time.Time {
		return slices.DeleteFunc(times, func(at time.Time) bool { return now.Sub(at) >= loginWindow })
	}
	times, known := t.clients[key]
	times = recent(times)
	t.account = recent(t.account)
	if len(times) >= loginAttempts {
		t.clients[key] = times
		return throttled, times[len(times)-loginAttempts].Add(loginWindow).Sub(now), nil
	}
	if owner && len(times) > 0 && len(t.account) >= accountAttempts {
		// The client is refused until either its own failures or enough of the account's
		// have left the window.
		own := times[len(times)-1].Add(loginWindow).Sub(now)
		all := t.account[len(t.account)-accountAttempts].Add(loginWindow).Sub(now)
		t.clients[key] = times
		return throttled, min(own, all), nil
	}
	if !known && len(t.clients) >= t.capacity && !t.sweep(now) {
		return tableFull, t.lastSweep.Add(sweepEvery).Sub(now), nil
	}
	t.clients[key] = append(times, now)
	if owner {
		t.account = append(t.account, now)
	}
	return admitted, 0, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if times := t.clients[key]; slices.Contains(times, now) {
			i := slices.Index(times, now)
			if times = slices.Delete(times, i, i+1); len(times) == 0 {
				delete(t.clients, key)
			} else {
				t.clients[key] = times
			}
		}
		if i := slices.Index(t.account, now); owner && i >= 0 {
			t.account = slices.Delete(t.account, i, i+1)
		}
	}
}

// sweep drops the clients whose failures have all left the window, at most once every
// sweepEvery, and reports whether the table has room.
func (t *loginThrottle) sweep(now time.Time) bool {
	if now.Sub(t.lastSweep) >= sweepEvery {
		t.lastSweep = now
		maps.DeleteFunc(t.clients, func(_ netip.Prefix, times []time.Time) bool {
			return len(times) == 0 || now.Sub(times[len(times)-1]) >= loginWindow
		})
	}
	return len(t.clients) < t.capacity
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
