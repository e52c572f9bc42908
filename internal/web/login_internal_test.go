package web

import (
	"context"
	"testing"
	"time"
)

func TestSafeNext(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, next, want string
	}{
		{"root", "/", "/"},
		{"page with query", "/?coins=bitcoin,ethereum&range=3M", "/?coins=bitcoin,ethereum&range=3M"},
		{"status", "/status", "/status"},
		{"escaped path kept escaped", "/a%20b", "/a%20b"},
		{"fragment dropped", "/status#runs", "/status"},
		{"empty", "", "/"},
		{"relative", "status", "/"},
		{"protocol-relative", "//evil.com", "/"},
		{"protocol-relative with path", "//evil.com/login", "/"},
		{"triple slash", "///evil.com", "/"},
		{"tab that browsers strip", "/\t/evil.com", "/"},
		{"newline that browsers strip", "/\n/evil.com", "/"},
		{"carriage return", "/\r/evil.com", "/"},
		{"DEL", "/\x7f/evil.com", "/"},
		{"backslash", "/\\evil.com", "/"},
		{"backslash later in the path", "/status\\..\\x", "/"},
		{"absolute https", "https://evil.com", "/"},
		{"absolute with a local-looking path", "https://evil.com/status", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"data", "data:text/html,<script>alert(1)</script>", "/"},
		// Decoded once, these become "//evil.com" and "/\evil.com"; nothing of ours links
		// to such paths, so they are refused rather than passed on encoded.
		{"encoded slashes", "/%2f%2fevil.com", "/"},
		{"encoded slashes upper case", "/%2F%2Fevil.com", "/"},
		{"encoded backslash", "/%5cevil.com", "/"},
		{"encoded tab", "/%09/evil.com", "/"},
		{"user info", "/@evil.com", "/@evil.com"},
		{"bad escape", "/%zz", "/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := safeNext(tc.next); got != tc.want {
				t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
			}
		})
	}
}

func TestLoginThrottle_Window(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lt := newLoginThrottle(func() time.Time { return now })
	keys := throttleKeysOf("203.0.113.1", "analyst")
	for i := range loginAttempts {
		wait, _ := lt.begin(keys)
		if wait != 0 {
			t.Fatalf("attempt %d refused", i+1)
		}
		now = now.Add(time.Second)
	}
	wait, _ := lt.begin(keys)
	if want := loginWindow - loginAttempts*time.Second; wait != want {
		t.Fatalf("wait %s, want %s: until the first attempt is a window old", wait, want)
	}
	now = now.Add(wait)
	wait, forget := lt.begin(keys)
	if wait != 0 {
		t.Fatalf("still refused once the first attempt left the window: %s", wait)
	}
	forget()
	if wait, _ := lt.begin(keys); wait != 0 {
		t.Errorf("an attempt taken back still counts: %s", wait)
	}
}

func TestLoginThrottle_ShedsWhenChecksAreBusy(t *testing.T) {
	t.Parallel()
	lt := newLoginThrottle(time.Now)
	var releases []func()
	for range bcryptSlots {
		release, ok := lt.checkSlot(context.Background())
		if !ok {
			t.Fatal("a free slot was refused")
		}
		releases = append(releases, release)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, ok := lt.checkSlot(ctx); ok {
		t.Fatal("a third check ran while two were running")
	}
	releases[0]()
	release, ok := lt.checkSlot(context.Background())
	if !ok {
		t.Fatal("a slot freed was not taken")
	}
	release()
	releases[1]()
}
