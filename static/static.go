// Package static embeds the built browser assets (CSS, the app script and the vendored HTMX and
// ECharts) and serves them under content-hashed URLs, so a CDN and browsers may keep each file
// forever: a changed file gets a new URL.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// FS holds the built assets: static/css (Tailwind output), static/js (our scripts),
// static/img (the favicon) and static/vendor (HTMX copied from npm, and the parts of ECharts
// in use bundled by esbuild; `npm run vendor` makes both). static/src holds the inputs of the
// CSS and the bundle and is not served.
//
//go:embed css img js vendor
var FS embed.FS

// Prefix is the URL path the server mounts Handler on.
const Prefix = "/static/"

type asset struct {
	name  string
	body  []byte
	etag  string
	ctype string
}

var (
	// byName maps "js/app.js" to its hashed URL; byURL maps the hashed path under Prefix back
	// to the asset. Both are filled once at init from the embedded bytes, which never change.
	byName = map[string]string{}
	byURL  = map[string]asset{}
)

func init() {
	err := fs.WalkDir(FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := FS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:4])
		hashed := hashedName(name, hash)
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = http.DetectContentType(body)
		}
		byName[name] = Prefix + hashed
		byURL[hashed] = asset{name: name, body: body, etag: `"` + hash + `"`, ctype: ctype}
		return nil
	})
	if err != nil {
		panic("static: read embedded assets: " + err.Error())
	}
}

// hashedName puts the hash before the extension ("js/app.js" → "js/app.3f2a9c1b.js") so the
// file keeps an extension that tools and browsers recognise. Multi-dot names such as
// "htmx.min.js" become "htmx.min.3f2a9c1b.js".
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// Path returns the hashed URL of an embedded asset, e.g. "/static/js/app.3f2a9c1b.js" for
// "js/app.js". It panics for an unknown name: every caller names a file that ships in the
// binary, so a miss is a build mistake that should fail at start, not a broken page.
func Path(name string) string {
	u, ok := byName[name]
	if !ok {
		panic("static: no embedded asset " + name)
	}
	return u
}

// Handler serves the hashed URLs that Path hands out. It expects the full request path,
// "/static/js/app.3f2a9c1b.js", as the server mounts it at "/static/*" without stripping the
// prefix; a path without the prefix is accepted too. An unknown name or a stale hash is a 404,
// because serving other bytes under an immutable URL would poison caches for a year.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		a, ok := byURL[strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, Prefix), "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", a.etag)
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, path.Base(a.name), time.Time{}, bytes.NewReader(a.body))
	})
}
