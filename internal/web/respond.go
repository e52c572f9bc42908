package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// envelope is the JSON shape every API answer has, kept from the Next.js system so its
// clients keep working.
type envelope struct {
	Success bool              `json:"success"`
	Message string            `json:"message,omitempty"`
	Data    any               `json:"data,omitempty"`
	Errors  map[string]string `json:"errors,omitempty"`
}

// writeJSON encodes v before writing anything, so an encoding failure becomes a clean 500
// rather than a half-sent body with a 200 status.
func writeJSON(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	return c.Blob(status, echo.MIMEApplicationJSON, body)
}

func ok(c echo.Context, data any) error {
	return writeJSON(c, http.StatusOK, envelope{Success: true, Data: data})
}

// jsTimeLayout writes an instant the way JavaScript's Date.toISOString does, as the Next.js
// API's timestamps were written: UTC with milliseconds ("2026-11-30T10:01:02.345Z").
const jsTimeLayout = "2006-01-02T15:04:05.000Z"

func jsTime(t time.Time) string { return t.UTC().Format(jsTimeLayout) }

// orNull is s, or JSON null when s is empty: the Next.js API answered null for facts it did
// not have, and typed clients test for null.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
