package static_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

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
		if rec := get(t, bad); rec.Code != http.StatusNotFound || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: status %d, Cache-Control %q; want a 404 no CDN keeps", bad, rec.Code, rec.Header().Get("Cache-Control"))
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

func TestHandler_Precompressed(t *testing.T) {
	u := static.Path("vendor/echarts.min.js")
	want, err := static.FS.ReadFile("vendor/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	plain := get(t, u)
	etags := map[string]bool{plain.Header().Get("ETag"): true}
	for _, tc := range []struct{ accept, coding string }{
		{"gzip, deflate, br", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip;q=0.5", "gzip"},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, u, nil)
			req.Header.Set("Accept-Encoding", tc.accept)
			rec := httptest.NewRecorder()
			static.Handler().ServeHTTP(rec, req)
			if got := rec.Header().Get("Content-Encoding"); got != tc.coding {
				t.Fatalf("Content-Encoding %q, want %q", got, tc.coding)
			}
			if rec.Header().Get("Vary") != "Accept-Encoding" || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("Vary %q Cache-Control %q", rec.Header().Get("Vary"), rec.Header().Get("Cache-Control"))
			}
			var r io.Reader
			if tc.coding == "gzip" {
				if r, err = gzip.NewReader(rec.Body); err != nil {
					t.Fatal(err)
				}
			} else {
				r = brotli.NewReader(rec.Body)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("decoded %d bytes (%v), want the %d of the file", len(got), err, len(want))
			}
			etag := rec.Header().Get("ETag")
			if etags[etag] && tc.coding == "br" {
				t.Errorf("ETag %q is shared with another coding", etag)
			}
			etags[etag] = true
			req.Header.Set("If-None-Match", etag)
			rec = httptest.NewRecorder()
			static.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusNotModified {
				t.Errorf("revalidation: %d, want 304", rec.Code)
			}
		})
	}
	t.Run("a file too small to gain is sent plain", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, static.Path("img/favicon.svg"), nil)
		req.Header.Set("Accept-Encoding", "br, gzip")
		rec := httptest.NewRecorder()
		static.Handler().ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != "" || !strings.Contains(rec.Body.String(), "<svg") {
			t.Errorf("Content-Encoding %q", rec.Header().Get("Content-Encoding"))
		}
	})
}

func TestHandler_RangesAreBounded(t *testing.T) {
	u := static.Path("js/app.js")
	want, err := static.FS.ReadFile("js/app.js")
	if err != nil {
		t.Fatal(err)
	}
	serve := func(rng string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Range", rng)
		rec := httptest.NewRecorder()
		static.Handler().ServeHTTP(rec, req)
		return rec
	}
	if rec := serve("bytes=0-9"); rec.Code != http.StatusPartialContent || rec.Body.Len() != 10 {
		t.Errorf("one range: %d with %d bytes, want 206 with 10", rec.Code, rec.Body.Len())
	}
	if rec := serve("bytes=0-0,5-5"); rec.Code != http.StatusPartialContent {
		t.Errorf("two ranges: %d, want 206", rec.Code)
	}
	// Fewer bytes than the file, so the standard library serves them all as parts.
	var many []string
	for i := range len(want) / 2 {
		many = append(many, strconv.Itoa(2*i)+"-"+strconv.Itoa(2*i))
	}
	rec := serve("bytes=" + strings.Join(many, ","))
	if rec.Code != http.StatusOK || rec.Body.Len() != len(want) {
		t.Errorf("%d one-byte ranges: %d with %d bytes, want the whole file (%d bytes) once", len(many), rec.Code, rec.Body.Len(), len(want))
	}
}

// ECharts and HTMX run in visitors' browsers: they are dependencies, not devDependencies, so
// that `npm audit --omit=dev` reports their advisories.
func TestShippedScriptsAreDependencies(t *testing.T) {
	raw, err := os.ReadFile("../package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct{ Dependencies, DevDependencies map[string]string }
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"echarts", "htmx.org"} {
		if pkg.Dependencies[name] == "" || pkg.DevDependencies[name] != "" {
			t.Errorf("%s: dependencies %q, devDependencies %q; want it a dependency only", name, pkg.Dependencies[name], pkg.DevDependencies[name])
		}
	}
}
