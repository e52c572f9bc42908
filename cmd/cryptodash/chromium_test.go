package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is the browser the tests drive; CHROMIUM overrides the Debian path .ci/run
// installs it at.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		t.Fatalf("the browser tests need Chromium at %s (apt-get install chromium, or set CHROMIUM): %v", path, err)
	}
	return path
}

// browser is one headless Chromium for a test. Every tab it opens reports its uncaught
// exceptions, console errors and browser-log errors (where CSP violations and failed
// requests land); the test fails at its end if any occurred.
type browser struct {
	ctx context.Context

	mu       sync.Mutex
	phase    string
	expected []string
	problems []string
}

// setPhase names the step that problems reported from now on belong to.
func (b *browser) setPhase(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.phase = name
	b.expected = nil
}

// expect lets the current step cause problems that contain any of texts, such as the errors
// HTMX logs for a request the step blocks on purpose.
func (b *browser) expect(texts ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected = append(b.expected, texts...)
}

// newBrowser starts a headless Chromium whose window is width × height CSS pixels, in a fresh
// profile; it closes when the test ends.
func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b.ctx = ctx
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.problems) > 0 {
			t.Errorf("the browser reported %d error(s):\n  %s", len(b.problems), strings.Join(b.problems, "\n  "))
		}
	})
	return b
}

// tab is the browser's first tab; newTab opens another (for a different emulation).
func (b *browser) tab() context.Context { return b.ctx }

func (b *browser) newTab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(b.listen))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// listen runs in a tab's event loop: it only records.
func (b *browser) listen(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		problem = "uncaught exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			problem += " " + d.Exception.Description
		}
		problem += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		problem = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		// Every failed request counts, a favicon's too: the layout links one.
		problem = fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
	default:
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.expected {
		if strings.Contains(problem, e) {
			return
		}
	}
	if b.phase != "" {
		problem = "[" + b.phase + "] " + problem
	}
	b.problems = append(b.problems, problem)
}

// eval evaluates a JavaScript expression in the tab and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// contextReplaced reports whether err says the page's JavaScript context went away during an
// evaluation, as a navigation does to it.
func contextReplaced(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") || strings.Contains(msg, "Execution context was destroyed")
}

// do runs actions in the tab with a timeout, failing the test with what it was doing.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitFor polls a JavaScript condition until it holds; on timeout it fails with what it
// was waiting for and the value of debugExpr, which shows what the page had instead.
func waitFor(t *testing.T, ctx context.Context, what, cond, debugExpr string) {
	t.Helper()
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var err error
	for {
		_, err = chromedp.Run(pctx, chromedp.Poll[bool](
			"(() => { try { return !!("+cond+"); } catch (e) { return false; } })()",
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
		// A navigation that completes while the poll starts replaces the page's JavaScript
		// context under it; the condition is then to be polled in the new one.
		if err == nil || pctx.Err() != nil || !contextReplaced(err) {
			break
		}
	}
	if err != nil {
		got := "(no debug expression)"
		if debugExpr != "" {
			got = eval[string](t, ctx, "(() => { try { return JSON.stringify("+debugExpr+"); } catch (e) { return String(e); } })()")
		}
		t.Fatalf("waiting until %s: %v\n  condition: %s\n  page has: %s", what, err, cond, got)
	}
}
