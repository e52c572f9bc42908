package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// errCronDisabled is the answer while no CRON_SECRET is set: the endpoint is then closed,
// never open.
var errCronDisabled = echo.NewHTTPError(http.StatusServiceUnavailable, "cron endpoint disabled: CRON_SECRET is not set")

// cronAuth admits only requests bearing CRON_SECRET. A rejection is logged by the error
// handler with the client address and the reason, never with the token.
func (s *server) cronAuth(next echo.HandlerFunc) echo.HandlerFunc {
	if s.deps.Config.CronSecret == "" {
		return func(echo.Context) error { return errCronDisabled }
	}
	return requireBearer(s.deps.Config.CronSecret, "cron", next)
}

// requireBearer admits only requests bearing secret. The comparison runs over SHA-256 digests
// so that it takes the same time whatever the token's length or content.
func requireBearer(secret, what string, next echo.HandlerFunc) echo.HandlerFunc {
	want := sha256.Sum256([]byte(secret))
	return func(c echo.Context) error {
		token, found := bearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
		if !found {
			return unauthorizedBearer(what + ": missing bearer token")
		}
		got := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			return unauthorizedBearer(what + ": wrong bearer token")
		}
		return next(c)
	}
}

func unauthorizedBearer(reason string) error {
	return echo.NewHTTPError(http.StatusUnauthorized, "a valid bearer token is required").SetInternal(bearerRejected(reason))
}

// bearerRejected is why a bearer token was refused; the error handler answers it with
// WWW-Authenticate: Bearer wherever the route is (cron, metrics).
type bearerRejected string

func (r bearerRejected) Error() string { return string(r) }

// bearerToken takes the credentials out of an "Authorization: Bearer <token>" header; the
// scheme is case-insensitive as RFC 6750 says.
func bearerToken(header string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
