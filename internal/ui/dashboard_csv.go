package ui

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// dashboardCSV downloads the whole result of a view (every page) in the table's column and
// row order, written as the JSON API's CSV is.
func (h *Handler) dashboardCSV(c echo.Context) error {
	d, err := h.loadDashboard(c)
	if err != nil {
		return err
	}
	if len(d.errs) > 0 {
		// Messages in the order of their parameters' names, so the same link always reads the same.
		keys := slices.Sorted(maps.Keys(d.errs))
		msgs := make([]string, len(keys))
		for i, k := range keys {
			msgs[i] = d.errs[k]
		}
		return c.String(http.StatusBadRequest, "This download link has problems:\n"+strings.Join(msgs, "\n")+"\n")
	}
	var buf bytes.Buffer
	if err := domain.WritePricesCSV(&buf, d.csvCols(), d.gran, d.sortedRows()); err != nil {
		return fmt.Errorf("dashboard csv: %w", err)
	}
	name := "cryptodash-" + d.span.FirstDay().Format(domain.DayLayout) + "-to-" + d.span.LastDay().Format(domain.DayLayout) + ".csv"
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// csvCols is the table's columns as CSV names: the value column as price or change_pct, and
// beside the date what the table notes there: whether a gap filled the value, and for daily
// rows the partial flag and the hours of the day.
func (d *dashboard) csvCols() []string {
	cols := d.state.visibleCols()
	for i, c := range cols {
		if c == colChange {
			cols[i] = domain.ColChange
			if d.state.benchmarked() {
				cols[i] = domain.ColChangeVsBTC
			}
		}
	}
	if d.state.Breakdown.Date {
		cols = append(cols, domain.ColFilled)
	}
	if d.gran == domain.Daily && d.state.Breakdown.Date {
		cols = append(cols, domain.ColPartial, domain.ColHours)
	}
	return cols
}
