// Package testkit holds what cryptodash's tests share: waiting for a condition against a
// deadline, comparing computed floats by one rule, and collecting log lines written from
// other goroutines. It is imported by tests only.
//
// Tests wait for what they can observe rather than sleep for a guessed time: on a busy
// machine any fixed sleep is sometimes too short, and on an idle one always too long.
package testkit

import (
	"bytes"
	"math"
	"sync"
	"testing"
	"time"
)

// pollEvery is how long Eventually waits between two checks: short beside the deadlines
// tests give, long enough that a check reading the database does not load it.
const pollEvery = 20 * time.Millisecond

// Eventually calls check until it reports done, and fails the test naming what it waited for
// and check's last words (what it saw instead) once timeout has passed without it. check runs
// at least once, and once more after the deadline, so a condition that became true while the
// test slept is never reported as late.
func Eventually(tb testing.TB, timeout time.Duration, what string, check func() (done bool, last string)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, last := check()
		if done {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %s (last: %s)", what, timeout, last)
		}
		time.Sleep(pollEvery)
	}
}

// Tolerance is how far apart two floats computed the same way by two routes (SQL and Go, Go
// and a rounding formatter) may be: a relative 1e-9, measured against at least 1 so values
// near zero compare absolutely. Prices and percentages carry at most about 12 significant
// digits through the system, far coarser than that.
const Tolerance = 1e-9

// Near reports whether a and b are equal within Tolerance: |a-b| <= 1e-9 * max(1, |b|).
func Near(a, b float64) bool {
	return math.Abs(a-b) <= Tolerance*math.Max(1, math.Abs(b))
}

// SyncBuffer collects output, such as a server's log lines, written from several goroutines,
// to read once a test wants to show or search it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
