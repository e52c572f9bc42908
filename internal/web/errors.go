package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui"
)

// failure is what the client is told about an error, and what is logged.
type failure struct {
	status  int
	message string
	fields  map[string]string
	logText string
}

// invalidParams is bad input as the JSON API reports it: the FieldErrors, one problem per
// parameter, under the one line a person reads first, the answer's message. That line is the
// first problem recorded, and handlers check their parameters in a fixed order, so a request
// always gets the same message however many of its parameters are bad.
type invalidParams struct {
	message string
	fields  domain.FieldErrors
}

func newInvalidParams() *invalidParams { return &invalidParams{fields: domain.FieldErrors{}} }

// add records problem for param, and message when it is the request's first problem.
func (e *invalidParams) add(param, message, problem string) {
	if e.message == "" {
		e.message = message
	}
	e.fields.Add(param, problem)
}

// err returns e as an error, or nil when no parameter was bad.
func (e *invalidParams) err() error {
	if len(e.fields) == 0 {
		return nil
	}
	return e
}

func (e *invalidParams) Error() string { return e.fields.Error() }
func (e *invalidParams) Unwrap() error { return e.fields }

// classify maps an error to a status and a message fit for users. Internal text goes only to
// the log.
func classify(err error, requestID string) failure {
	var invalid *invalidParams
	var params domain.FieldErrors
	var he *echo.HTTPError
	switch {
	case errors.As(err, &invalid):
		return failure{status: http.StatusBadRequest, message: invalid.message, fields: invalid.fields, logText: err.Error()}
	case errors.As(err, &params):
		return failure{status: http.StatusBadRequest, message: "invalid parameters", fields: params, logText: err.Error()}
	case errors.As(err, &he):
		f := failure{status: he.Code, message: fmt.Sprint(he.Message), logText: err.Error()}
		if he.Internal != nil {
			f.logText = he.Internal.Error()
		}
		if he.Code == http.StatusInternalServerError {
			f.message = "internal error, request id " + requestID
		}
		return f
	case errors.Is(err, domain.ErrNotFound):
		return failure{status: http.StatusNotFound, message: "not found", logText: err.Error()}
	case errors.Is(err, context.Canceled):
		return failure{status: http.StatusServiceUnavailable, message: "request cancelled", logText: err.Error()}
	case errors.Is(err, errStarting):
		return failure{status: http.StatusServiceUnavailable,
			message: "the dashboard is starting and waits for its database; try again shortly", logText: err.Error()}
	case errors.Is(err, domain.ErrDatabaseDown):
		return failure{status: http.StatusServiceUnavailable,
			message: "the database is not answering; try again shortly", logText: err.Error()}
	case errors.Is(err, domain.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return failure{status: http.StatusServiceUnavailable, message: "temporarily unavailable; try again shortly", logText: err.Error()}
	default:
		return failure{status: http.StatusInternalServerError,
			message: "internal error, request id " + requestID, logText: err.Error()}
	}
}

// handleError is the service's one HTTPErrorHandler: API paths get the JSON envelope, pages
// get the error page, and every error is logged once with its request id (5xx as errors, 4xx
// as warnings).
func (s *server) handleError(err error, c echo.Context) {
	id := requestIDOf(c)
	f := classify(err, id)
	// The answer is written after the request's deadline passed or its client left as often
	// as not (that may be the error); the error page must render all the same.
	req := c.Request().WithContext(context.WithoutCancel(c.Request().Context()))
	c.SetRequest(req)
	level := slog.LevelWarn
	switch {
	case errors.Is(err, context.Canceled):
		// The client went away; nothing is wrong with the service.
		level = slog.LevelInfo
	case errors.Is(err, errCronDisabled):
		// A deliberate configuration, not a fault: a scheduler still calling it should be
		// visible without paging anyone.
	case f.status == http.StatusNotFound:
		// Browsers and crawlers ask for favicons and robots files on their own; an operator
		// reading warnings wants what is wrong with the service, and a 404 rarely is.
		level = slog.LevelInfo
	case f.status >= 500:
		level = slog.LevelError
	}
	s.log.LogAttrs(req.Context(), level, "request failed",
		slog.String("request_id", id),
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Int("status", f.status),
		slog.String("client_ip", c.RealIP()),
		slog.String("error", f.logText),
	)
	if c.Response().Committed {
		return
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if f.status == http.StatusServiceUnavailable && c.Response().Header().Get(echo.HeaderRetryAfter) == "" {
		// Seconds, not a promise: a browser or client that honours it comes back when a
		// database blip or a start-up is likely over.
		c.Response().Header().Set(echo.HeaderRetryAfter, "5")
	}
	if _, bearer := errors.AsType[bearerRejected](err); bearer {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, "Bearer")
	}
	var werr error
	switch {
	case req.Method == http.MethodHead:
		werr = c.NoContent(f.status)
	case isAPI(req):
		werr = writeJSON(c, f.status, envelope{Success: false, Message: f.message, Errors: f.fields})
	default:
		werr = s.errorPage(c, f)
	}
	if werr != nil {
		s.log.Error("write error response", "request_id", id, "error", werr.Error())
	}
}

func isAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}

// errorPage answers a failed HTML request with ui's error page, which falls back to plain
// text when it cannot render.
func (s *server) errorPage(c echo.Context, f failure) error {
	message := f.message
	if len(f.fields) > 0 {
		message = domain.FieldErrors(f.fields).Error()
	}
	return ui.ErrorPage(c, f.status, message)
}
