package web

import (
	"encoding/json"
	"fmt"
	"net/http"

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
