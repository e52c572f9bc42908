package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cryptodash/cryptodash/static"
)

func TestWeb_HSTSAndPermissionsPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	for _, tt := range []struct {
		name   string
		target string
		remote string
		header []string
		hsts   bool
	}{
		{"plain http", "http://dash.example/", "203.0.113.9:1234", nil, false},
		{"https on this connection", "https://dash.example/", "203.0.113.9:1234", nil, true},
		{"https at the load balancer", "http://dash.example/api/coins", "10.0.1.5:34567", []string{"X-Forwarded-Proto", "https"}, true},
		{"https at CloudFront, http to the origin", "http://dash.example/nope", "10.0.1.5:34567",
			[]string{"X-Forwarded-Proto", "http", "CloudFront-Forwarded-Proto", "https"}, true},
		{"a client claiming https itself", "http://dash.example/", "203.0.113.9:1234", []string{"X-Forwarded-Proto", "https"}, false},
		{"a static file", "https://dash.example" + static.Path("js/app.js"), "203.0.113.9:1234", nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			req.RemoteAddr = tt.remote
			for i := 0; i+1 < len(tt.header); i += 2 {
				req.Header.Set(tt.header[i], tt.header[i+1])
			}
			rec := f.send(req)
			if got := rec.Header().Get("Strict-Transport-Security"); (got == "max-age=31536000") != tt.hsts || (got != "" && !tt.hsts) {
				t.Errorf("HSTS %q, want it %t", got, tt.hsts)
			}
			if got := rec.Header().Get("Permissions-Policy"); !strings.Contains(got, "camera=()") || !strings.Contains(got, "geolocation=()") {
				t.Errorf("Permissions-Policy %q", got)
			}
		})
	}
}

func TestWeb_WrongMethodIs405WithAllow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	f.seed()
	for _, tt := range []struct{ method, target, allow string }{
		{http.MethodPost, "/", "GET, HEAD, OPTIONS"},
		{http.MethodDelete, "/partials/table?page=2", "GET, HEAD, OPTIONS"},
		{http.MethodPut, "/coins/bitcoin", "GET, HEAD, OPTIONS"},
		{http.MethodPatch, "/partials/coins/bitcoin/card", "GET, HEAD, OPTIONS"},
		{http.MethodPost, "/status", "GET, HEAD, OPTIONS"},
		{http.MethodPost, "/dashboard.csv", "GET, HEAD, OPTIONS"},
		{http.MethodPost, "/metrics", "GET, HEAD, OPTIONS"},
		{http.MethodPost, static.Path("js/app.js"), "GET, HEAD, OPTIONS"},
		{http.MethodDelete, "/static/js/nothing.js", "GET, HEAD, OPTIONS"},
		{"PROPFIND", "/", "GET, HEAD, OPTIONS"},
		{"FOO", "/api/cron/fetch-data", "GET, HEAD, OPTIONS, POST"},
		{"FOO", "/coins/bitcoin", "GET, HEAD, OPTIONS"},
	} {
		rec := f.do(tt.method, tt.target)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != tt.allow || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: status %d, Allow %q, Cache-Control %q; want 405 with Allow %q",
				tt.method, tt.target, rec.Code, rec.Header().Get("Allow"), rec.Header().Get("Cache-Control"), tt.allow)
		}
	}
	if rec := f.do(http.MethodOptions, "/"); rec.Code != http.StatusNoContent || rec.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("OPTIONS /: %d Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	for _, target := range []string{"/nowhere", "/api/nowhere"} {
		if rec := f.do("FOO", target); rec.Code != http.StatusNotFound {
			t.Errorf("FOO %s: %d, want 404: no route has that path", target, rec.Code)
		}
	}
}

func TestWeb_StaticNotFoundIsNotKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.do(http.MethodGet, "/static/js/app.00000000.js")
	if rec.Code != http.StatusNotFound || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("status %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
}

func TestWeb_IfNoneMatchOnlyForAnswersThatWouldBe2xx(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	f.seed()
	good := "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02"
	etag := f.do(http.MethodGet, good).Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	for _, tt := range []struct {
		target, inm string
		want        int
	}{
		{good, "*", http.StatusNotModified},
		{good, etag, http.StatusNotModified},
		{"/api/prices?dateFrom=bad", "*", http.StatusBadRequest},
		{"/api/prices?dateFrom=bad", etag, http.StatusBadRequest},
		{"/?range=5y", "*", http.StatusBadRequest},
		{"/?range=5y", etag, http.StatusBadRequest},
		{"/api/coins/nope/metadata", "*", http.StatusNotFound},
		{"/partials/coins/nope/card", etag, http.StatusNotFound},
	} {
		if rec := f.do(http.MethodGet, tt.target, "If-None-Match", tt.inm); rec.Code != tt.want {
			t.Errorf("%s with If-None-Match %s: %d, want %d", tt.target, tt.inm, rec.Code, tt.want)
		}
	}
}

func TestLogin_PartialsLandOnTheirPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withLogin(t))
	f.seed()
	for _, tt := range []struct{ partial, page string }{
		{"/partials/table?coins=bitcoin&page=2", "/?coins=bitcoin&page=2"},
		{"/partials/dashboard?range=1w", "/?range=1w"},
		{"/partials/coins/bitcoin/card", "/coins/bitcoin"},
		{"/partials/status", "/status"},
	} {
		rec := f.do(http.MethodGet, tt.partial, "HX-Request", "true")
		want := "/login?next=" + url.QueryEscape(tt.page)
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("HX-Redirect") != want {
			t.Errorf("%s: %d HX-Redirect %q, want %q", tt.partial, rec.Code, rec.Header().Get("HX-Redirect"), want)
		}
		// A login link made before this (or by hand) lands on the page too.
		form := url.Values{"username": {testUser}, "password": {testPassword}, "next": {tt.partial}}
		if loc := f.send(newFormRequest("/login", form)).Header().Get("Location"); loc != tt.page {
			t.Errorf("next=%s: Location %q, want %q", tt.partial, loc, tt.page)
		}
	}
}

// Browsers and crawlers ask for /robots.txt unprompted: it answers, and a 404 for a path
// nobody serves is an info line, not a warning an operator must read.
func TestWeb_RobotsAndQuietNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.do(http.MethodGet, "/robots.txt")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Disallow: /api/") {
		t.Errorf("robots.txt: status %d, body %q", rec.Code, rec.Body.String())
	}
	if rec := f.do(http.MethodGet, "/favicon-nobody-serves.ico"); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown path: status %d", rec.Code)
	}
	for line := range strings.Lines(f.logs.String()) {
		if strings.Contains(line, `"status":404`) && strings.Contains(line, `"level":"WARN"`) {
			t.Errorf("a 404 logged as a warning: %s", line)
		}
	}
}
