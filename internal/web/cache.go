package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/ui"
)

// Cache policies. A CDN keeps public reads for five minutes (s-maxage) while browsers
// revalidate every time (max-age=0), which the ETag makes a one-row query. Behind a login the
// answers are no business of a shared cache.
const (
	cachePublic  = "public, max-age=0, s-maxage=300"
	cachePrivate = "private, no-cache"
)

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

// cache gives GET and HEAD reads an ETag built from the build, the configuration and the data
// version, and answers a matching If-None-Match with 304 before the handler runs, so a
// revalidation costs one tiny query instead of a price aggregation. Only 2xx answers are
// marked cacheable: an error cached for five minutes at the CDN would outlive its cause. The
// version it read rides on in the request's context, so the page's layout does not read it
// again.
func (s *server) cache(next echo.HandlerFunc) echo.HandlerFunc {
	policy := cachePublic
	if s.deps.Config.AuthEnabled() {
		policy = cachePrivate
	}
	return func(c echo.Context) error {
		req, res := c.Request(), c.Response()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			res.Header().Set(echo.HeaderCacheControl, "no-store")
			return next(c)
		}
		v, err := s.deps.Store.DataVersion(req.Context())
		if err != nil {
			return err
		}
		c.SetRequest(req.WithContext(ui.WithDataVersion(req.Context(), v)))
		// Weak, because gzip changes the bytes but not the meaning of a response.
		etag := `W/"` + s.etagPrefix + "-" + strconv.FormatInt(v.Version, 10) + `"`
		if etagMatches(req.Header.Get("If-None-Match"), etag) {
			res.Header().Set(echo.HeaderCacheControl, policy)
			res.Header().Set("ETag", etag)
			return c.NoContent(http.StatusNotModified)
		}
		res.Before(func() {
			h := res.Header()
			if res.Status >= 200 && res.Status < 300 {
				h.Set(echo.HeaderCacheControl, policy)
				h.Set("ETag", etag)
				return
			}
			h.Del("ETag")
			h.Set(echo.HeaderCacheControl, "no-store")
		})
		return next(c)
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
