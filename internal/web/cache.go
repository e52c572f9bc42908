package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/precompress"
)

// cachePrivate is the policy behind a login: the answers are no business of a shared cache,
// and a browser revalidates each time.
const cachePrivate = "private, no-cache"

// cachePublic lets a CDN keep public reads for CDN_MAX_AGE seconds (s-maxage) while browsers
// revalidate every time (max-age=0), which the ETag answers from memory.
func cachePublic(cdnMaxAge int) string {
	return "public, max-age=0, s-maxage=" + strconv.Itoa(cdnMaxAge)
}

// etagPrefix is the part of every ETag that is not the data version: the build, and the
// settings that change what the same data renders as: COINS and CURRENCIES (codes and names)
// pick and label what pages and the API show, and a login adds the sign-out button. The rest
// (PORT, LOG_LEVEL, FETCH_SCHEDULE …) is left out, so replicas that differ only there share
// ETags and a CDN or browser revalidating against either gets its 304.
func etagPrefix(buildID string, cfg config.Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "coins=%q\n", cfg.Coins)
	for _, c := range cfg.Currencies {
		fmt.Fprintf(h, "currency=%q %q\n", c.Code, c.Name)
	}
	fmt.Fprintf(h, "auth=%t\n", cfg.AuthEnabled())
	return buildID + "-" + hex.EncodeToString(h.Sum(nil)[:4])
}

// cache serves GET and HEAD reads from answers rendered once per data version. Every answer
// carries an ETag built from the build, the configuration and the data version, and a
// matching If-None-Match gets 304 when the URL's answer is a 2xx. The version is held in memory
// (the store follows it by LISTEN/NOTIFY), so neither a hit nor a revalidation of a kept
// answer queries the database. The version rides on in the request's context, so the page's
// layout does not read it again.
//
// An answer is rendered into memory once per key (see answerKey) and coding, compressed
// there, and written from memory to every later request: a cache hit costs what a static
// file does. Only 2xx answers are marked cacheable for browsers and the CDN: an error cached
// for five minutes at the CDN would outlive its cause. With a login configured nothing is
// kept: each answer is rendered for the request that asked. A signed-in page differs from
// another person's only by its sign-out button today, but a cache that never holds one
// cannot hand a person's page to someone else when a page one day shows a name or a token.
func (s *server) cache(next echo.HandlerFunc) echo.HandlerFunc {
	policy := cachePublic(s.deps.Config.CDNMaxAge)
	keep := !s.deps.Config.AuthEnabled()
	if !keep {
		policy = cachePrivate
	}
	return func(c echo.Context) error {
		req, res := c.Request(), c.Response()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			res.Header().Set(echo.HeaderCacheControl, "no-store")
			return next(c)
		}
		res.Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
		v, err := s.deps.Store.DataVersion(req.Context())
		if err != nil {
			return err
		}
		c.Set(dataVersionKey, v)
		// Weak, because gzip changes the bytes but not the meaning of a response. The UTC day
		// is part of it: pages say "today is partial", which is wrong the moment the day ends,
		// however long the data version lasts.
		now := s.now().UTC()
		etag := `W/"` + s.etagPrefix + "-" + strconv.FormatInt(v.Version, 10) + "-" + now.Format("20060102") + `"`
		hour := now.Truncate(time.Hour)
		// Misses are made in one of a few slots (see workLimiter); a request shed there is
		// told to come back in a second.
		ctx := req.Context()
		// Answers are compressed on a miss, while a client waits: gzip's fastest level is the
		// cheapest (see NegotiateFast), and the stored bytes serve every later hit.
		enc := precompress.NegotiateFast(req.Header.Get(echo.HeaderAcceptEncoding))
		// An answer too large to hold goes to the client as it is made, under the headers a
		// 2xx of this URL gets, or as a 304 when the client holds it already.
		open := func(w http.ResponseWriter, header http.Header) (io.WriteCloser, error) {
			h := w.Header()
			for k, vals := range header {
				h[k] = vals
			}
			h.Set(echo.HeaderCacheControl, policy)
			h.Set("ETag", etag)
			if etagMatches(req.Header.Get("If-None-Match"), etag) {
				w.WriteHeader(http.StatusNotModified)
				return precompress.NewWriter(precompress.Identity, io.Discard), nil
			}
			if enc != precompress.Identity {
				h.Set(echo.HeaderContentEncoding, string(enc))
			}
			w.WriteHeader(http.StatusOK)
			return precompress.NewWriter(enc, w), nil
		}
		// A miss is rendered and compressed in one slot: compressing in a second would send
		// a rendered answer back to the end of the queue, behind misses not yet begun, and
		// double every miss's wait. coded is the answer in the client's coding when this
		// request made it.
		var coded *answer
		made := func() (*answer, error) {
			return s.work.do(ctx, func() (*answer, error) {
				a, err := render(c, next, open)
				if err != nil || a.streamed {
					return a, err
				}
				coded, err = a.encode(enc)
				return a, err
			})
		}
		var plain *answer
		if keep {
			plain, err = s.answers.get(answerKey(c, v.Version, hour, precompress.Identity), v.Version, made)
		} else {
			plain, err = made()
		}
		if errors.Is(err, errBusy) {
			res.Header().Set(echo.HeaderRetryAfter, "1")
		}
		if err != nil {
			return err
		}
		if plain.streamed {
			return nil
		}
		// The answer is known before If-None-Match is: a 304 says "what you hold is still
		// this URL's answer", so only an answer that is a 2xx under this ETag may become one.
		// "*", or an ETag taken from another URL (every URL of a version shares it), must not
		// turn a 400 into a 304. With the answer kept, this costs a revalidation nothing more.
		if plain.status >= 200 && plain.status < 300 && !plain.transient() && etagMatches(req.Header.Get("If-None-Match"), etag) {
			res.Header().Set(echo.HeaderCacheControl, policy)
			res.Header().Set("ETag", etag)
			return c.NoContent(http.StatusNotModified)
		}
		a := plain
		encoded := func() (*answer, error) {
			if coded != nil {
				return coded, nil
			}
			return s.work.do(ctx, func() (*answer, error) { return plain.encode(enc) })
		}
		if keep {
			a, err = s.answers.get(answerKey(c, v.Version, hour, enc), v.Version, encoded)
		} else {
			a, err = encoded()
		}
		if errors.Is(err, errBusy) {
			res.Header().Set(echo.HeaderRetryAfter, "1")
		}
		if err != nil {
			return err
		}
		h := res.Header()
		for k, vals := range a.header {
			h[k] = vals
		}
		if a.status >= 200 && a.status < 300 && !a.transient() {
			h.Set(echo.HeaderCacheControl, policy)
			h.Set("ETag", etag)
		} else {
			h.Del("ETag")
			h.Set(echo.HeaderCacheControl, "no-store")
		}
		if a.encoding != precompress.Identity {
			h.Set(echo.HeaderContentEncoding, string(a.encoding))
		}
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(a.body)))
		res.WriteHeader(a.status)
		_, err = res.Write(a.body)
		return err
	}
}

// etagMatches applies If-None-Match's weak comparison: any listed tag equal to etag once the
// W/ prefixes are dropped, or "*".
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}
