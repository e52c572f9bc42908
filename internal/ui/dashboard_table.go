package ui

import (
	"cmp"
	"fmt"
	"maps"
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
	all := d.rows()
	total := len(all)
	pages := max(1, (total+pageSize-1)/pageSize)
	page := min(s.Page, pages)
	s.Page = page
	rows := pick(all, d.tableOrder(all, page*pageSize)[(page-1)*pageSize:])

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
		if col == colChange && s.benchmarked() {
			c.Label = "Change vs BTC"
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
				cells = append(cells, views.Cell{Text: formatPercent(r.Change), Numeric: true})
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

// sortedRows returns the rows in the table's order.
func (d *dashboard) sortedRows() []domain.PriceRow {
	rows := d.rows()
	return pick(rows, d.tableOrder(rows, len(rows)))
}

// pick is the rows at the indexes, in their order.
func pick(rows []domain.PriceRow, at []int) []domain.PriceRow {
	out := make([]domain.PriceRow, len(at))
	for i, j := range at {
		out[i] = rows[j]
	}
	return out
}

// rowKey is what the table sorts a row by, worked out once per row rather than in every
// comparison: its time, the rank of its coin's label and of its currency, and its index,
// which breaks the last ties as a stable sort would.
type rowKey struct {
	at        int64
	coin, cur int32
	index     int32
}

// tableOrder returns the indexes of the first n rows in the table's order; ties fall back to
// date, coin, currency and then the rows' own order, so pages never shuffle between requests.
// Coins sort by the label the table shows. A page needs only its first rows: they are picked
// without sorting the rest, which the order being total makes the same as a whole sort's.
func (d *dashboard) tableOrder(rows []domain.PriceRow, n int) []int {
	coins := map[string]string{}
	curs := map[string]string{}
	for _, r := range rows {
		if _, ok := coins[r.CoinID]; !ok {
			coins[r.CoinID] = d.coinLabel(r.CoinID)
		}
		curs[r.CurrencyCode] = r.CurrencyCode
	}
	coinRank, curRank := ranks(coins), ranks(curs)
	keys := make([]rowKey, len(rows))
	for i, r := range rows {
		keys[i] = rowKey{at: r.Time.UnixNano(), coin: coinRank[r.CoinID], cur: curRank[r.CurrencyCode], index: int32(i)}
	}
	byCol := func(col string, a, b rowKey) int {
		switch col {
		case domain.DimDate:
			return cmp.Compare(a.at, b.at)
		case domain.DimCoin:
			return cmp.Compare(a.coin, b.coin)
		case domain.DimCurrency:
			return cmp.Compare(a.cur, b.cur)
		case colChange:
			return cmp.Compare(rows[a.index].Change, rows[b.index].Change)
		}
		return cmp.Compare(rows[a.index].Price, rows[b.index].Price)
	}
	compare := func(a, b rowKey) int {
		if c := byCol(d.state.Sort, a, b); c != 0 {
			if d.state.Desc {
				return -c
			}
			return c
		}
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		if c := cmp.Compare(a.coin, b.coin); c != 0 {
			return c
		}
		if c := cmp.Compare(a.cur, b.cur); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	}
	n = min(n, len(keys))
	first := keys
	if n*4 < len(keys) {
		first = make([]rowKey, 0, n+1)
		for _, k := range keys {
			if len(first) == n && compare(k, first[n-1]) >= 0 {
				continue
			}
			at, _ := slices.BinarySearchFunc(first, k, compare)
			first = slices.Insert(first, at, k)
			if len(first) > n {
				first = first[:n]
			}
		}
	} else {
		slices.SortFunc(first, compare)
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(first[i].index)
	}
	return out
}

// ranks numbers each key by the place of its label among the labels, equal labels alike.
func ranks(labels map[string]string) map[string]int32 {
	sorted := slices.Sorted(maps.Values(labels))
	out := make(map[string]int32, len(labels))
	for k, l := range labels {
		at, _ := slices.BinarySearch(sorted, l)
		out[k] = int32(at)
	}
	return out
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
