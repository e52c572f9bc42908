package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// cronRunShow reports one run, for polling the Location a trigger answered with.
func (s *server) cronRunShow(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		bad := newInvalidParams()
		bad.add("id", "Invalid run id. Use a positive whole number", "must be a positive whole number")
		return bad.err()
	}
	run, err := s.deps.Store.Run(c.Request().Context(), id)
	if errors.Is(err, domain.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "no fetch run "+strconv.FormatInt(id, 10)).SetInternal(err)
	}
	if err != nil {
		return err
	}
	return ok(c, newRunJSON(run))
}
