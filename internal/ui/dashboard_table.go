package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui/route"
	"github.com/cryptodash/cryptodash/views"
)

func (d *dashboard) table() views.TableProps {
	s := d.state
	total := len(d.rows())
	pages := max(1, (total+pageSize-1)/pageSize)
	page := min(s.Page, pages)
	s.Page = page
	rows := d.sortedRows()[(page-1)*pageSize : min(page*pageSize, total)]

	view := d.chartView()
	cols := s.visibleCols()
	dims := cols[:len(cols)-1]
	p := views.TableProps{
		Showing: fmt.Sprintf("Showing %s–%s of %s", formatInt(int64((page-1)*pageSize+1)),
			formatInt(int64((page-1)*pageSize+len(rows))), formatInt(int64(total))),
		CSVURL: s.URL(route.DashboardCSV),
		Sort:   s.Sort, Dir: map[bool]string{false: "asc", true: "desc"}[s.Desc], Cols: strings.Join(s.Cols, ","),
	}
	reorder := s
	reorder.Cols = slices.Clone(defaultCols)
	p.ReorderURL = reorder.URL(route.TablePartial)

	for i, col := range cols {
		value := col == domain.ColPrice || col == colChange
		c := views.Column{Key: col, Label: columnLabel(col), Numeric: value, Movable: !value}
		if col == domain.ColPrice {
			c.Unit = d.priceUnit()
		}
		if col == domain.DimCurrency {
			c.Short = "Cur."
		}
		if s.Sort == col {
			c.Sort = p.Dir
		}
		sorted := s
		sorted.Sort, sorted.Page = col, 1
		sorted.Desc = s.Sort == col && !s.Desc || s.Sort != col && (col == domain.DimDate || value)
		c.SortBy = tableLink(sorted)
		if c.Movable && i > 0 {
			c.Left = tableLink(s.withSwapped(col, dims[i-1]))
		}
		if c.Movable && i < len(dims)-1 {
			c.Right = tableLink(s.withSwapped(col, dims[i+1]))
		}
		p.Columns = append(p.Columns, c)
	}

	for _, r := range rows {
		var cells []views.Cell
		for _, col := range cols {
			switch col {
			case domain.DimDate:
				cells = append(cells, views.Cell{Text: d.formatTime(r.Time), Note: d.pointNote(r)})
			case domain.DimCoin:
				cells = append(cells, views.Cell{Text: d.coinLabel(r.CoinID), Name: d.coinName(r.CoinID), Symbol: d.coinSymbol(r.CoinID),
					CoinID: r.CoinID})
			case domain.DimCurrency:
				cells = append(cells, views.Cell{Text: strings.ToUpper(r.CurrencyCode)})
			case colChange:
				cells = append(cells, views.Cell{Text: formatPercent(r.Change / 100), Numeric: true})
			default:
				cells = append(cells, views.Cell{Text: formatPrice(view.ValueCurrency(r.CurrencyCode), r.Price), Numeric: true})
			}
		}
		p.Rows = append(p.Rows, cells)
	}

	if pages > 1 {
		link := func(n int, label string) views.PageLink {
			t := s
			t.Page = n
			return views.PageLink{Link: tableLink(t), Label: label, Current: n == page}
		}
		if page > 1 {
			l := link(page-1, "‹ Prev")
			p.Prev = &l
		}
		for _, n := range pageWindow(page, pages) {
			if n == 0 {
				p.Pages = append(p.Pages, views.PageLink{Gap: true})
			} else {
				p.Pages = append(p.Pages, link(n, fmt.Sprint(n)))
			}
		}
		p.PageOf = fmt.Sprintf("Page %d of %d", page, pages)
		if page < pages {
			l := link(page+1, "Next ›")
			p.Next = &l
		}
	}
	return p
}

// tableLink is a view that differs from the one shown only in its table: the page, and the
// table partial that swaps in without redrawing the chart.
func tableLink(v ViewState) views.Link {
	return views.Link{URL: v.URL(route.Dashboard), Partial: v.URL(route.TablePartial)}
}

// pageWindow is the page numbers a pagination bar shows: the first, the last, and the current
// one with its neighbours, with 0 where a gap of two or more pages is left out (an ellipsis).
// A gap of a single page shows that page instead, since the ellipsis would be no shorter.
func pageWindow(page, pages int) []int {
	var keep []int
	for _, n := range []int{1, page - 1, page, page + 1, pages} {
		if n >= 1 && n <= pages && !slices.Contains(keep, n) {
			keep = append(keep, n)
		}
	}
	slices.Sort(keep)
	var out []int
	for i, n := range keep {
		if i > 0 {
			switch gap := n - keep[i-1]; {
			case gap == 2:
				out = append(out, n-1)
			case gap > 2:
				out = append(out, 0)
			}
		}
		out = append(out, n)
	}
	return out
}

// withSwapped returns v with two dimension columns exchanged in its column order.
func (v ViewState) withSwapped(a, b string) ViewState {
	v.Cols = slices.Clone(v.Cols)
	i, j := slices.Index(v.Cols, a), slices.Index(v.Cols, b)
	v.Cols[i], v.Cols[j] = v.Cols[j], v.Cols[i]
	return v
}

// sortedRows returns the rows in the table's order; ties fall back to date, coin, currency so
// pages never shuffle between requests. Coins sort by the label the table shows, worked out
// once per coin rather than in every comparison.
func (d *dashboard) sortedRows() []domain.PriceRow {
	rows := d.rows()
	labels := map[string]string{}
	for _, r := range rows {
		if _, ok := labels[r.CoinID]; !ok {
			labels[r.CoinID] = d.coinLabel(r.CoinID)
		}
	}
	byCol := func(col string, a, b domain.PriceRow) int {
		switch col {
		case domain.DimDate:
			return a.Time.Compare(b.Time)
		case domain.DimCoin:
			return cmp.Compare(labels[a.CoinID], labels[b.CoinID])
		case domain.DimCurrency:
			return cmp.Compare(a.CurrencyCode, b.CurrencyCode)
		case colChange:
			return cmp.Compare(a.Change, b.Change)
		}
		return cmp.Compare(a.Price, b.Price)
	}
	slices.SortStableFunc(rows, func(a, b domain.PriceRow) int {
		if c := byCol(d.state.Sort, a, b); c != 0 {
			if d.state.Desc {
				return -c
			}
			return c
		}
		if c := byCol(domain.DimDate, a, b); c != 0 {
			return c
		}
		if c := byCol(domain.DimCoin, a, b); c != 0 {
			return c
		}
		return byCol(domain.DimCurrency, a, b)
	})
	return rows
}

func (d *dashboard) coinLabel(id string) string {
	if c, ok := d.cat.coins[id]; ok {
		return c.Name + " (" + strings.ToUpper(c.Symbol) + ")"
	}
	return id
}

// coinName and coinSymbol are the parts of coinLabel; a phone shows the symbol alone.
func (d *dashboard) coinName(id string) string { return cmp.Or(d.cat.coins[id].Name, id) }

func (d *dashboard) coinSymbol(id string) string {
	if c, ok := d.cat.coins[id]; ok && c.Symbol != "" {
		return strings.ToUpper(c.Symbol)
	}
	return ""
}

// priceUnit is what the price column's header says its values are in: the one currency
// when every row is in it, and nothing when the currency column names each row's own.
func (d *dashboard) priceUnit() string {
	if d.state.breakdown().Currency {
		return ""
	}
	return strings.ToUpper(d.state.Currencies[0])
}

// pointNote flags a row whose number is not what a plain reading suggests: a value a
// series' gap carried forward, an incomplete day, or a complete day missing some hours.
func (d *dashboard) pointNote(r domain.PriceRow) string {
	switch {
	case r.Filled:
		return "filled"
	case r.Partial:
		return "partial · " + strconv.Itoa(r.Hours) + " h"
	case d.gran == domain.Daily && r.Hours < 24:
		return strconv.Itoa(r.Hours) + " of 24 h"
	}
	return ""
}

// formatTime writes a row's time for the table: its day, or for hourly rows its hour.
func (d *dashboard) formatTime(t time.Time) string {
	if d.gran == domain.Hourly {
		return t.Format(readableHour)
	}
	return t.Format(domain.DayLayout)
}
