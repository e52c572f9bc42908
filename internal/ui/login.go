package ui

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/views"
)

// LoginPage renders the sign-in form with status: empty on a first visit; after a refused
// attempt with the username kept and what went wrong. The web layer checks the credentials,
// throttles guessing and keeps the session; the page is drawn here like every other.
func LoginPage(c echo.Context, status int, form views.LoginProps) error {
	return Render(c, status, views.LoginPage(form))
}

// ErrorPage renders the page of a failed HTML request: its status, the status's title and
// message, which must be text meant for users. When the page itself fails to render the
// answer falls back to the message as plain text, so the client still gets the right status,
// and the render error is returned for the caller to log.
func ErrorPage(c echo.Context, status int, message string) error {
	page := views.ErrorPage(views.ErrorProps{Status: status, Title: http.StatusText(status), Message: message})
	if err := Render(c, status, page); err != nil {
		if werr := c.String(status, message); werr != nil {
			return werr
		}
		return fmt.Errorf("render error page: %w", err)
	}
	return nil
}
