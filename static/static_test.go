package static_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/cryptodash/cryptodash/static"
)

func get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	static.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestPath(t *testing.T) {
	u := static.Path("js/app.js")
	if !regexp.MustCompile(`^/static/js/app\.[0-9a-f]{8}\.js$`).MatchString(u) {
		t.Fatalf("Path = %q", u)
	}
	if !regexp.MustCompile(`^/static/vendor/htmx\.min\.[0-9a-f]{8}\.js$`).MatchString(static.Path("vendor/htmx.min.js")) {
		t.Errorf("vendor path %q", static.Path("vendor/htmx.min.js"))
	}
	defer func() {
		if recover() == nil {
			t.Error("unknown asset did not panic")
		}
	}()
	static.Path("js/missing.js")
}

func TestHandler(t *testing.T) {
	u := static.Path("js/app.js")
	want, err := static.FS.ReadFile("js/app.js")
	if err != nil {
		t.Fatal(err)
	}

	rec := get(t, u)
	if rec.Code != http.StatusOK || rec.Body.String() != string(want) {
		t.Fatalf("status %d, body of %d bytes", rec.Code, rec.Body.Len())
	}
	if got := rec.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
		t.Errorf("Content-Type %q", got)
	}
	if got := get(t, static.Path("css/app.css")).Header().Get("Content-Type"); !strings.HasPrefix(got, "text/css") {
		t.Errorf("CSS Content-Type %q", got)
	}

	for _, bad := range []string{
		strings.Replace(u, ".js", "0.js", 1), // wrong hash
		"/static/js/app.00000000.js",         // stale hash
		"/static/js/app.js",                  // unhashed name
		"/static/js/nothing.12345678.js",     // unknown file
		"/static/src/app.css",                // source, not shipped
	} {
		if rec := get(t, bad); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", bad, rec.Code)
		}
	}
}

// Without an icon of its own, every page load makes the browser ask for /favicon.ico and log
// the 404 as a console error.
func TestFavicon(t *testing.T) {
	u := static.Path("img/favicon.svg")
	if !regexp.MustCompile(`^/static/img/favicon\.[0-9a-f]{8}\.svg$`).MatchString(u) {
		t.Fatalf("Path = %q", u)
	}
	rec := get(t, u)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<svg") {
		t.Fatalf("status %d, body %.60q", rec.Code, rec.Body.String())
	}
	if got := rec.Header().Get("Content-Type"); got != "image/svg+xml" {
		t.Errorf("Content-Type %q", got)
	}
}
