package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cryptodash/cryptodash/internal/web"
)

func TestWeb_UnknownQueryParameters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, withUI)
	f.seed()
	t.Run("a page redirects to its URL without them", func(t *testing.T) {
		for target, want := range map[string]string{
			"/?cb=1":                                   "/",
			"/?coins=bitcoin&cb=2&utm_source=x":        "/?coins=bitcoin",
			"/partials/table?page=2&zzz=1":             "/partials/table?page=2",
			"/coins/bitcoin?currency=usd&cb=3":         "/coins/bitcoin?currency=usd",
			"/partials/coins/bitcoin/card?cb=4":        "/partials/coins/bitcoin/card",
			"/dashboard.csv?range=1W&cachebuster=true": "/dashboard.csv?range=1W",
			"/status?x=1":                              "/status",
		} {
			rec := f.do(http.MethodGet, target)
			if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != want {
				t.Errorf("%s: %d Location %q, want 301 to %q", target, rec.Code, rec.Header().Get("Location"), want)
			}
		}
	})
	t.Run("known parameters are served", func(t *testing.T) {
		for _, target := range []string{"/?coins=bitcoin&range=1W&mode=price&page=1", "/coins/bitcoin?currency=usd&range=1M"} {
			if rec := f.do(http.MethodGet, target); rec.Code != http.StatusOK {
				t.Errorf("%s: %d", target, rec.Code)
			}
		}
	})
	t.Run("the API answers 400 naming them", func(t *testing.T) {
		rec := f.do(http.MethodGet, "/api/prices?dateFrom=2024-03-01&dateTo=2024-03-02&cb=7")
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", rec.Code)
		}
		env := decode(t, rec)
		if _, ok := env.Errors["cb"]; !ok || !strings.Contains(env.Message, "cb") {
			t.Errorf("message %q, errors %v: want cb named", env.Message, env.Errors)
		}
		if rec := f.do(http.MethodGet, "/api/coins?x=1"); rec.Code != http.StatusBadRequest {
			t.Errorf("/api/coins?x=1: %d, want 400", rec.Code)
		}
	})
	t.Run("a flood of cache busters renders nothing", func(t *testing.T) {
		for i := range 200 {
			if rec := f.do(http.MethodGet, "/?cb="+strconv.Itoa(i)); rec.Code != http.StatusMovedPermanently {
				t.Fatalf("status %d", rec.Code)
			}
		}
	})
}

// The CDN's cache key must hold every parameter the server reads and no other: a missing one
// would serve one view for another, an extra one would let made-up URLs past the cache.
func TestWeb_CDNKeysOnTheParametersTheServerReads(t *testing.T) {
	t.Parallel()
	edge := stringList(t, "../../deploy/edge.go", "cachedQueryParams")
	slices.Sort(edge)
	if want := web.CachedQueryParams(); !slices.Equal(edge, want) {
		t.Errorf("deploy/edge.go cachedQueryParams = %q,\nthe server reads %q", edge, want)
	}
}

// CloudFront and its nginx mirror pass the personal routes through uncached, with every
// header and cookie; a path missing there would be cached or lose its Authorization header,
// an extra one would give up caching a shared read.
func TestWeb_CDNPassesThroughThePersonalRoutes(t *testing.T) {
	t.Parallel()
	want := web.UncachedCDNPaths()
	if !slices.Contains(want, "/api/cron/*") || !slices.Contains(want, "/status") || slices.Contains(want, "/") {
		t.Fatalf("UncachedCDNPaths() = %q: the table lost its personal routes", want)
	}
	edge := stringList(t, "../../deploy/edge.go", "uncachedPaths")
	slices.Sort(edge)
	if !slices.Equal(edge, want) {
		t.Errorf("deploy/edge.go uncachedPaths = %q,\nthe route table's personal routes are %q", edge, want)
	}

	conf, err := os.ReadFile("../../docs/cloudfront.nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*location ~ \^/\(([^)]*)\) \{`).FindSubmatch(conf)
	if m == nil {
		t.Fatal("docs/cloudfront.nginx.conf has no `location ~ ^/(...)` block for the uncached paths")
	}
	var nginx []string
	for _, alt := range strings.Split(string(m[1]), "|") {
		// CloudFront's "/dir/*" is nginx's "dir/" prefix; an exact path ends in "$".
		if exact, ok := strings.CutSuffix(alt, "$"); ok {
			nginx = append(nginx, "/"+exact)
		} else {
			nginx = append(nginx, "/"+alt+"*")
		}
	}
	slices.Sort(nginx)
	if !slices.Equal(nginx, want) {
		t.Errorf("docs/cloudfront.nginx.conf passes through %q,\nthe route table's personal routes are %q", nginx, want)
	}
}

// stringList reads the string literals of the package-level variable name in the Go file at
// path.
func stringList(t *testing.T, path, name string) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok || len(spec.Names) != 1 || spec.Names[0].Name != name {
			return true
		}
		for _, elt := range spec.Values[0].(*ast.CompositeLit).Elts {
			s, err := strconv.Unquote(elt.(*ast.BasicLit).Value)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return false
	})
	if out == nil {
		t.Fatalf("%s declares no %s", path, name)
	}
	return out
}
