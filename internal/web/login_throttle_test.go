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
	t.Run("the username is refused from anywhere", func(t *testing.T) {
		throttled(t, attempt("198.51.100.7", testUser, testPassword))
	})
	t.Run("others still sign in", func(t *testing.T) {
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
