package testkit

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNear(t *testing.T) {
	for _, tc := range []struct {
		a, b float64
		want bool
	}{
		{0.1 + 0.2, 0.3, true},
		{1e-12, 0, true},              // near zero the rule is absolute
		{1e-8, 0, false},              // and not looser than 1e-9
		{50_000.000_01, 50_000, true}, // a price, relative
		{50_000.001, 50_000, false},
		{-21, 21, false},
	} {
		if got := Near(tc.a, tc.b); got != tc.want {
			t.Errorf("Near(%g, %g) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends the goroutine, as
// the real one does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = format
	for _, a := range args {
		f.msg += " " + toString(a)
	}
	panic(f)
}

func toString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case time.Duration:
		return v.String()
	}
	return "?"
}

func TestEventually(t *testing.T) {
	calls := 0
	Eventually(t, time.Minute, "the third call", func() (bool, string) { calls++; return calls == 3, "" })
	if calls != 3 {
		t.Errorf("check ran %d times, want until it held (3)", calls)
	}

	rec := &fatalRecorder{TB: t}
	started := time.Now()
	func() {
		defer func() {
			if r := recover(); r != rec {
				t.Fatalf("Eventually did not fail the test: %v", r)
			}
		}()
		Eventually(rec, 50*time.Millisecond, "never", func() (bool, string) { return false, "saw nothing" })
	}()
	if !strings.Contains(rec.msg, "never") || !strings.Contains(rec.msg, "saw nothing") {
		t.Errorf("failure message %q does not say what was awaited and what was seen", rec.msg)
	}
	if time.Since(started) < 50*time.Millisecond {
		t.Errorf("gave up after %s, before its deadline", time.Since(started))
	}
}

func TestSyncBuffer(t *testing.T) {
	var b SyncBuffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _, _ = b.Write([]byte("line\n")) })
	}
	wg.Wait()
	if got := strings.Count(b.String(), "line\n"); got != 8 {
		t.Errorf("%d lines, want 8", got)
	}
}
