package main

import (
	"context"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/cryptodash/cryptodash/internal/simulator"
)

var screenshotDir = flag.String("screenshots", "", "directory TestScreenshots writes its PNGs to (make screenshots sets it)")

// chartJS finds the dashboard's ECharts instance, or null before app.js has drawn it.
const chartJS = `(window.echarts && document.getElementById('chart-prices') ? echarts.getInstanceByDom(document.getElementById('chart-prices')) : null)`

// chartReady holds once app.js has drawn a chart that is not the one tagged __stale before an
// action: HTMX's settle step briefly copies the old element's attributes, ECharts' instance
// key among them, onto the new one, so the instance found right after a swap can be the old.
const chartReady = `(() => { const c = ` + chartJS + `; const o = c && !c.__stale && c.getOption(); return !!o && o.series.length > 0; })()`

// chartShown holds once the dashboard shows its current chart: drawn by ECharts once ECharts
// is loaded, else the server's drawing, which stands until the chart is first used.
const chartShown = `(window.echarts ? ` + chartReady + ` : !!document.querySelector('#chart-prices [data-testid=chart-figure]'))`

// pointAtChart points at the page's chart and away again, or on a touch screen taps it, as a
// person about to use it does, which loads ECharts. The page scrolls back to where it was, so
// what a step measures next is where it would be without the detour.
func pointAtChart(t *testing.T, ctx context.Context) {
	t.Helper()
	type place struct {
		X, Y, ScrollY float64
		Touch         bool
	}
	// Input goes to the visual viewport, which an emulated phone scrolls apart from the
	// layout viewport that getBoundingClientRect measures from.
	at := eval[place](t, ctx, `(() => {
		const y = window.scrollY, el = document.querySelector('[data-chart]');
		el.scrollIntoView({block: 'center'});
		const r = el.getBoundingClientRect(), v = window.visualViewport;
		return {X: r.x + r.width / 2 - v.offsetLeft, Y: r.y + r.height / 2 - v.offsetTop, ScrollY: y, Touch: matchMedia('(pointer: coarse)').matches};
	})()`)
	if at.Touch {
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if _, err := chromedp.Call(tctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchStart,
			TouchPoints: []*input.TouchPoint{{X: at.X, Y: at.Y}}}); err != nil {
			t.Fatalf("touch the chart: %v", err)
		}
		if _, err := chromedp.Call(tctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchEnd,
			TouchPoints: []*input.TouchPoint{}}); err != nil {
			t.Fatalf("lift the touch: %v", err)
		}
	} else {
		do(t, ctx, "point at the chart", chromedp.MouseEvent(chromedp.MouseMoved, at.X, at.Y), chromedp.MouseEvent(chromedp.MouseMoved, 1, 1))
	}
	eval[chromedp.Void](t, ctx, `window.scrollTo(0, `+strconv.FormatFloat(at.ScrollY, 'f', 0, 64)+`)`)
}

// useChart points at the dashboard's chart and waits until ECharts has drawn it.
func useChart(t *testing.T, ctx context.Context) {
	t.Helper()
	pointAtChart(t, ctx)
	waitFor(t, ctx, "ECharts draws the chart", chartReady, `[typeof window.echarts, document.body.innerText.slice(0, 300)]`)
}

// pageState is what the dashboard shows, read in one evaluation so its parts agree.
type pageState struct {
	Search    string              `json:"search"`
	Series    []string            `json:"series"`
	Rows      int                 `json:"rows"`
	Cols      []string            `json:"cols"`
	Showing   string              `json:"showing"`
	Through   string              `json:"through"`
	Checked   map[string][]string `json:"checked"`
	SortCol   string              `json:"sortCol"`
	SortDir   string              `json:"sortDir"`
	Page      string              `json:"page"`
	Prices    []float64           `json:"prices"`
	Marker    string              `json:"marker"`
	Dark      bool                `json:"dark"`
	Banner    bool                `json:"banner"`
	XStepMins float64             `json:"xStepMins"`
}

const pageStateJS = `(() => {
	const c = ` + chartJS + `;
	const checked = {};
	document.querySelectorAll('#controls input:checked').forEach(i => { (checked[i.name] = checked[i.name] || []).push(i.value); });
	const sorted = document.querySelector('[data-testid=price-table] th[aria-sort]');
	const text = sel => { const el = document.querySelector(sel); return el ? el.textContent.replace(/\s+/g, ' ').trim() : ''; };
	const opt = c ? c.getOption() : null;
	let step = 0;
	if (opt && opt.series.length && opt.series[0].type === 'line' && opt.series[0].data.length > 1) {
		const x = d => (Array.isArray(d) ? d : d.value)[0];
		step = (x(opt.series[0].data[1]) - x(opt.series[0].data[0])) / 60000;
	}
	const banner = document.querySelector('[data-testid=simulated-banner]');
	const priceIdx = [...document.querySelectorAll('[data-testid=price-table] th[data-col]')].findIndex(th => th.dataset.col === 'price' || th.dataset.col === 'change');
	return {
		search: decodeURIComponent(location.search),
		series: opt ? opt.series.map(s => s.name) : null,
		rows: document.querySelectorAll('[data-testid=row]').length,
		cols: [...document.querySelectorAll('[data-testid=price-table] th[data-col]')].map(th => th.dataset.col),
		showing: text('[data-testid=showing]'),
		through: text('[data-testid=data-through]'),
		checked: checked,
		sortCol: sorted ? sorted.dataset.col : '',
		sortDir: sorted ? sorted.getAttribute('aria-sort') : '',
		page: text('[data-testid=page-current]'),
		prices: [...document.querySelectorAll('[data-testid=row]')].map(r => parseFloat(r.cells[priceIdx].textContent.replace(/[^0-9.\-]/g, ''))),
		marker: String(window.__marker || ''),
		dark: document.documentElement.classList.contains('dark'),
		banner: !!banner && banner.offsetParent !== null && /simulated/i.test(banner.textContent),
		xStepMins: step,
	};
})()`

func readState(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	return eval[pageState](t, ctx, pageStateJS)
}

// urlHas is a JavaScript condition: location.search has each "key=value" of want, a
// comma-separated value compared as a set ("coins=solana,bitcoin" matches
// "coins=bitcoin,solana"); "key=" means the parameter is absent or empty.
func urlHas(want ...string) string {
	var conds []string
	for _, w := range want {
		key, value, _ := strings.Cut(w, "=")
		parts := strings.Split(value, ",")
		slices.Sort(parts)
		conds = append(conds, `(new URLSearchParams(location.search).get(`+strconv.Quote(key)+`) || '').split(',').sort().join(',') === `+
			strconv.Quote(strings.Join(parts, ",")))
	}
	return strings.Join(conds, " && ")
}

// swap performs action and waits until HTMX has replaced the element with id target (the
// old one is tagged first), no request is in flight, and, when the results were swapped, the
// new chart shows (see chartShown). Each "key=value" of url must then be in location.search.
func swap(t *testing.T, ctx context.Context, what, target string, url []string, action chromedp.Action[chromedp.Void]) pageState {
	t.Helper()
	eval[chromedp.Void](t, ctx, `document.getElementById('`+target+`').__stale = true; if (`+chartJS+`) `+chartJS+`.__stale = true`)
	do(t, ctx, what, action)
	cond := `(() => { const el = document.getElementById('` + target + `'); return el && !el.__stale; })()` +
		` && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')`
	if target == "results" {
		cond += ` && ` + chartShown
	}
	if len(url) > 0 {
		cond += ` && ` + urlHas(url...)
	}
	waitFor(t, ctx, what+" to swap #"+target, cond, `decodeURIComponent(location.search)`)
	return readState(t, ctx)
}

// click is a real mouse click on the element, followed by moving the pointer to a corner so
// no hover card stays open over the next control.
func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible),
		chromedp.MouseEvent(chromedp.MouseMoved, 1, 1),
	)
}

// checkAgrees checks that the controls and the table show the state the URL names.
func checkAgrees(t *testing.T, s pageState) {
	t.Helper()
	q, err := url.ParseQuery(strings.TrimPrefix(s.Search, "?"))
	if err != nil {
		t.Fatalf("location.search %q: %v", s.Search, err)
	}
	list := func(key, def string) []string {
		if v := q.Get(key); v != "" {
			return strings.Split(v, ",")
		}
		return strings.Split(def, ",")
	}
	if want := list("coins", "bitcoin,ethereum,dogecoin"); !sameSet(s.Checked["coins"], want) {
		t.Errorf("URL %q names coins %q, the form shows %q", s.Search, want, s.Checked["coins"])
	}
	if want := list("currencies", "usd,try"); !sameSet(s.Checked["currencies"], want) {
		t.Errorf("URL %q names currencies %q, the form shows %q", s.Search, want, s.Checked["currencies"])
	}
	if want := list("range", "1m"); !slices.Equal(s.Checked["range"], want) {
		t.Errorf("URL %q names range %q, the form shows %q", s.Search, want, s.Checked["range"])
	}
	breakdown := list("breakdown", "date,coin,currency")
	// The value column is the price or, in the default percent mode, the change; prices in
	// several currencies keep a currency column even when the breakdown leaves it out.
	cols, value := slices.Clone(breakdown), "change"
	if q.Get("mode") == "price" {
		value = "price"
		if len(list("currencies", "usd,try")) > 1 && !slices.Contains(cols, "currency") {
			cols = append(cols, "currency")
		}
	}
	if !sameSet(s.Checked["breakdown"], breakdown) || !sameSet(s.Cols, append(cols, value)) {
		t.Errorf("URL %q names breakdown %q, the form shows %q and the table columns %q", s.Search, breakdown, s.Checked["breakdown"], s.Cols)
	}
	sortCol, sortDir := q.Get("sort"), q.Get("dir")
	if sortCol == "" {
		sortCol, sortDir = "date", "desc"
	}
	if s.SortCol != sortCol || !strings.HasPrefix(s.SortDir, sortDir) {
		t.Errorf("URL %q sorts by %s %s, the table by %s %s", s.Search, sortCol, sortDir, s.SortCol, s.SortDir)
	}
}

// xLabelsJS lists the x-axis labels ECharts draws (hidden ones left out) with their boxes in
// the chart's own pixels, and the chart's width: labels must neither touch nor be cut off.
const xLabelsJS = `(() => {
	const c = ` + chartJS + `;
	const out = [];
	c.getZr().storage.getDisplayList(true).forEach(el => {
		const text = el.style && el.style.text;
		if ((el.type !== 'text' && el.type !== 'tspan') || el.ignore || el.invisible || !/^([A-Z][a-z]{2}( \d+)?|\d{4}|\d\d:\d\d)$/.test(text || '')) return;
		const r = el.getBoundingRect().clone();
		if (el.transform) r.applyTransform(el.transform);
		out.push({text: text, x: r.x, width: r.width});
	});
	out.sort((a, b) => a.x - b.x);
	return {labels: out, width: c.getWidth()};
})()`

type xLabels struct {
	Labels []struct {
		Text  string  `json:"text"`
		X     float64 `json:"x"`
		Width float64 `json:"width"`
	} `json:"labels"`
	Width float64 `json:"width"`
}

// checkXLabels fails when x-axis labels are missing, closer than 4 px, or cut off.
func checkXLabels(t *testing.T, ctx context.Context) {
	t.Helper()
	got := eval[xLabels](t, ctx, xLabelsJS)
	if len(got.Labels) < 2 {
		t.Errorf("x axis shows %d labels: %+v", len(got.Labels), got.Labels)
		return
	}
	for i, l := range got.Labels {
		if l.X < 0 || l.X+l.Width > got.Width {
			t.Errorf("x label %q spans %.0f–%.0f px, outside the %.0f px chart", l.Text, l.X, l.X+l.Width, got.Width)
		}
		if i > 0 {
			prev := got.Labels[i-1]
			if gap := l.X - (prev.X + prev.Width); gap < 4 {
				t.Errorf("x labels %q and %q are %.0f px apart", prev.Text, l.Text, gap)
			}
		}
	}
}

func sameSet(got, want []string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func nonIncreasing(v []float64) bool {
	for i := 1; i < len(v); i++ {
		if v[i] > v[i-1] {
			return false
		}
	}
	return len(v) > 0
}

// TestBrowser_Dashboard drives the dashboard in headless Chromium against the real server
// reading simulator data, the way an analyst would, and checks what each step puts on screen.
func TestBrowser_Dashboard(t *testing.T) {
	chromiumPath(t)
	srv := startServer(t)
	b := newBrowser(t, 1400, 1000)
	ctx := b.tab()

	// The steps build on each other: a step that could not finish (t.Fatal) ends the test,
	// one that only found something wrong (t.Error) lets the next steps run.
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		finished := false
		b.setPhase(name)
		t.Run(name, func(t *testing.T) {
			f(t)
			finished = true
		})
		if !finished {
			t.FailNow()
		}
	}

	step("load", func(t *testing.T) {
		// These steps work in prices; the default view (changes in percent) has its own test.
		do(t, ctx, "open /?mode=price", chromedp.Navigate(srv.URL+"/?mode=price"))
		useChart(t, ctx)
		s := readState(t, ctx)
		want := []string{"BTC / USD", "BTC / TRY", "ETH / USD", "ETH / TRY", "DOGE / USD", "DOGE / TRY"}
		if !sameSet(s.Series, want) {
			t.Errorf("chart series %q, want %q", s.Series, want)
		}
		if s.Rows != 10 || s.Showing != "Showing 1–10 of 180" {
			t.Errorf("table has %d rows and says %q, want 10 of 180 (30 days × 3 coins × 2 currencies)", s.Rows, s.Showing)
		}
		if !slices.Equal(s.Cols, []string{"date", "coin", "currency", "price"}) || s.SortCol != "date" || s.SortDir != "descending" {
			t.Errorf("columns %q sorted by %s %s, want date, coin, currency, price by date descending", s.Cols, s.SortCol, s.SortDir)
		}
		if !s.Banner {
			t.Error("the simulated-data banner is not visible")
		}
		if s.Search != "?mode=price" || !strings.Contains(s.Through, "daily averages") {
			t.Errorf("search %q, range %q: want the default view in prices, daily", s.Search, s.Through)
		}
		// Prices mix BTC/TRY (millions) and DOGE/USD (cents): a log axis keeps every line
		// readable.
		if y := eval[string](t, ctx, chartJS+`.getOption().yAxis[0].type`); y != "log" {
			t.Errorf("default y axis for prices is %q, want log", y)
		}
		checkXLabels(t, ctx)
		// On a wide screen the filters are open and their disclosure summary is hidden.
		if open := eval[bool](t, ctx, `document.getElementById('filters').open && document.getElementById('controls').offsetParent !== null`); !open {
			t.Error("the filters are closed on a desktop screen")
		}
	})

	step("coins", func(t *testing.T) {
		eval[chromedp.Void](t, ctx, `window.__marker = 'same page'`)
		s := swap(t, ctx, "add Solana", "results", []string{"coins=bitcoin,ethereum,dogecoin,solana"},
			click(`[data-testid="option-coins-solana"]`))
		if !slices.Contains(s.Series, "SOL / USD") || len(s.Series) != 8 || s.Showing != "Showing 1–10 of 240" {
			t.Errorf("after adding Solana: series %q, %q", s.Series, s.Showing)
		}
		s = swap(t, ctx, "remove Dogecoin", "results", []string{"coins=bitcoin,ethereum,solana"},
			click(`[data-testid="option-coins-dogecoin"]`))
		if slices.Contains(s.Series, "DOGE / USD") || len(s.Series) != 6 || !sameSet(s.Checked["coins"], []string{"bitcoin", "ethereum", "solana"}) {
			t.Errorf("after removing Dogecoin: series %q, checked coins %q", s.Series, s.Checked["coins"])
		}
		if s.Marker != "same page" {
			t.Error("the page was reloaded: window.__marker is gone")
		}
	})

	step("currencies, range and breakdown", func(t *testing.T) {
		s := swap(t, ctx, "add EUR", "results", []string{"currencies=usd,try,eur"}, click(`[data-testid="option-currencies-eur"]`))
		if !slices.Contains(s.Series, "BTC / EUR") || len(s.Series) != 9 {
			t.Errorf("after adding EUR: series %q", s.Series)
		}
		s = swap(t, ctx, "remove TRY", "results", []string{"currencies=usd,eur"}, click(`[data-testid="option-currencies-try"]`))
		if slices.Contains(s.Series, "BTC / TRY") || len(s.Series) != 6 {
			t.Errorf("after removing TRY: series %q", s.Series)
		}
		s = swap(t, ctx, "range 1W", "results", []string{"range=1w"}, click(`[data-testid="option-range-1w"]`))
		if s.Showing != "Showing 1–10 of 42" || !slices.Equal(s.Checked["range"], []string{"1w"}) {
			t.Errorf("1W: %q, checked range %q; want 42 rows (7 days × 3 coins × 2 currencies)", s.Showing, s.Checked["range"])
		}
		s = swap(t, ctx, "range 3M", "results", []string{"range=3m"}, click(`[data-testid="option-range-3m"]`))
		if s.Showing != "Showing 1–10 of 540" || !strings.Contains(s.Through, "daily averages") {
			t.Errorf("3M: %q, %q; want 540 daily rows", s.Showing, s.Through)
		}
		// Prices in USD and EUR are never averaged into one number: without Currency in the
		// breakdown the currencies still keep their own lines and rows, and the page says so.
		s = swap(t, ctx, "breakdown without currency", "results", []string{"breakdown=date,coin"},
			click(`[data-testid="option-breakdown-currency"]`))
		if !slices.Equal(s.Cols, []string{"date", "coin", "currency", "price"}) {
			t.Errorf("columns %q, want date, coin, currency, price", s.Cols)
		}
		if len(s.Series) != 6 || s.Showing != "Showing 1–10 of 540" {
			t.Errorf("series %q, %q; want a line per coin and currency, 540 rows", s.Series, s.Showing)
		}
		if note := eval[string](t, ctx, `document.querySelector('[data-testid=notes]').textContent`); !strings.Contains(note, "never averaged") {
			t.Errorf("notes %q do not say why the currencies stay apart", note)
		}
		if s.Marker != "same page" {
			t.Error("the page was reloaded: window.__marker is gone")
		}
	})

	step("sort and page", func(t *testing.T) {
		// Zoom the daily chart part way (not to hourly): its own "Reset zoom" shows, and must
		// stay shown when sorting swaps the chart's toolbar out of band.
		resetShown := `(() => { const b = document.querySelector('button[data-testid="reset-zoom"]'); return !!b && !b.classList.contains('hidden'); })()`
		eval[chromedp.Void](t, ctx, chartJS+`.dispatchAction({type: 'dataZoom', start: 50, end: 100})`)
		waitFor(t, ctx, "Reset zoom shows on a zoomed chart", resetShown, `document.querySelector('[data-testid="reset-zoom"]').outerHTML`)
		before := readState(t, ctx)
		s := swap(t, ctx, "sort by price", "table-section", []string{"sort=price", "dir=desc"}, click(`[data-testid="sort-price"]`))
		// The highest price of the whole result leads, so it is at least every price the
		// date-sorted first page showed, whichever day the simulated prices peak on.
		if s.SortCol != "price" || s.SortDir != "descending" || !nonIncreasing(s.Prices) || s.Prices[0] < slices.Max(before.Prices) {
			t.Errorf("after sorting by price: sorted by %s %s, prices %v (before %v)",
				s.SortCol, s.SortDir, s.Prices, before.Prices)
		}
		if !eval[bool](t, ctx, resetShown) {
			t.Error("sorting hid Reset zoom while the chart is still zoomed")
		}
		do(t, ctx, "reset the chart's own zoom", click(`button[data-testid="reset-zoom"]`))
		waitFor(t, ctx, "the chart zoom is reset", `!`+resetShown+` && `+chartJS+`.getOption().dataZoom[0].start === 0`, `document.querySelector('[data-testid="reset-zoom"]').outerHTML`)
		page1 := s
		s = swap(t, ctx, "go to page 2", "table-section", []string{"page=2"}, click(`[data-testid="page-next"]`))
		if s.Page != "2" || s.Showing != "Showing 11–20 of 540" || !nonIncreasing(s.Prices) ||
			s.Prices[0] > page1.Prices[len(page1.Prices)-1] || !strings.Contains(s.Search, "sort=price") {
			t.Errorf("page 2: current %q, %q, prices %v after %v, search %q", s.Page, s.Showing, s.Prices, page1.Prices, s.Search)
		}
		if s.Marker != "same page" {
			t.Error("the page was reloaded: window.__marker is gone")
		}
		// The keyboard's way to reorder columns (dragging a header does the same).
		order := slices.Clone(s.Cols)
		s = swap(t, ctx, "move the coin column left", "table-section", []string{"cols=coin,date,currency"}, click(`[data-testid="move-left-coin"]`))
		if len(s.Cols) < 2 || s.Cols[0] != "coin" || s.Cols[1] != "date" || !strings.Contains(s.Search, "sort=price") {
			t.Errorf("after moving Coin left: columns %v, search %q", s.Cols, s.Search)
		}
		s = swap(t, ctx, "move it back", "table-section", []string{"sort=price"}, click(`[data-testid="move-right-coin"]`))
		if !slices.Equal(s.Cols, order) || strings.Contains(s.Search, "cols=") {
			t.Errorf("after moving Coin back: columns %v, want %v; search %q", s.Cols, order, s.Search)
		}
	})

	step("zoom into hourly and reset", func(t *testing.T) {
		// Zoom the way a drag does: a dataZoom action on the instance, to the last day.
		zoom := `(() => {
			const c = ` + chartJS + `;
			const d = c.getOption().series[0].data;
			const x = p => (Array.isArray(p) ? p : p.value)[0];
			const end = x(d[d.length - 1]);
			c.dispatchAction({type: 'dataZoom', startValue: end - 24 * 3600 * 1000, endValue: end});
		})()`
		s := swap(t, ctx, "zoom to 2 days", "results", []string{"range=custom", "orig=3m"}, chromedp.Evaluate[chromedp.Void](zoom))
		if !strings.Contains(s.Through, "hourly prices") || s.XStepMins != 60 || !strings.Contains(s.Search, "orig=3m") {
			t.Errorf("after zooming: %q, x step %v min, search %q; want hourly points and orig=3m", s.Through, s.XStepMins, s.Search)
		}
		// The zoom keeps the rest of the view, the table's sort included.
		if !strings.Contains(s.Search, "sort=price") || s.SortCol != "price" {
			t.Errorf("zooming lost the table's sort by price: search %q, sorted by %q", s.Search, s.SortCol)
		}
		// The zoom swaps #results only, so the form's range control keeps showing 3M until
		// the page is rendered whole (the back step checks that it then shows Custom).
		s = swap(t, ctx, "reset zoom", "results", []string{"range=3m", "orig=", "from="}, click(`a[data-testid="reset-zoom"]`))
		if !strings.Contains(s.Search, "sort=price") || s.SortCol != "price" {
			t.Errorf("reset zoom lost the table's sort by price: search %q, sorted by %q", s.Search, s.SortCol)
		}
		if strings.Contains(s.Search, "custom") || strings.Contains(s.Search, "orig=") || !strings.Contains(s.Through, "daily averages") ||
			s.XStepMins != 24*60 || !slices.Equal(s.Checked["range"], []string{"3m"}) {
			t.Errorf("after reset: search %q, %q, x step %v min, range %q", s.Search, s.Through, s.XStepMins, s.Checked["range"])
		}
	})

	step("theme", func(t *testing.T) {
		// ECharts' dark theme sets darkMode in the model; the light default leaves it unset.
		darkChart := `(() => { const c = ` + chartJS + `; return !!c && !c.__old && c.getModel().get('darkMode') === true; })()`
		lightChart := `(() => { const c = ` + chartJS + `; return !!c && !c.__old && c.getModel().get('darkMode') !== true; })()`
		if readState(t, ctx).Dark {
			t.Fatal("the page starts dark in a browser that prefers light")
		}
		// A zoom wider than 2 days stays in the browser; the redraw for the theme must keep it,
		// and with it the Reset zoom button.
		eval[chromedp.Void](t, ctx, `(() => {
			const c = `+chartJS+`;
			const d = c.getOption().series[0].data;
			const x = p => (Array.isArray(p) ? p : p.value)[0];
			const end = x(d[d.length - 1]);
			c.dispatchAction({type: 'dataZoom', startValue: end - 10 * 24 * 3600 * 1000, endValue: end});
		})()`)
		zoomed := `(() => { const z = ` + chartJS + `.getOption().dataZoom[0]; return z.start > 0 || z.end < 100; })()`
		resetShown := `!document.querySelector('button[data-testid="reset-zoom"]').classList.contains('hidden')`
		waitFor(t, ctx, "the chart is zoomed and offers a reset", zoomed+` && `+resetShown,
			`[`+chartJS+`.getOption().dataZoom[0].start, `+chartJS+`.getOption().dataZoom[0].end]`)
		eval[chromedp.Void](t, ctx, chartJS+`.__old = true`)
		do(t, ctx, "toggle to dark", click(`[data-testid="theme-toggle"]`))
		waitFor(t, ctx, "<html> is dark and the chart re-drawn dark", `document.documentElement.classList.contains('dark') && `+darkChart,
			`[document.documentElement.className, `+chartJS+`.getModel().get('darkMode')]`)
		waitFor(t, ctx, "the redrawn chart keeps the zoom and its reset button", zoomed+` && `+resetShown,
			`[`+chartJS+`.getOption().dataZoom[0].start, `+chartJS+`.getOption().dataZoom[0].end]`)
		do(t, ctx, "reset the zoom", click(`button[data-testid="reset-zoom"]`))
		waitFor(t, ctx, "the reset shows the whole range", `!`+zoomed, `[`+chartJS+`.getOption().dataZoom[0].start]`)
		eval[chromedp.Void](t, ctx, chartJS+`.__old = true`)
		do(t, ctx, "toggle to light", click(`[data-testid="theme-toggle"]`))
		waitFor(t, ctx, "<html> is light and the chart re-drawn light", `!document.documentElement.classList.contains('dark') && `+lightChart,
			`[document.documentElement.className]`)
	})

	step("hover card", func(t *testing.T) {
		trigger := `[data-testid="row"] [data-testid="coin-hover"]`
		coinID := eval[string](t, ctx, `document.querySelector('`+trigger+`').dataset.coin`)
		cellText := eval[string](t, ctx, `document.querySelector('`+trigger+` [data-testid=coin-cell]').textContent.trim()`)
		do(t, ctx, "hover a coin name", chromedp.ScrollIntoView(chromedp.CSS(trigger+" [data-testid=coin-cell]")))
		box := eval[[]float64](t, ctx, `(() => { const r = document.querySelector('`+trigger+` [data-testid=coin-cell]').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
		do(t, ctx, "move the pointer onto the coin name", chromedp.MouseEvent(chromedp.MouseMoved, box[0], box[1]))
		card := `document.querySelector('` + trigger + ` [data-testid="coin-card"]')`
		waitFor(t, ctx, "the hover card shows", card+` && `+card+`.getBoundingClientRect().height > 0`,
			`document.querySelector('`+trigger+`').innerHTML.slice(0, 300)`)
		// The logo loads lazily: wait until it has loaded, or failed and been removed.
		waitFor(t, ctx, "the logo settles", `(() => { const i = `+card+`.querySelector('img[data-logo]'); return !i || i.complete; })()`,
			card+`.querySelector('[data-testid=coin-logo]').outerHTML`)
		type cardState struct {
			Name, Symbol, Description, DescHTML string
			Scripts, Links, BadLinks            int
			Logo                                string
		}
		got := eval[cardState](t, ctx, `(() => {
			const c = `+card+`;
			const d = c.querySelector('[data-testid=coin-description]');
			const img = c.querySelector('img[data-logo]');
			const links = [...d.querySelectorAll('a')];
			return {
				Name: c.querySelector('[data-testid=coin-name]').textContent.trim(),
				Symbol: c.querySelector('[data-testid=coin-symbol]').textContent.trim(),
				Description: d.textContent.trim(),
				DescHTML: d.innerHTML,
				Scripts: c.querySelectorAll('script, iframe, [onerror], [onclick], [onload]').length,
				Links: links.length,
				BadLinks: links.filter(a => !/^https?:/.test(a.getAttribute('href')) || !/nofollow/.test(a.rel)).length,
				Logo: img ? (img.complete && img.naturalWidth > 0 ? 'image' : 'broken') : (c.querySelector('[data-testid=coin-logo]').textContent.trim() || 'none'),
			};
		})()`)
		if !strings.HasPrefix(cellText, got.Name+" (") || !strings.Contains(cellText, "("+got.Symbol+")") {
			t.Errorf("card for %s names %q %q, the cell says %q", coinID, got.Name, got.Symbol, cellText)
		}
		if !strings.Contains(got.Description, "simulator") || got.Scripts > 0 || got.BadLinks > 0 || strings.Contains(got.DescHTML, "<script") {
			t.Errorf("description not shown or not sanitised: %q (script-like elements %d, unsafe links %d of %d)", got.DescHTML, got.Scripts, got.BadLinks, got.Links)
		}
		if got.Logo != "image" && got.Logo != got.Symbol {
			t.Errorf("logo is %q, want the loaded image or the initials %q", got.Logo, got.Symbol)
		}
		do(t, ctx, "move the pointer away", chromedp.MouseEvent(chromedp.MouseMoved, 1, 1))

		// The chips in the form have cards too, on the link to the coin's page beside each.
		chip := `[data-testid="coin-options"] [data-testid="coin-hover"][data-coin="solana"]`
		box = eval[[]float64](t, ctx, `(() => { const el = document.querySelector('`+chip+`'); el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
		do(t, ctx, "hover the Solana chip", chromedp.MouseEvent(chromedp.MouseMoved, box[0], box[1]))
		chipCard := `document.querySelector('` + chip + ` [data-testid="coin-name"]')`
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if _, err := chromedp.Run(pctx, chromedp.Poll[bool](chipCard+` && `+chipCard+`.textContent.trim() === 'Solana'`, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Errorf("the Solana chip's hover card does not load (it shows %q)",
				eval[string](t, ctx, `document.querySelector('`+chip+` .coin-card-pop').textContent.trim()`))
		}
		do(t, ctx, "move the pointer away", chromedp.MouseEvent(chromedp.MouseMoved, 1, 1))
	})

	step("back and forward", func(t *testing.T) {
		// The last two history entries are the zoomed (custom, hourly) view and the 3M view
		// the reset restored; theme and hover cards push nothing.
		eval[chromedp.Void](t, ctx, `document.getElementById('controls').__stale = true`)
		do(t, ctx, "go back", chromedp.NavigateBack())
		waitFor(t, ctx, "back restores the zoomed view",
			`!document.getElementById('controls').__stale && `+urlHas("range=custom")+` && `+chartReady+` && !document.querySelector('.htmx-request, .htmx-settling')`,
			`[decodeURIComponent(location.search), !!document.getElementById('controls').__stale]`)
		s := readState(t, ctx)
		if !slices.Equal(s.Checked["range"], []string{"custom"}) || !strings.Contains(s.Through, "hourly prices") || s.XStepMins != 60 {
			t.Errorf("after back: search %q, range control %q, %q, x step %v min; want the zoomed hourly view", s.Search, s.Checked["range"], s.Through, s.XStepMins)
		}
		checkAgrees(t, s)

		eval[chromedp.Void](t, ctx, `document.getElementById('controls').__stale = true`)
		do(t, ctx, "go forward", chromedp.NavigateForward())
		waitFor(t, ctx, "forward restores the 3M view",
			`!document.getElementById('controls').__stale && `+urlHas("range=3m")+` && `+chartReady+` && !document.querySelector('.htmx-request, .htmx-settling')`,
			`[decodeURIComponent(location.search), !!document.getElementById('controls').__stale]`)
		s = readState(t, ctx)
		if !strings.Contains(s.Through, "daily averages") || s.Showing != "Showing 1–10 of 540" {
			t.Errorf("after forward: search %q, %q, %q; want the 3M daily view", s.Search, s.Through, s.Showing)
		}
		checkAgrees(t, s)
		if n := eval[int](t, ctx, `document.querySelectorAll('#controls .field-error').length`); n != 6 {
			t.Errorf("after back and forward the form has %d of its 6 message slots", n)
		}
	})
}

// TestScreenshots writes PNGs of the dashboard (light and dark, desktop and phone), of a
// hover card and of /status during a run, for people to look at. make screenshots runs it.
func TestScreenshots(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("run make screenshots")
	}
	if err := os.MkdirAll(*screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t)
	b := newBrowser(t, 1400, 1000)
	ctx := b.tab()
	// The window size includes no browser chrome in headless mode, but set the viewport
	// exactly so that viewport shots are 1400×1000.
	do(t, ctx, "set the viewport", chromedp.EmulateViewport(1400, 1000))

	save := func(t *testing.T, ctx context.Context, name string, full bool) {
		t.Helper()
		shot := chromedp.CaptureScreenshot()
		if full {
			shot = chromedp.FullScreenshot(100)
		}
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		png, err := chromedp.Run(sctx, shot)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(*screenshotDir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}
	// settle has ECharts draw the chart, as the first use of it does, and waits for its entry
	// animation to end.
	settle := func(t *testing.T, ctx context.Context) {
		t.Helper()
		waitFor(t, ctx, "the page is loaded", `document.readyState === 'complete' && !document.querySelector('.htmx-request')`, `location.href`)
		useChart(t, ctx)
		do(t, ctx, "let the chart animation end", chromedp.Sleep(1500*time.Millisecond))
	}
	setTheme := func(t *testing.T, ctx context.Context, theme string) {
		t.Helper()
		eval[chromedp.Void](t, ctx, `localStorage.setItem('theme', '`+theme+`')`)
	}

	for _, theme := range []string{"light", "dark"} {
		t.Run("desktop "+theme, func(t *testing.T) {
			do(t, ctx, "open /", chromedp.Navigate(srv.URL+"/"))
			setTheme(t, ctx, theme)
			do(t, ctx, "reload", chromedp.Reload())
			settle(t, ctx)
			save(t, ctx, "dashboard-"+theme+".png", true)
		})
	}

	t.Run("hover card", func(t *testing.T) {
		do(t, ctx, "open /", chromedp.Navigate(srv.URL+"/"))
		setTheme(t, ctx, "light")
		do(t, ctx, "reload", chromedp.Reload())
		settle(t, ctx)
		// The first row's coin name in the middle of the viewport, so the card below it fits.
		trigger := `[data-testid="row"] [data-testid="coin-cell"]`
		box := eval[[]float64](t, ctx, `(() => { const el = document.querySelector('`+trigger+`'); el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
		do(t, ctx, "hover", chromedp.MouseEvent(chromedp.MouseMoved, box[0], box[1]))
		waitFor(t, ctx, "the card shows", `document.querySelector('[data-testid="row"] [data-testid="coin-card"]')`, ``)
		do(t, ctx, "let the logo load", chromedp.Sleep(500*time.Millisecond))
		save(t, ctx, "hover-card.png", false)
		do(t, ctx, "move away", chromedp.MouseEvent(chromedp.MouseMoved, 1, 1))
	})

	for _, theme := range []string{"light", "dark"} {
		t.Run("phone "+theme, func(t *testing.T) {
			tab := b.newTab(t)
			do(t, tab, "emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
			do(t, tab, "open /", chromedp.Navigate(srv.URL+"/"))
			setTheme(t, tab, theme)
			do(t, tab, "reload", chromedp.Reload())
			settle(t, tab)
			save(t, tab, "dashboard-phone-"+theme+".png", true)
		})
	}

	t.Run("status during a run", func(t *testing.T) {
		// Slow answers keep the run going long enough to be seen (it has little to fetch
		// right after the backfill).
		srv.Sim.SetFaults(simulator.Faults{Slow: time.Second})
		t.Cleanup(func() {
			srv.Sim.SetFaults(simulator.Faults{})
			srv.waitRunFinished(t, 60*time.Second)
		})
		do(t, ctx, "open /", chromedp.Navigate(srv.URL+"/"))
		setTheme(t, ctx, "light")
		srv.startFetch(t)
		do(t, ctx, "open /status", chromedp.Navigate(srv.URL+"/status"))
		// Wait for the bar to have moved, so the shot shows a run part-way (the page polls
		// every 2 s).
		waitFor(t, ctx, "the progress bar shows progress", `(() => { const p = document.querySelector('[data-testid=progress-bar] [role=progressbar]'); return p && p.getBoundingClientRect().height > 0 && +p.getAttribute('aria-valuenow') > 0; })()`,
			`document.body.innerText.slice(0, 400)`)
		save(t, ctx, "status-running.png", true)
		if running := eval[bool](t, ctx, `!!document.querySelector('[data-testid=progress-bar]')`); !running {
			t.Error("the run ended before the screenshot; status-running.png shows no progress bar")
		}
	})
}
