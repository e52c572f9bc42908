package ui

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// dashboardCSV downloads the whole result of a view (every page) in the table's column and
// row order. Values are written as the JSON API writes them: coin ids, upper-case currency
// codes, UTC dates, prices at full precision.
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
	if err := d.writeCSV(&buf); err != nil {
		return fmt.Errorf("dashboard csv: %w", err)
	}
	name := "cryptodash-" + d.win.From.Format(dayLayout) + "-to-" + d.win.To.Format(dayLayout) + ".csv"
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// writeCSV writes the header and every row of d to w, reporting the first write error.
func (d *dashboard) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cols := d.state.visibleCols()
	if err := cw.Write(cols); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for _, r := range d.sortedRows() {
		for i, col := range cols {
			switch col {
			case colDate:
				rec[i] = d.formatTime(r.Time, dataHourLayout)
			case colCoin:
				rec[i] = r.CoinID
			case colCurrency:
				rec[i] = strings.ToUpper(r.CurrencyCode)
			default:
				rec[i] = strconv.FormatFloat(r.Price, 'f', -1, 64)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
