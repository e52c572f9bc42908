package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
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

func (h *Handler) statusPage(c echo.Context) error {
	ctx := c.Request().Context()
	content, err := h.statusContent(ctx)
	if err != nil {
		return err
	}
	layout, err := h.layout(ctx, "Status", "status")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Status(views.StatusProps{Layout: layout, Content: content}))
}

func (h *Handler) statusPartial(c echo.Context) error {
	content, err := h.statusContent(c.Request().Context())
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.StatusContent(content))
}

func (h *Handler) statusContent(ctx context.Context) (views.StatusContentProps, error) {
	now := h.now().UTC()
	p := views.StatusContentProps{Now: now.Format(hourLayout) + " UTC"}
	coins, err := h.store.Coins(ctx)
	if err != nil {
		return p, err
	}
	symbols := make(map[string]string, len(coins))
	for _, c := range coins {
		symbols[c.ID] = strings.ToUpper(c.Symbol)
	}
	fresh, err := h.store.Freshness(ctx)
	if err != nil {
		return p, err
	}
	runs, err := h.store.RecentRuns(ctx, recentRuns)
	if err != nil {
		return p, err
	}
	running, err := h.store.RunningRun(ctx)
	switch {
	case errors.Is(err, domain.ErrNotFound):
	case err != nil:
		return p, err
	default:
		p.Running = &views.RunningProps{
			ID:      strconv.FormatInt(running.ID, 10),
			Trigger: string(running.Trigger),
			Started: formatAge(now.Sub(running.StartedAt)) + " ago",
			Windows: components.ProgressProps{Label: "Windows fetched", Done: running.WindowsDone, Total: running.WindowsTotal},
			Series:  fmt.Sprintf("%d / %d", running.SeriesDone, running.SeriesTotal),
			Rows:    formatInt(running.RowsWritten),
		}
	}
	stored := false
	for _, f := range fresh {
		row := views.FreshnessRow{Series: cmp.Or(symbols[f.CoinID], f.CoinID) + " / " + strings.ToUpper(f.CurrencyCode)}
		if f.LastHour.IsZero() {
			row.Missing = true
		} else {
			stored = true
			age := now.Sub(f.LastHour)
			row.FirstHour, row.LastHour = f.FirstHour.Format(hourLayout), f.LastHour.Format(hourLayout)
			row.Hours = formatInt(f.Hours)
			row.Age = formatAge(age)
			row.Stale = age > staleAfter
		}
		p.Freshness = append(p.Freshness, row)
	}
	p.Empty = !stored
	for _, r := range runs {
		row := views.RunRow{
			ID: strconv.FormatInt(r.ID, 10), Trigger: string(r.Trigger), Status: string(r.Status),
			Started: r.StartedAt.UTC().Format(hourLayout),
			Series:  fmt.Sprintf("%d / %d", r.SeriesDone, r.SeriesTotal),
			Rows:    formatInt(r.RowsWritten), Error: r.Error,
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
