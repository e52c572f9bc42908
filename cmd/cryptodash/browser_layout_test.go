package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// allCoins is the default COINS: 11 coins, which in 4 currencies make 44 series.
const allCoins = "bitcoin,ethereum,solana,cardano,ripple,polkadot,dogecoin,avalanche-2,chainlink,uniswap,litecoin"

// layoutFacts is what TestBrowser_FitsEveryScreen reads off a page.
type layoutFacts struct {
	ScrollW float64 `json:"scrollW"`
	InnerW  float64 `json:"innerW"`
	// Widest names the element reaching furthest right, when the page is wider than the window.
	Widest string `json:"widest"`
	// HeaderRight is where the header's last control ends.
	HeaderRight float64 `json:"headerRight"`
	// Rows is each price table row's text cells as shown, clipped ones marked.
	Rows []string `json:"rows"`
}

const layoutFactsJS = `(() => {
	const de = document.documentElement;
	let widest = '';
	if (de.scrollWidth > Math.min(innerWidth, screen.width)) {
		let right = 0;
		for (const el of document.body.querySelectorAll('*')) {
			const r = el.getBoundingClientRect();
			if (r.right > right + 0.5) { right = r.right; widest = el.tagName.toLowerCase() + '.' + (el.className.baseVal ?? el.className) + ' ' + Math.round(r.right) + 'px'; }
		}
	}
	const header = [...document.querySelectorAll('header a, header button')].filter(e => e.offsetParent !== null);
	const rows = [...document.querySelectorAll('[data-testid=price-table] tbody tr')].map(tr =>
		[...tr.querySelectorAll('td:not(.num)')].map(td => {
			const r = td.getBoundingClientRect();
			const clipped = td.scrollWidth > td.clientWidth + 1 || r.right > screen.width + 0.5 || r.left < -0.5;
			return (clipped ? 'CLIPPED:' : '') + td.innerText.trim();
		}).join(' | '));
	return {scrollW: de.scrollWidth, innerW: innerWidth, widest,
		headerRight: Math.max(0, ...header.map(e => e.getBoundingClientRect().right)), rows};
})()`

// TestBrowser_FitsEveryScreen opens the dashboard with 1, 12 and 44 series, a coin page and
// /status at phone, tablet and desktop widths: no page may be wider than the window (no
// sideways scroll into blank space), the header's controls stay on screen, and on a phone
// every table row names its coin and currency in full. It also counts the Tab presses from
// the top of the dashboard to its range control, and checks a coin's hover card stays shut
// when a keyboard passes over its link.
func TestBrowser_FitsEveryScreen(t *testing.T) {
	chromiumPath(t)
	srv := startServerWith(t, map[string]string{"COINS": allCoins, "CURRENCIES": "usd,try,eur,gbp", "HISTORY_DAYS": "40"})
	b := newBrowser(t, 1366, 900)
	pages := []struct{ name, path string }{
		{"1 series", "/?coins=bitcoin&currencies=usd"},
		{"12 series", "/?coins=bitcoin,ethereum,dogecoin&currencies=usd,try,eur,gbp"},
		{"44 series", "/?coins=" + allCoins + "&currencies=usd,try,eur,gbp"},
		{"coin page", "/coins/bitcoin?currency=try"},
		{"status", "/status"},
	}
	for _, width := range []int64{320, 390, 768, 1366, 1920} {
		t.Run(fmt.Sprintf("%d px", width), func(t *testing.T) {
			b.setPhase(fmt.Sprintf("%d px", width))
			tab := b.newTab(t)
			viewport := chromedp.EmulateViewport(width, 900)
			if width < 640 {
				viewport = chromedp.EmulateViewport(width, 800, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			do(t, tab, "set the viewport", viewport)
			var widths []string
			defer func() { t.Logf("page widths on a %d px screen: %s", width, strings.Join(widths, ", ")) }()
			for _, p := range pages {
				do(t, tab, "open "+p.path, chromedp.Navigate(srv.URL+p.path))
				waitFor(t, tab, p.name+" has loaded", `document.readyState === 'complete'`, `document.readyState`)
				got := eval[layoutFacts](t, tab, layoutFactsJS)
				widths = append(widths, fmt.Sprintf("%s %.0f px", p.name, got.ScrollW))
				// A phone widens its layout viewport to a page that overflows, and innerWidth with it,
				// so the bound is the screen's width, not the window's.
				if screen := float64(width); got.ScrollW > screen || got.InnerW > screen {
					t.Errorf("%s: the page is %.0f px wide (window %.0f px) on a %.0f px screen (furthest right: %s)", p.name, got.ScrollW, got.InnerW, screen, got.Widest)
				}
				if got.HeaderRight > float64(width) {
					t.Errorf("%s: the header's controls reach %.0f px on a %d px screen", p.name, got.HeaderRight, width)
				}
				if width >= 640 || !strings.HasPrefix(p.name, "12") {
					continue
				}
				if len(got.Rows) == 0 {
					t.Errorf("%s: no table rows", p.name)
				}
				for _, row := range got.Rows {
					// A row names its coin as "Bitcoin (BTC)" and its currency by its code, each in
					// full and on screen.
					if strings.Contains(row, "CLIPPED:") || !strings.Contains(row, ")") || !containsAny(row, "USD", "TRY", "EUR", "GBP") {
						t.Errorf("%s: a phone's table row reads %q, want its coin and currency in full", p.name, row)
					}
				}
			}
		})
	}

	t.Run("keyboard", func(t *testing.T) {
		b.setPhase("keyboard")
		tab := b.newTab(t)
		do(t, tab, "set the viewport", chromedp.EmulateViewport(1366, 900))
		do(t, tab, "open the dashboard", chromedp.Navigate(srv.URL+"/?coins="+allCoins+"&currencies=usd,try,eur,gbp"))
		waitFor(t, tab, "the page has loaded", `document.readyState === 'complete'`, `document.readyState`)
		presses := 0
		for ; presses < 80; presses++ {
			if eval[bool](t, tab, `!!document.activeElement.closest('#fieldset-range')`) {
				break
			}
			do(t, tab, "press Tab", chromedp.KeyEvent("\t"))
		}
		t.Logf("the range control is %d Tab presses from the top of the dashboard", presses)
		if presses > 15 {
			t.Errorf("the range control takes %d Tab presses from the top, want 15 or fewer", presses)
		}
		// A keyboard on a coin's link leaves its hover card shut, and the card's own links out
		// of the Tab order.
		eval[chromedp.Void](t, tab, `document.querySelector('[data-testid=coin-cell]').focus()`)
		open := eval[int](t, tab, `[...document.querySelectorAll('.coin-card-pop')].filter(p => getComputedStyle(p).display !== 'none').length`)
		if open != 0 {
			t.Errorf("%d hover cards open on keyboard focus", open)
		}
	})
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
