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
	"sync"
	"time"

	"github.com/cryptodash/cryptodash/internal/precompress"
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
	hash  string
	ctype string

	// coded holds the gzip and brotli bytes, made once on first need (Precompress makes them
	// all at start) and never again: a compressed answer is a copy of stored bytes.
	once  sync.Once
	coded map[precompress.Encoding][]byte
}

var (
	// byName maps "js/app.js" to its hashed URL; byURL maps the hashed path under Prefix back
	// to the asset. Both are filled once at init from the embedded bytes, which never change.
	byName = map[string]string{}
	byURL  = map[string]*asset{}
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
		byURL[hashed] = &asset{name: name, body: body, hash: hash, ctype: ctype}
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

// Precompress makes the gzip and brotli bytes of every asset. The server calls it in the
// background at start, so that the first visitor does not wait a third of a second for
// ECharts; a request that comes earlier makes its own asset's bytes, once.
func Precompress() {
	for _, a := range byURL {
		a.compressed()
	}
}

// compressed returns the asset's coded bodies, making them on first use. A coding that does
// not make the file smaller (the favicon is 218 bytes) is left out, and the plain bytes are
// served instead.
func (a *asset) compressed() map[precompress.Encoding][]byte {
	a.once.Do(func() {
		a.coded = map[precompress.Encoding][]byte{}
		if len(a.body) < precompress.MinSize {
			return
		}
		for _, e := range []precompress.Encoding{precompress.Brotli, precompress.Gzip} {
			// The assets are embedded and compress in memory; an error here is a bug in
			// the compressor, and the plain bytes remain a correct answer.
			if b, err := precompress.Compress(e, a.body, precompress.Best); err == nil && len(b) < len(a.body) {
				a.coded[e] = b
			}
		}
	})
	return a.coded
}

// maxRanges bounds the ranges one request may ask for: players and download managers ask
// for one or two, and 60,000 one-byte ranges of ECharts once made 9.3 MB of answer.
const maxRanges = 8

// Handler serves the hashed URLs that Path hands out. It expects the full request path,
// "/static/js/app.3f2a9c1b.js", as the server mounts it at "/static/*" without stripping the
// prefix; a path without the prefix is accepted too. An unknown name or a stale hash is a 404,
// because serving other bytes under an immutable URL would poison caches for a year.
//
// A client that accepts brotli or gzip gets the bytes compressed once, with the coding in
// Content-Encoding and its own ETag (a strong ETag names one sequence of bytes); the
// answer says Vary: Accept-Encoding either way, so a CDN keeps one copy per coding.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		a, ok := byURL[strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, Prefix), "/")]
		if !ok {
			// A CDN would keep a 404 without Cache-Control for minutes. During a deploy a
			// replica still on the old build answers 404 for the new build's files, and a
			// kept 404 would break every page that names them; the next request may reach a
			// replica that has them.
			w.Header().Set("Cache-Control", "no-store")
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Vary", "Accept-Encoding")
		h.Set("X-Content-Type-Options", "nosniff")
		body, etag := a.body, `"`+a.hash+`"`
		if e := precompress.Negotiate(r.Header.Get("Accept-Encoding")); e != precompress.Identity {
			if coded, ok := a.compressed()[e]; ok {
				body, etag = coded, `"`+a.hash+"."+string(e)+`"`
				h.Set("Content-Encoding", string(e))
			}
		}
		h.Set("ETag", etag)
		if rng := r.Header.Get("Range"); strings.Count(rng, ",") >= maxRanges {
			// A request is free to ignore Range (RFC 9110, 14.2): the whole file costs less
			// than tens of thousands of tiny parts, each with its own part headers.
			r = r.Clone(r.Context())
			r.Header.Del("Range")
		}
		http.ServeContent(w, r, path.Base(a.name), time.Time{}, bytes.NewReader(body))
	})
}
