package web_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/ui"
	"github.com/cryptodash/cryptodash/internal/web"
	"github.com/cryptodash/cryptodash/static"
)

// withUI mounts the real UI handler on the fixture's own store.
func withUI(d *web.Deps) {
	d.UI = ui.New(ui.Options{Store: d.Store.(ui.Store)})
}

func TestPages_CacheHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	f.seed()
	public := []string{"/", "/partials/dashboard", "/partials/table", "/partials/coins/bitcoin/card",
		"/dashboard.csv?coins=bitcoin&currencies=usd"}
	for _, route := range public {
		t.Run(route, func(t *testing.T) {
			plain := f.do(http.MethodGet, route)
			htmx := f.do(http.MethodGet, route, "HX-Request", "true")
			if plain.Code != http.StatusOK {
				t.Fatalf("status %d: %.300s", plain.Code, plain.Body)
			}
			if cc := plain.Header().Get("Cache-Control"); cc != "public, max-age=0, s-maxage=300" {
				t.Errorf("Cache-Control = %q", cc)
			}
			etag := plain.Header().Get("ETag")
			if etag == "" || htmx.Header().Get("ETag") != etag || htmx.Body.String() != plain.Body.String() {
				t.Errorf("answers differ with HX-Request (ETag %q vs %q)", etag, htmx.Header().Get("ETag"))
			}
			if rec := f.do(http.MethodGet, route, "If-None-Match", etag); rec.Code != http.StatusNotModified {
				t.Errorf("conditional request: %d, want 304", rec.Code)
			}
		})
	}
	for _, route := range []string{"/status", "/partials/status"} {
		t.Run(route+" is not cached", func(t *testing.T) {
			for _, hx := range []string{"", "true"} {
				rec := f.do(http.MethodGet, route, "HX-Request", hx)
				if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("ETag") != "" {
					t.Errorf("HX-Request %q: status %d Cache-Control %q ETag %q", hx, rec.Code,
						rec.Header().Get("Cache-Control"), rec.Header().Get("ETag"))
				}
			}
		})
	}
	t.Run("an unknown coin's card is a 404 that is not cached", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/partials/coins/no-such-coin/card", "HX-Request", "true")
		if rec.Code != http.StatusNotFound || rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("ETag") != "" {
			t.Errorf("status %d Cache-Control %q ETag %q", rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("ETag"))
		}
	})
	t.Run("static assets are immutable", func(t *testing.T) {
		rec := f.do(http.MethodGet, static.Path("css/app.css"), "Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("status %d Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Error("static answers lack the security headers")
		}
	})
}

const (
	testUser     = "analyst"
	testPassword = "correct horse battery staple"
)

func withLogin(t *testing.T) func(*web.Deps) {
	return func(d *web.Deps) {
		hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		d.Config.AuthUsername, d.Config.AuthPasswordHash = testUser, string(hash)
		d.Sessions = d.Store.(*store.Store).Sessions(0)
		withUI(d)
	}
}

func (f *fixture) login(t *testing.T, user, password, next string) *http.Cookie {
	t.Helper()
	form := url.Values{"username": {user}, "password": {password}, "next": {next}}
	rec := f.send(newFormRequest("/login", form))
	if rec.Code != http.StatusSeeOther {
		return nil
	}
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "cryptodash_session" && ck.Value != "" {
			return ck
		}
	}
	return nil
}

func TestLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withLogin(t))
	f.seed()

	t.Run("open routes stay open", func(t *testing.T) {
		for _, route := range []string{"/api/health", "/login", static.Path("js/app.js")} {
			if rec := f.do(http.MethodGet, route); rec.Code != http.StatusOK {
				t.Errorf("%s: %d", route, rec.Code)
			}
		}
		if rec := f.do(http.MethodGet, "/api/cron/fetch-data", "Authorization", "Bearer "+testSecret); rec.Code != http.StatusOK {
			t.Errorf("cron readiness with its token: %d", rec.Code)
		}
	})
	t.Run("the sign-in page neither guesses the data source nor offers sign-out", func(t *testing.T) {
		body := f.do(http.MethodGet, "/login").Body.String()
		if strings.Contains(body, `data-testid="footer-source"`) || strings.Contains(body, `data-testid="logout"`) {
			t.Errorf("sign-in page: %s", body)
		}
	})
	t.Run("the API answers 401 JSON", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/coins")
		if env := decode(t, rec); rec.Code != http.StatusUnauthorized || env.Success {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("pages redirect to the login form", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/?coins=bitcoin")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next="+url.QueryEscape("/?coins=bitcoin") {
			t.Errorf("%d Location %q", rec.Code, rec.Header().Get("Location"))
		}
		rec = f.do(http.MethodGet, "/partials/table", "HX-Request", "true")
		if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("HX-Redirect"), "/login") {
			t.Errorf("partial: %d HX-Redirect %q", rec.Code, rec.Header().Get("HX-Redirect"))
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		if ck := f.login(t, testUser, "hunter2-wrong", "/"); ck != nil {
			t.Error("a wrong password logged in")
		}
		if ck := f.login(t, "someone", testPassword, "/"); ck != nil {
			t.Error("a wrong username logged in")
		}
		logs := f.logs.String()
		if strings.Contains(logs, "hunter2-wrong") || strings.Contains(logs, testPassword) {
			t.Error("the log shows a password")
		}
		if !strings.Contains(logs, `"msg":"login failed"`) {
			t.Error("a failed login is not logged")
		}
	})
	t.Run("a session opens pages and API, privately", func(t *testing.T) {
		ck := f.login(t, testUser, testPassword, "/status")
		if ck == nil || !ck.HttpOnly {
			t.Fatalf("login cookie = %+v", ck)
		}
		for _, route := range []string{"/", "/api/coins"} {
			req := newRequest(route)
			req.AddCookie(ck)
			rec := f.send(req)
			if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "private, no-cache" || rec.Header().Get("ETag") == "" {
				t.Errorf("%s: %d Cache-Control %q ETag %q", route, rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("ETag"))
			}
			if route == "/" && !strings.Contains(rec.Body.String(), `data-testid="logout"`) {
				t.Error("a signed-in page offers no way to sign out")
			}
		}
		req := newFormRequest("/logout", nil)
		req.AddCookie(ck)
		if rec := f.send(req); rec.Code != http.StatusSeeOther {
			t.Fatalf("logout: %d", rec.Code)
		}
		req = newRequest("/api/coins")
		req.AddCookie(ck)
		if rec := f.send(req); rec.Code != http.StatusUnauthorized {
			t.Errorf("after logout: %d", rec.Code)
		}
	})
	t.Run("a cross-site login post is refused", func(t *testing.T) {
		req := newFormRequest("/login", url.Values{"username": {testUser}, "password": {testPassword}})
		req.Header.Set("Origin", "https://evil.example")
		if rec := f.send(req); rec.Code != http.StatusForbidden {
			t.Errorf("by Origin: %d", rec.Code)
		}
		req = newFormRequest("/logout", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if rec := f.send(req); rec.Code != http.StatusForbidden {
			t.Errorf("by Sec-Fetch-Site: %d", rec.Code)
		}
	})
	t.Run("next stays on this site", func(t *testing.T) {
		form := url.Values{"username": {testUser}, "password": {testPassword}, "next": {"//evil.example/"}}
		rec := f.send(newFormRequest("/login", form))
		if loc := rec.Header().Get("Location"); loc != "/" {
			t.Errorf("Location = %q, want /", loc)
		}
	})
	t.Run("a logged-in visitor is not bounced off site", func(t *testing.T) {
		ck := f.login(t, testUser, testPassword, "/")
		if ck == nil {
			t.Fatal("no session")
		}
		cases := map[string]string{
			"/login?next=/%09/evil.com":                     "/",
			"/login?next=/%0a/evil.com":                     "/",
			"/login?next=/%5Cevil.com":                      "/",
			"/login?next=javascript:alert(1)":               "/",
			"/login?next=" + url.QueryEscape("/status?x=1"): "/status?x=1",
		}
		for target, want := range cases {
			req := newRequest(target)
			req.AddCookie(ck)
			rec := f.send(req)
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
				t.Errorf("%s: %d Location %q, want %q", target, rec.Code, rec.Header().Get("Location"), want)
			}
		}
	})
}

func TestMetrics_ClosedWithLogin(t *testing.T) {
	t.Parallel()
	t.Run("with CRON_SECRET: its bearer token", func(t *testing.T) {
		f := newFixture(t, withLogin(t))
		rec := f.do(http.MethodGet, "/metrics")
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("without a token: %d WWW-Authenticate %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
		if rec := f.do(http.MethodGet, "/metrics", "Authorization", "Bearer wrong"); rec.Code != http.StatusUnauthorized {
			t.Errorf("a wrong token: %d", rec.Code)
		}
		rec = f.do(http.MethodGet, "/metrics", "Authorization", "Bearer "+testSecret)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "cryptodash_http_requests_total") {
			t.Errorf("with the token: %d", rec.Code)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q", cc)
		}
		ck := f.login(t, testUser, testPassword, "/")
		req := newRequest("/metrics")
		req.AddCookie(ck)
		if rec := f.send(req); rec.Code != http.StatusUnauthorized {
			t.Errorf("a session instead of the token: %d", rec.Code)
		}
	})
	t.Run("without CRON_SECRET: a session", func(t *testing.T) {
		f := newFixture(t, withLogin(t), func(d *web.Deps) { d.Config.CronSecret = "" })
		if rec := f.do(http.MethodGet, "/metrics"); rec.Code != http.StatusUnauthorized {
			t.Errorf("without a session: %d, want 401 (a scraper must not be sent to a form)", rec.Code)
		}
		ck := f.login(t, testUser, testPassword, "/")
		if ck == nil {
			t.Fatal("no session")
		}
		req := newRequest("/metrics")
		req.AddCookie(ck)
		if rec := f.send(req); rec.Code != http.StatusOK {
			t.Errorf("with a session: %d", rec.Code)
		}
	})
}

func newRequest(target string) *http.Request {
	return httptest.NewRequest(http.MethodGet, target, nil)
}

func newFormRequest(target string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// Before any price is stored the dashboard reports the first run, which no data version
// marks: it must not be kept (the cache would go on saying "running" after the run failed),
// nor offered to a CDN or a 304.
func TestPages_EmptyDashboardFollowsTheRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	ctx := t.Context()
	run, _, err := f.store.StartRun(ctx, domain.RunClaim{Trigger: domain.TriggerStartup, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	running := f.do(http.MethodGet, "/")
	if !strings.Contains(running.Body.String(), "The first fetch is running") {
		t.Fatalf("while the run goes on the page says: %.400s", running.Body.String())
	}
	if cc, etag := running.Header().Get("Cache-Control"), running.Header().Get("ETag"); cc != "no-store" || etag != "" {
		t.Errorf("the empty dashboard says Cache-Control %q and ETag %q, want no-store and none", cc, etag)
	}
	if _, err := f.store.FinishRun(ctx, run.ID, domain.RunFailed, domain.RunProgress{}, "list coins: dial tcp: no route to host"); err != nil {
		t.Fatal(err)
	}
	failed := f.do(http.MethodGet, "/")
	if body := failed.Body.String(); strings.Contains(body, "The first fetch is running") || !strings.Contains(body, "no route to host") {
		t.Errorf("after the run failed the page says: %.600s", body)
	}
}

func TestMetrics_NeverThroughAProxy(t *testing.T) {
	t.Parallel()
	t.Run("without METRICS_TOKEN: direct requests only", func(t *testing.T) {
		f := newFixture(t)
		if rec := f.do(http.MethodGet, "/metrics"); rec.Code != http.StatusOK {
			t.Errorf("a direct request: %d, want 200", rec.Code)
		}
		if rec := f.do(http.MethodGet, "/metrics", "X-Forwarded-For", "203.0.113.9"); rec.Code != http.StatusNotFound {
			t.Errorf("through the ALB (X-Forwarded-For): %d, want 404", rec.Code)
		}
		req := newRequest("/metrics")
		req.RemoteAddr = "10.0.1.5:34567"
		if rec := f.send(req); rec.Code != http.StatusNotFound {
			t.Errorf("from a trusted proxy: %d, want 404", rec.Code)
		}
	})
	t.Run("with METRICS_TOKEN: its Bearer token, from anywhere", func(t *testing.T) {
		const token = "metrics-token-0123456789"
		f := newFixture(t, func(d *web.Deps) { d.Config.MetricsToken = token })
		if rec := f.do(http.MethodGet, "/metrics"); rec.Code != http.StatusUnauthorized {
			t.Errorf("without the token: %d, want 401", rec.Code)
		}
		if rec := f.do(http.MethodGet, "/metrics", "Authorization", "Bearer "+testSecret); rec.Code != http.StatusUnauthorized {
			t.Errorf("with the cron token: %d, want 401", rec.Code)
		}
		if rec := f.do(http.MethodGet, "/metrics", "Authorization", "Bearer "+token, "X-Forwarded-For", "203.0.113.9"); rec.Code != http.StatusOK {
			t.Errorf("with the token through a proxy: %d, want 200", rec.Code)
		}
	})
}

// Every link a page carries reaches its answer: a parameter a link sets that its route does
// not read would be redirected away, and the link would show another view than it names (the
// coin page's CSV link once lost its currency so).
func TestPages_LinksKeepTheirParameters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	f.seed()
	link := regexp.MustCompile(`(?:href|hx-get)="(/[^"]*)"`)
	for _, page := range []string{"/", "/?range=1w&mode=price&breakdown=coin,currency", "/coins/bitcoin",
		"/coins/bitcoin?currency=try&range=1m", "/status"} {
		rec := f.do(http.MethodGet, page)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", page, rec.Code)
		}
		seen := 0
		for _, m := range link.FindAllStringSubmatch(rec.Body.String(), -1) {
			target := html.UnescapeString(m[1])
			if strings.HasPrefix(target, "/static/") || !strings.Contains(target, "?") {
				continue
			}
			seen++
			if got := f.do(http.MethodGet, target); got.Code == http.StatusMovedPermanently {
				t.Errorf("%s links %s, which redirects to %s", page, target, got.Header().Get("Location"))
			}
		}
		if page != "/status" && seen == 0 {
			t.Errorf("%s carries no link with a query; the test reads nothing", page)
		}
	}
}
