package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// liveness is the liveness answer's data: which build answered, nothing about the database.
type liveness struct {
	Service string `json:"service"`
	Version string `json:"version"`
}

// apiLive answers the load balancer's health check: 200 for as long as the process serves
// requests, whatever the database is doing. A check that followed the database would, during a
// Multi-AZ failover, have ECS replace every task at once and lengthen the outage; pages answer
// 503 meanwhile anyway. Readiness, with the database, stays in /api/health.
func (s *server) apiLive(c echo.Context) error {
	return writeJSON(c, http.StatusOK, envelope{Success: true, Message: "Process is alive",
		Data: liveness{Service: healthService, Version: s.deps.BuildID}})
}
