package ui

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
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
		msgs := make([]string, 0, len(d.errs))
		for _, m := range d.errs {
			msgs = append(msgs, m)
		}
		return c.String(http.StatusBadRequest, "This download link has problems:\n"+strings.Join(msgs, "\n")+"\n")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	cols := d.state.visibleCols()
	_ = w.Write(cols)
	for _, r := range d.sortedRows() {
		rec := make([]string, 0, len(cols))
		for _, col := range cols {
			switch col {
			case colDate:
				if d.win.Granularity == domain.Hourly {
					rec = append(rec, r.Time.Format("2006-01-02 15:00:00"))
				} else {
					rec = append(rec, r.Time.Format(dayLayout))
				}
			case colCoin:
				rec = append(rec, r.CoinID)
			case colCurrency:
				rec = append(rec, strings.ToUpper(r.CurrencyCode))
			default:
				rec = append(rec, strconv.FormatFloat(r.Price, 'f', -1, 64))
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	name := "cryptodash-" + d.win.From.Format(dayLayout) + "-to-" + d.win.To.Format(dayLayout) + ".csv"
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
