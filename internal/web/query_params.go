package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// knownQuery bounds the keys a URL can have: a parameter its route does not read would
// otherwise make a new cache key (at the CDN and in the answer cache) for an answer that is
// the same, and every new key is a render paid for by whoever invents it. A page redirects
// (301) to its URL without the unknown parameters; the API answers 400 naming them, as it
// does any bad parameter. known are the parameters the route reads (its row of the route
// table).
func (s *server) knownQuery(known []string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.URL.RawQuery == "" {
				return next(c)
			}
			q := req.URL.Query()
			var unknown []string
			for key := range q {
				if !slices.Contains(known, key) {
					unknown = append(unknown, key)
				}
			}
			if len(unknown) == 0 {
				return next(c)
			}
			slices.Sort(unknown)
			if isAPI(req) {
				bad := newInvalidParams()
				// Enough to name the mistake; a made-up key per request would otherwise make an
				// answer as long as the URL.
				for _, key := range unknown[:min(len(unknown), 5)] {
					bad.add(domain.Excerpt(key), fmt.Sprintf("Unknown parameter %s", domain.Excerpt(key)),
						"not a parameter of this endpoint; it reads "+orNone(known))
				}
				return bad.err()
			}
			for _, key := range unknown {
				q.Del(key)
			}
			target := req.URL.EscapedPath()
			if !localPath(target) {
				target = "/"
			}
			if enc := q.Encode(); enc != "" {
				target += "?" + enc
			}
			return c.Redirect(http.StatusMovedPermanently, target)
		}
	}
}

func orNone(params []string) string {
	if len(params) == 0 {
		return "none"
	}
	return strings.Join(params, ", ")
}
