package ui

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
	"github.com/cryptodash/cryptodash/views/components"
)

const (
	// staleAfter flags a series whose newest hour is older than a daily fetch plus slack.
	staleAfter = 26 * time.Hour
	recentRuns = 15
)

func (h *Handler) statusPage(c echo.Context, f Facts) error {
	ctx := c.Request().Context()
	content, err := h.statusContent(ctx)
	if err != nil {
		return err
	}
	layout, err := h.layout(ctx, f, "Status", "status")
	if err != nil {
		return err
	}
	layout.Description = "Fetch runs, their progress and errors, and how fresh and complete each coin's prices are."
	return Render(c, http.StatusOK, views.Status(views.StatusProps{Layout: layout, Content: content}))
}

func (h *Handler) statusPartial(c echo.Context) error {
	content, err := h.statusContent(c.Request().Context())
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, views.StatusContent(content))
}

// maxFreshnessRows is how many coins the freshness table lists. With a thousand coins the
// whole table would be megabytes that nobody reads; the coins needing attention come first,
// and the summary says how many are left out.
const maxFreshnessRows = 100

// freshnessTable lays the listed series out as one row per coin (in the coins' order) and
// one column per currency, which keeps the table a screen high where a row per series would
// run to dozens of rows. A coin's row is stale when any of its series is stale or has no
// data. The store lists every series of the coins it lists, so every cell has its series.
// Beyond maxFreshnessRows coins the store lists those needing attention, and the table shows
// the stale rows first; the summary counts every series.
func freshnessTable(coins []domain.Coin, currencies []domain.Currency, report domain.FreshnessReport, now time.Time) ([]views.FreshnessRow, []string, string) {
	bySeries := make(map[domain.Series]domain.SeriesFreshness, len(report.Listed))
	listed := make(map[string]bool, maxFreshnessRows)
	for _, f := range report.Listed {
		bySeries[f.Series] = f
		listed[f.CoinID] = true
	}
	rows := make([]views.FreshnessRow, 0, len(listed))
	for _, c := range coins {
		if !listed[c.ID] {
			continue
		}
		row := views.FreshnessRow{CoinID: c.ID, Coin: strings.ToUpper(c.Symbol) + " · " + c.Name}
		for _, cur := range currencies {
			s := domain.Series{CoinID: c.ID, CurrencyCode: cur.Code}
			f := bySeries[s]
			cell := views.FreshnessCell{Series: s.String()}
			if f.LastHour.IsZero() {
				cell.Missing = true
				cell.Detail = "No data stored yet"
			} else {
				age := now.Sub(f.LastHour)
				cell.LastHour = f.LastHour.Format(readableHour)
				cell.Age = formatAge(age)
				cell.Stale = age > staleAfter
				cell.Detail = "First hour " + f.FirstHour.Format(readableHour) + " UTC · " + formatInt(f.Hours) + " hours stored"
			}
			row.Stale = row.Stale || cell.Stale || cell.Missing
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	var upper []string
	if len(rows) > 0 {
		for _, c := range currencies {
			upper = append(upper, strings.ToUpper(c.Code))
		}
	}
	summary := fmt.Sprintf("%d series · %d fresh", report.Series, report.Series-report.Stale-report.Missing)
	if report.Stale > 0 {
		summary += fmt.Sprintf(" · %d stale", report.Stale)
	}
	if report.Missing > 0 {
		summary += fmt.Sprintf(" · %d without data", report.Missing)
	}
	if report.Coins > maxFreshnessRows {
		slices.SortStableFunc(rows, func(a, b views.FreshnessRow) int {
			switch {
			case a.Stale == b.Stale:
				return 0
			case a.Stale:
				return -1
			default:
				return 1
			}
		})
		summary += fmt.Sprintf(" · the table lists %d of %d coins, those needing attention first", len(rows), report.Coins)
	}
	return rows, upper, summary
}

func (h *Handler) statusContent(ctx context.Context) (views.StatusContentProps, error) {
	now := h.now().UTC()
	p := views.StatusContentProps{Now: now.Format(readableHour) + " UTC", StaleAfter: formatInt(int64(staleAfter.Hours())) + " hours"}
	cat, err := h.store.Catalog(ctx)
	if err != nil {
		return p, err
	}
	fresh, err := h.store.Freshness(ctx, now.Add(-staleAfter), maxFreshnessRows)
	if err != nil {
		return p, err
	}
	runs, err := h.store.RecentRuns(ctx, recentRuns)
	if err != nil {
		return p, err
	}
	// The run lease allows one running run (one whose holder died reads running until the
	// lease's sweep closes it), so the one going, if any, is the newest running one.
	if i := slices.IndexFunc(runs, func(r domain.FetchRun) bool { return r.Status == domain.RunRunning }); i >= 0 {
		running := runs[i]
		p.Running = &views.RunningProps{
			ID:      strconv.FormatInt(running.ID, 10),
			Trigger: string(running.Trigger),
			Started: formatAgo(now.Sub(running.StartedAt)),
			Windows: components.ProgressProps{Label: "Windows fetched", Done: running.WindowsDone, Total: running.WindowsTotal},
			Rows:    formatInt(running.RowsWritten),
		}
		// Until the run has listed its series there is nothing to count: the bar says
		// "Starting…" and the counts stay out.
		if running.SeriesTotal > 0 {
			p.Running.Series = fmt.Sprintf("%d / %d", running.SeriesDone, running.SeriesTotal)
		}
	}
	p.Freshness, p.Currencies, p.FreshnessSummary = freshnessTable(cat.Coins, cat.Currencies, fresh, now)
	p.Empty = fresh.Series == fresh.Missing
	for _, r := range runs {
		row := views.RunRow{
			ID: strconv.FormatInt(r.ID, 10), Trigger: string(r.Trigger), Status: string(r.Status),
			Started: r.StartedAt.UTC().Format(readableHour),
			Series:  fmt.Sprintf("%d / %d", r.SeriesDone, r.SeriesTotal),
			Rows:    formatInt(r.RowsWritten), Error: r.Error,
		}
		if r.HoursMissing > 0 {
			row.Missing = formatInt(int64(r.HoursMissing)) + " hours missing"
		}
		if r.FinishedAt != nil {
			row.Duration = formatDuration(r.FinishedAt.Sub(r.StartedAt))
		} else {
			row.Duration = formatDuration(now.Sub(r.StartedAt)) + " so far"
		}
		p.Runs = append(p.Runs, row)
	}
	return p, nil
}
