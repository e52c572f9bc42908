package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui"
	"github.com/cryptodash/cryptodash/internal/ui/route"
	"github.com/cryptodash/cryptodash/views"
)

const (
	sessionCookie   = "cryptodash_session"
	sessionUserKey  = "user"
	sessionLifetime = 12 * time.Hour
	headerHXRequest = "HX-Request"
	// headerHXRedirect makes HTMX load the login page as a whole page instead of swapping it
	// into the fragment that asked.
	headerHXRedirect = "HX-Redirect"
)

// newSessions configures the session manager. Sessions are only written at login and logout,
// so the cookie is set by the handlers themselves (not scs.LoadAndSave), which lets it be
// Secure exactly when the client reached us over https.
func newSessions(store scs.Store) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store
	sm.Lifetime = sessionLifetime
	return sm
}

// loadSession reads the session named by the cookie into the request context.
func (s *server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var token string
		if ck, err := c.Cookie(sessionCookie); err == nil {
			token = ck.Value
		}
		ctx, err := s.sessions.Load(c.Request().Context(), token)
		if err != nil {
			return err
		}
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// requireSession lets a request through only with a logged-in session when credentials are
// configured: the API answers 401, pages redirect to the login form and come back after it.
func (s *server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	if !s.deps.Config.AuthEnabled() {
		return next
	}
	return s.loadSession(func(c echo.Context) error {
		if s.sessions.GetString(c.Request().Context(), sessionUserKey) != "" {
			return next(c)
		}
		req := c.Request()
		if isAPI(req) {
			return echo.NewHTTPError(http.StatusUnauthorized, "login required")
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		target := route.LoginURL(pageOf(req.URL.EscapedPath(), req.URL.RawQuery))
		if req.Header.Get(headerHXRequest) == "true" {
			// A partial redirected by the browser would put the login page inside the
			// dashboard; HTMX instead navigates the whole window.
			c.Response().Header().Set(headerHXRedirect, target)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, target)
	})
}

// sameOrigin refuses cross-site form posts, so another site can neither log a visitor into
// this dashboard nor log them out. The standard library's check reads Sec-Fetch-Site, which
// every current browser sends and which, unlike Origin against Host, survives CloudFront
// rewriting the Host header on its way to the load balancer.
func (s *server) sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c echo.Context) error {
		if err := cop.Check(c.Request()); err != nil {
			return echo.NewHTTPError(http.StatusForbidden, "cross-site form posts are refused").SetInternal(err)
		}
		return next(c)
	}
}

func (s *server) loginShow(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if s.sessions.GetString(c.Request().Context(), sessionUserKey) != "" {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return ui.LoginPage(c, http.StatusOK, views.LoginProps{Next: next})
}

// loginSubmit checks the credentials. Both the username comparison and bcrypt run whatever the
// input, so the answer takes as long for a wrong username as for a wrong password.
//
// Guessing is throttled (see loginThrottle): a client past loginAttempts failures within a
// minute, or one that has failed while the configured username is under attack from many,
// answers 429 with Retry-After before any password is checked; at most bcryptSlots checks
// run at once, a flood beyond them being shed with 503.
func (s *server) loginSubmit(c echo.Context) error {
	cfg := s.deps.Config
	username := strings.TrimSpace(c.FormValue("username"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	page := views.LoginProps{Next: next, Username: username}

	gotUser, wantUser := sha256.Sum256([]byte(username)), sha256.Sum256([]byte(cfg.AuthUsername))
	userOK := subtle.ConstantTimeCompare(gotUser[:], wantUser[:]) == 1
	client := s.proxies.client(c.Request())
	why, wait, forget := s.logins.begin(client, userOK)
	switch why {
	case throttled:
		seconds := retryAfterSeconds(wait)
		s.log.Warn("login throttled", "request_id", requestIDOf(c), "client_ip", client.String(), "retry_after_s", seconds)
		c.Response().Header().Set(echo.HeaderRetryAfter, strconv.Itoa(seconds))
		page.Error = fmt.Sprintf("Too many failed sign-ins. Try again in %d seconds.", seconds)
		return ui.LoginPage(c, http.StatusTooManyRequests, page)
	case tableFull:
		s.log.Warn("login shed: the throttle counts as many clients as it can", "request_id", requestIDOf(c), "client_ip", client.String())
		c.Response().Header().Set(echo.HeaderRetryAfter, strconv.Itoa(retryAfterSeconds(wait)))
		page.Error = "Too many sign-ins at once. Try again in a moment."
		return ui.LoginPage(c, http.StatusServiceUnavailable, page)
	}
	release, ok := s.logins.checkSlot(c.Request().Context())
	if !ok {
		forget()
		s.log.Warn("login shed: too many password checks at once", "request_id", requestIDOf(c), "client_ip", client.String())
		c.Response().Header().Set(echo.HeaderRetryAfter, "1")
		page.Error = "Too many sign-ins at once. Try again in a moment."
		return ui.LoginPage(c, http.StatusServiceUnavailable, page)
	}
	passOK := bcrypt.CompareHashAndPassword([]byte(cfg.AuthPasswordHash), []byte(password)) == nil
	release()
	if !userOK || !passOK {
		s.log.Warn("login failed", "request_id", requestIDOf(c), "client_ip", client.String())
		page.Error = "Wrong username or password."
		return ui.LoginPage(c, http.StatusUnauthorized, page)
	}
	forget()

	ctx := c.Request().Context()
	// A new token at login stops session fixation: a token planted before login is worthless.
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionUserKey, cfg.AuthUsername)
	token, expiry, err := s.sessions.Commit(ctx)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, expiry)
	s.log.Info("login", "request_id", requestIDOf(c), "client_ip", client.String())
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *server) logout(c echo.Context) error {
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	s.setSessionCookie(c, "", time.Time{})
	return c.Redirect(http.StatusSeeOther, "/login")
}

// setSessionCookie writes the session cookie, or deletes it when token is empty.
func (s *server) setSessionCookie(c echo.Context, token string, expiry time.Time) {
	ck := &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   s.proxies.overHTTPS(c.Request()),
		SameSite: http.SameSiteLaxMode,
	}
	if token == "" {
		ck.MaxAge = -1
	} else {
		ck.Expires = expiry.UTC()
	}
	c.SetCookie(ck)
}

// safeNext keeps the post-login redirect on this site. Only a plain local path (with an
// optional query) survives; anything else becomes "/". Browsers are lenient where Go is not:
// they drop tabs and newlines anywhere in a URL ("/\t/evil.com" becomes "//evil.com") and
// read a backslash as a slash ("/\evil.com"), so any control character or backslash is
// refused outright rather than reasoned about. A percent-encoded slash or backslash that
// decodes into a leading "//" or "/\" is refused too, in case anything between here and the
// browser decodes the path once. The answer is rebuilt from the parsed path and query, so a
// fragment, user info or anything the parser skipped never reaches the Location header. A
// partial's URL becomes its page's (pageOf), so a link made while HTMX asked for a
// fragment still lands on a whole page.
func safeNext(next string) string {
	const home = "/"
	if !strings.HasPrefix(next, "/") || hasControlOrBackslash(next) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	if !localPath(next) || !localPath(u.Path) || hasControlOrBackslash(u.Path) {
		return home
	}
	out := u.EscapedPath()
	if !localPath(out) {
		return home
	}
	return pageOf(out, u.RawQuery)
}

// localPath reports whether p starts with exactly one slash, which is what keeps a browser
// on this origin.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//")
}

// hasControlOrBackslash reports ASCII control characters (which browsers strip from URLs)
// and backslashes (which they read as slashes).
func hasControlOrBackslash(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' })
}

// pages matches a local URL's path against the pages' route templates, for pageOf.
var pages = func() *echo.Echo {
	e := echo.New()
	for _, r := range ui.Routes {
		e.GET(r.Path, echo.NotFoundHandler)
	}
	return e
}()

// pageOf is the page the local URL with escaped path and raw query belongs to: a partial's
// page (ui.Route.Page), and any other URL itself. A login redirect sends the person there,
// not to the bare fragment HTMX asked for when the session had lapsed.
func pageOf(path, rawQuery string) string {
	c := pages.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), nil)
	pages.Router().Find(http.MethodGet, path, c)
	for _, r := range ui.Routes {
		if r.Path != c.Path() || r.Page == nil {
			continue
		}
		id, err := url.PathUnescape(c.Param("id"))
		if err != nil {
			break
		}
		return r.Page(id, rawQuery)
	}
	return route.WithQuery(path, rawQuery)
}

// pageFacts are what the web layer knows of a page's request: whether its session is signed in,
// and the data version the answer cache read for it, if it did.
func (s *server) pageFacts(c echo.Context) ui.Facts {
	f := ui.Facts{SignedIn: s.deps.Config.AuthEnabled() && s.sessions.GetString(c.Request().Context(), sessionUserKey) != ""}
	if v, ok := c.Get(dataVersionKey).(domain.DataVersion); ok {
		f.Version = &v
	}
	return f
}

// dataVersionKey holds, in a request's echo.Context, the data version the answer cache read
// for it.
const dataVersionKey = "cryptodash.dataVersion"
