package web

import (
	"context"
	"fmt"
	"net/netip"
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
	lt := newLoginThrottle(func() time.Time { return now }, throttleClients)
	client := netip.MustParseAddr("203.0.113.1")
	for i := range loginAttempts {
		if why, _, _ := lt.begin(client, false); why != admitted {
			t.Fatalf("attempt %d refused", i+1)
		}
		now = now.Add(time.Second)
	}
	why, wait, _ := lt.begin(client, false)
	if want := loginWindow - loginAttempts*time.Second; why != throttled || wait != want {
		t.Fatalf("%v, wait %s; want throttled for %s: until the first attempt is a window old", why, wait, want)
	}
	now = now.Add(wait)
	why, _, forget := lt.begin(client, false)
	if why != admitted {
		t.Fatalf("still refused once the first attempt left the window")
	}
	forget()
	if why, wait, _ := lt.begin(client, false); why != admitted {
		t.Errorf("an attempt taken back still counts: %s", wait)
	}
}

func TestLoginThrottle_IPv6CountsPerSlash64(t *testing.T) {
	t.Parallel()
	lt := newLoginThrottle(time.Now, throttleClients)
	for i := range loginAttempts {
		lt.begin(netip.MustParseAddr(fmt.Sprintf("2001:db8:1:2::%x", i+1)), false)
	}
	if why, _, _ := lt.begin(netip.MustParseAddr("2001:db8:1:2:ffff::1"), false); why != throttled {
		t.Errorf("another address of the same /64: %v, want throttled", why)
	}
	if why, _, _ := lt.begin(netip.MustParseAddr("2001:db8:1:3::1"), false); why != admitted {
		t.Errorf("another /64: %v, want admitted", why)
	}
}

func TestLoginThrottle_FullTableFailsClosed(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const capacity = 100
	lt := newLoginThrottle(func() time.Time { return now }, capacity)
	guesser := netip.MustParseAddr("198.51.100.1")
	for range loginAttempts {
		lt.begin(guesser, true)
	}
	for i := range capacity - 1 {
		if why, _, _ := lt.begin(netip.AddrFrom4([4]byte{203, 0, byte(i / 256), byte(i)}), false); why != admitted {
			t.Fatalf("client %d refused before the table was full", i)
		}
	}
	why, wait, _ := lt.begin(netip.MustParseAddr("192.0.2.200"), false)
	if why != tableFull || wait <= 0 || wait > sweepEvery {
		t.Fatalf("a new client with the table full of live counters: %v, wait %s; want refused for at most %s", why, wait, sweepEvery)
	}
	if why, _, _ := lt.begin(guesser, true); why != throttled {
		t.Errorf("the guesser's counter was forgotten: %v", why)
	}
	now = now.Add(loginWindow)
	if why, _, _ := lt.begin(netip.MustParseAddr("192.0.2.200"), false); why != admitted {
		t.Errorf("once the counters expired a new client is still refused: %v", why)
	}
}

func TestLoginThrottle_AccountCeiling(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lt := newLoginThrottle(func() time.Time { return now }, throttleClients)
	for i := range accountAttempts {
		// Each guesser stays under its own limit: the account's ceiling is what stops them.
		if why, _, _ := lt.begin(netip.AddrFrom4([4]byte{198, 51, 100, byte(i / 5)}), true); why != admitted {
			t.Fatalf("guess %d refused", i+1)
		}
	}
	if why, _, _ := lt.begin(netip.MustParseAddr("198.51.100.0"), true); why != throttled {
		t.Errorf("a guesser past the account's ceiling: %v, want throttled", why)
	}
	if why, _, _ := lt.begin(netip.MustParseAddr("198.51.100.0"), false); why != admitted {
		t.Errorf("the same guesser on another username: %v; only the account's ceiling is reached", why)
	}
	if why, _, _ := lt.begin(netip.MustParseAddr("203.0.113.50"), true); why != admitted {
		t.Errorf("the owner from a client with no failures: %v, want admitted", why)
	}
}

func TestLoginThrottle_ShedsWhenChecksAreBusy(t *testing.T) {
	t.Parallel()
	lt := newLoginThrottle(time.Now, throttleClients)
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
