package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestLogin_Throttled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withLogin(t))
	attempt := func(ip, user, password string) *http.Response {
		t.Helper()
		req := newFormRequest("/login", url.Values{"username": {user}, "password": {password}, "next": {"/"}})
		req.RemoteAddr = ip + ":40000"
		return f.send(req).Result()
	}
	throttled := func(t *testing.T, r *http.Response) {
		t.Helper()
		retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if r.StatusCode != http.StatusTooManyRequests || err != nil || retry < 1 || retry > 60 {
			t.Errorf("status %d, Retry-After %q; want 429 and at most a minute", r.StatusCode, r.Header.Get("Retry-After"))
		}
	}

	for i := range 10 {
		if r := attempt("203.0.113.1", testUser, "wrong-"+strconv.Itoa(i)); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+1, r.StatusCode)
		}
	}
	t.Run("the address is refused, even with the right password", func(t *testing.T) {
		throttled(t, attempt("203.0.113.1", testUser, testPassword))
		throttled(t, attempt("203.0.113.1", "someone-else", "x"))
	})
	t.Run("others are still checked", func(t *testing.T) {
		if r := attempt("198.51.100.7", "someone-else", "x"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("another address and username: %d, want 401", r.StatusCode)
		}
	})
	t.Run("the page says why", func(t *testing.T) {
		req := newFormRequest("/login", url.Values{"username": {testUser}, "password": {"x"}})
		req.RemoteAddr = "203.0.113.1:40000"
		if body := f.send(req).Body.String(); !strings.Contains(body, "Too many failed sign-ins. Try again in") {
			t.Errorf("no message: %.300s", body)
		}
	})
	if logs := f.logs.String(); !strings.Contains(logs, `"msg":"login throttled"`) {
		t.Error("a throttled sign-in is not logged")
	}
}

// A stranger's failures must not lock the owner out: the owner, from a client that has not
// been failing, still signs in.
func TestLogin_StrangerCannotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withLogin(t))
	for i := range 10 {
		req := newFormRequest("/login", url.Values{"username": {testUser}, "password": {"wrong-" + strconv.Itoa(i)}})
		req.RemoteAddr = "203.0.113.66:40000"
		if rec := f.send(req); rec.Code != http.StatusUnauthorized {
			t.Fatalf("stranger's failure %d: status %d", i+1, rec.Code)
		}
	}
	req := newFormRequest("/login", url.Values{"username": {testUser}, "password": {testPassword}, "next": {"/"}})
	req.RemoteAddr = "198.51.100.20:40000"
	if rec := f.send(req); rec.Code != http.StatusSeeOther {
		t.Errorf("the owner's correct password from elsewhere: %d, want 303", rec.Code)
	}
}

// A flood of made-up usernames from a second address must neither make the throttle forget
// the guesser nor let it guess again.
func TestLogin_UsernameFloodForgetsNoGuesser(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withLogin(t))
	guess := func(ip, user, password string) int {
		req := newFormRequest("/login", url.Values{"username": {user}, "password": {password}})
		req.RemoteAddr = ip + ":40000"
		return f.send(req).Code
	}
	const guesser, flooder = "203.0.113.1", "198.51.100.9"
	for i := range 10 {
		if code := guess(guesser, testUser, "wrong-"+strconv.Itoa(i)); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d", i+1, code)
		}
	}
	for i := range 10_000 {
		guess(flooder, "made-up-"+strconv.Itoa(i), "x")
	}
	checked := 0
	for i := range 20 {
		if guess(guesser, testUser, "again-"+strconv.Itoa(i)) != http.StatusTooManyRequests {
			checked++
		}
	}
	if checked > 0 {
		t.Errorf("after 10,000 made-up usernames the guesser had %d more passwords checked within the minute, want 0", checked)
	}
}

// Behind CloudFront with an http-only origin only CloudFront-Forwarded-Proto knows the viewer
// came over https; the session cookie must be Secure then, and only when a trusted proxy
// says so.
func TestLogin_SecureCookieBehindCloudFront(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withLogin(t))
	for _, tc := range []struct {
		name, remote string
		want         bool
	}{
		{"from the ALB", "10.0.1.5:34567", true},
		{"from a peer that is no configured proxy", "192.168.1.5:34567", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newFormRequest("/login", url.Values{"username": {testUser}, "password": {testPassword}, "next": {"/"}})
			req.RemoteAddr = tc.remote
			req.Header.Set("X-Forwarded-Proto", "http")
			req.Header.Set("CloudFront-Forwarded-Proto", "https")
			rec := f.send(req)
			var session *http.Cookie
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == "cryptodash_session" {
					session = ck
				}
			}
			if session == nil {
				t.Fatalf("no session cookie: %d", rec.Code)
			}
			if session.Secure != tc.want {
				t.Errorf("Secure = %t, want %t", session.Secure, tc.want)
			}
		})
	}
}
