package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/proxytest"
	"github.com/cryptodash/cryptodash/internal/simulator"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

// replicaEnv, set in a process's environment, makes the test binary run as cryptodash itself:
// the rehearsal starts its replicas as processes of this binary running main, the very code
// `cryptodash serve` runs, without a separate build.
const replicaEnv = "CRYPTODASH_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(replicaEnv) == "1" {
		main()
		return
	}
	os.Exit(storetest.Main(m))
}

// rehearsalSecret is the CRON_SECRET of the rehearsal's replicas.
const rehearsalSecret = "rehearsal-cron-secret"

// replica is one `cryptodash serve` process, reaching PostgreSQL through its own proxy, as a
// task reaches RDS over its own network path: the proxy breaks that path alone.
type replica struct {
	name  string
	addr  string
	url   string
	proxy *proxytest.Proxy
	logs  *testkit.SyncBuffer
	// stop sends SIGTERM and waits up to within for the process to exit, reporting how long
	// it took; a process still running then is killed and reported as false.
	stop func(within time.Duration) (time.Duration, bool)
}

// startReplica starts a replica on dbURL with env on top of the rehearsal's settings and waits
// until it answers its health check. It is stopped with SIGTERM when the test ends.
func startReplica(t *testing.T, name, dbURL string, env map[string]string) *replica {
	t.Helper()
	r := &replica{name: name, proxy: proxytest.New(t, storetest.ServerAddr()), logs: &testkit.SyncBuffer{}}
	port := freePort(t)
	r.addr = "127.0.0.1:" + strconv.Itoa(port)
	r.url = "http://" + r.addr
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "serve")
	// Only what the process needs: a setting of the developer's shell must not leak in.
	cmd.Env = []string{replicaEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(),
		"DATABASE_URL=" + r.proxy.URL(dbURL), "PORT=" + strconv.Itoa(port), "LOG_LEVEL=info"}
	if clock.Offset() != 0 {
		// A suite run as of another date runs its replicas as of it too, from where its own
		// present has got to.
		cmd.Env = append(cmd.Env, clock.TestNowVariable+"="+clock.Now().Format(time.RFC3339Nano))
	}
	if tz, ok := os.LookupEnv("TZ"); ok {
		cmd.Env = append(cmd.Env, "TZ="+tz)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	exited := start(t, cmd, r.logs)
	var (
		once    sync.Once
		took    time.Duration
		stopped bool
	)
	r.stop = func(within time.Duration) (time.Duration, bool) {
		once.Do(func() {
			start := time.Now()
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
				took, stopped = time.Since(start), true
			case <-time.After(within):
				// SIGQUIT makes the Go runtime print every goroutine: what it was stuck on.
				_ = cmd.Process.Signal(syscall.SIGQUIT)
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
					_ = cmd.Process.Kill()
					<-exited
				}
				took = time.Since(start)
			}
		})
		return took, stopped
	}
	t.Cleanup(func() {
		if _, stopped := r.stop(40 * time.Second); !stopped {
			t.Errorf("replica %s did not stop within 40 s of SIGTERM", name)
		}
		if t.Failed() {
			t.Logf("replica %s log:\n%s", name, r.logs)
		}
	})
	testkit.Eventually(t, 60*time.Second, "replica "+name+" answers its health check", func() (bool, string) {
		select {
		case <-exited:
			t.Fatalf("replica %s exited at start:\n%s", name, r.logs)
		default:
		}
		resp := fetch(t, http.MethodGet, r.url+"/api/health", nil, nil)
		return resp.status == http.StatusOK, fmt.Sprintf("status %d", resp.status)
	})
	return r
}

// start starts cmd with its output going to out, and returns a channel closed once it exits.
func start(t *testing.T, cmd *exec.Cmd, out io.Writer) <-chan struct{} {
	t.Helper()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	return exited
}

// edge is nginx running docs/cloudfront.nginx.conf in front of the replicas.
type edge struct {
	url string
	dir string
}

func startEdge(t *testing.T, replicas ...*replica) *edge {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("the rehearsal needs nginx (apt-get install nginx; .ci/run installs it): %v", err)
		}
	}
	tmpl, err := template.ParseFiles(filepath.Join("..", "..", "docs", "cloudfront.nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	// nginx started by root runs its worker as nobody, which must reach and write the cache
	// and the temporary files (t.TempDir's parent is private); started by anyone else, it
	// runs as its caller.
	dir, err := os.MkdirTemp("", "cryptodash-edge-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"cache", "tmp", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"} {
		path := filepath.Join(dir, sub)
		if err := os.Mkdir(path, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	data := struct {
		Dir     string
		Port    int
		Origins []string
	}{Dir: dir, Port: port}
	for _, r := range replicas {
		data.Origins = append(data.Origins, r.addr)
	}
	var conf bytes.Buffer
	if err := tmpl.Execute(&conf, data); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out testkit.SyncBuffer
	cmd := exec.Command(bin, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	exited := start(t, cmd, &out)
	e := &edge{url: "http://127.0.0.1:" + strconv.Itoa(port), dir: dir}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			errs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			lines := strings.Split(strings.TrimSpace(string(errs)), "\n")
			t.Logf("nginx output:\n%s\nnginx error log (its end):\n%s", &out, strings.Join(lines[max(0, len(lines)-20):], "\n"))
		}
	})
	testkit.Eventually(t, 20*time.Second, "nginx answers", func() (bool, string) {
		select {
		case <-exited:
			errs, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited at start: %s\n%s", &out, errs)
		default:
		}
		resp := fetch(t, http.MethodGet, e.url+"/api/health", nil, nil)
		return resp.status == http.StatusOK, fmt.Sprintf("status %d", resp.status)
	})
	return e
}

// accessLog is what nginx has logged so far, one request a line: "GET /uri 200 cache=HIT …".
func (e *edge) accessLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reply is an HTTP answer as received, its body still coded.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (a reply) cache() string { return a.header.Get("X-Cache") }

// plainClient follows no redirect and decodes nothing, so an answer is compared as sent.
var plainClient = &http.Client{
	Timeout:       30 * time.Second,
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// fetch makes one request; a request that fails outright gives status 0.
func fetch(t *testing.T, method, target string, header http.Header, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := plainClient.Do(req)
	if err != nil {
		return reply{header: http.Header{}}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{header: http.Header{}}
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// untilHit asks the edge for target until its answer comes from the cache, and returns it.
func untilHit(t *testing.T, e *edge, target string, header http.Header) reply {
	t.Helper()
	var a reply
	testkit.Eventually(t, 20*time.Second, target+" is served from the edge's cache", func() (bool, string) {
		a = fetch(t, http.MethodGet, e.url+target, header, nil)
		return a.status == http.StatusOK && a.cache() == "HIT", fmt.Sprintf("status %d, X-Cache %q", a.status, a.cache())
	})
	return a
}

func bearer() http.Header { return http.Header{"Authorization": {"Bearer " + rehearsalSecret}} }

// startRun asks target's cron endpoint for a run and returns its id and whether this call
// started it.
func startRun(t *testing.T, target string) (int64, bool) {
	t.Helper()
	a := fetch(t, http.MethodPost, target+"/api/cron/fetch-data", bearer(), nil)
	if a.status != http.StatusAccepted {
		t.Fatalf("POST %s/api/cron/fetch-data: %d %s", target, a.status, a.body)
	}
	var body struct {
		Data struct {
			RunID   int64 `json:"runId"`
			Started bool  `json:"started"`
		} `json:"data"`
	}
	if err := json.Unmarshal(a.body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Data.RunID, body.Data.Started
}

// runOf reads run id through target's cron endpoint; ok is false when it did not answer.
func runOf(t *testing.T, target string, id int64) (runInfo, bool) {
	t.Helper()
	a := fetch(t, http.MethodGet, target+"/api/cron/runs/"+strconv.FormatInt(id, 10), bearer(), nil)
	var body struct {
		Data runInfo `json:"data"`
	}
	if a.status != http.StatusOK || json.Unmarshal(a.body, &body) != nil {
		return runInfo{}, false
	}
	return body.Data, true
}

func waitRunEnds(t *testing.T, target string, id int64, timeout time.Duration) runInfo {
	t.Helper()
	var run runInfo
	testkit.Eventually(t, timeout, fmt.Sprintf("run %d ends", id), func() (bool, string) {
		var ok bool
		run, ok = runOf(t, target, id)
		return ok && run.Status != "running", fmt.Sprintf("%+v", run)
	})
	return run
}

// runStopLogged is when a replica's log first says run id stopped, on losing its lease or
// on finishing, or zero if it does not.
func runStopLogged(log string, id int64) time.Time {
	for _, line := range strings.Split(log, "\n") {
		var entry struct {
			Time  time.Time `json:"time"`
			Msg   string    `json:"msg"`
			RunID int64     `json:"run_id"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.RunID == id &&
			(entry.Msg == "run lease lost; the run stops" || entry.Msg == "fetch run finished") {
			return entry.Time
		}
	}
	return time.Time{}
}

// storedHours lists the stored hourly rows as "coin/currency/hour", to check that a fault
// lost none of them.
func storedHours(t *testing.T, dbURL string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT coin_id || '/' || currency_code || '/' || to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') FROM prices_hourly`)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	hours := make(map[string]bool, len(keys))
	for _, k := range keys {
		hours[k] = true
	}
	return hours
}

// TestRehearsal runs the production system's parts on this machine: two `cryptodash serve`
// processes behind nginx configured as CloudFront is (docs/cloudfront.nginx.conf), each
// reaching PostgreSQL through a proxy that can break its connections, and checks what a
// viewer, EventBridge and an operator would see, faults included.
func TestRehearsal(t *testing.T) {
	t.Parallel()
	sim, simAPI := simulatorAPI(t)
	dbURL := storetest.NewMigratedURL(t)
	const maxAge = 4 * time.Second
	env := map[string]string{
		"COINGECKO_BASE_URL":   simAPI,
		"COINGECKO_RATE_LIMIT": "0",
		"COINS":                "bitcoin,ethereum,dogecoin",
		"CURRENCIES":           "usd,eur",
		"HISTORY_DAYS":         "30",
		"FETCH_SCHEDULE":       "off",
		"FETCH_ON_START":       "false",
		"CRON_SECRET":          rehearsalSecret,
		"CDN_MAX_AGE":          strconv.Itoa(int(maxAge.Seconds())),
	}
	a := startReplica(t, "a", dbURL, env)
	b := startReplica(t, "b", dbURL, env)
	cdn := startEdge(t, a, b)
	gzip := http.Header{"Accept-Encoding": {"gzip, deflate, br"}}

	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("a run's data shows through the edge as soon as it lands", func(t *testing.T) {
		// The empty dashboard follows the first run, which no data version marks: the edge
		// must not keep it, or it would go on showing it for s-maxage after data landed.
		for range 2 {
			page := fetch(t, http.MethodGet, cdn.url+"/", nil, nil)
			if !strings.Contains(string(page.body), `data-testid="empty-state"`) || page.cache() == "HIT" {
				t.Fatalf("before any run the edge answers X-Cache %q with:\n%.600s", page.cache(), page.body)
			}
		}
		// EventBridge's call: its Authorization header must reach the origin through the edge.
		if a := fetch(t, http.MethodPost, cdn.url+"/api/cron/fetch-data", nil, nil); a.status != http.StatusUnauthorized {
			t.Fatalf("cron without its token answered %d through the edge, want 401", a.status)
		}
		id, started := startRun(t, cdn.url)
		if !started {
			t.Fatal("the first cron call did not start a run")
		}
		if run := waitRunEnds(t, cdn.url, id, 90*time.Second); run.Status != "succeeded" {
			t.Fatalf("the run ended %q: %s", run.Status, run.Error)
		}
		page := fetch(t, http.MethodGet, cdn.url+"/", nil, nil)
		if page.status != http.StatusOK || !strings.Contains(string(page.body), `data-testid="data-through"`) {
			t.Fatalf("after the run the edge still serves the empty page (X-Cache %q):\n%.600s", page.cache(), page.body)
		}
		// The page with data is public, and kept.
		if body := string(untilHit(t, cdn, "/", nil).body); !strings.Contains(body, `data-testid="data-through"`) {
			t.Fatalf("the edge keeps another page:\n%.600s", body)
		}
	})

	step("cached answers are the origin's bytes", func(t *testing.T) {
		page := fetch(t, http.MethodGet, a.url+"/", nil, nil)
		css := regexp.MustCompile(`/static/css/app\.[0-9a-f]+\.css`).Find(page.body)
		if css == nil {
			t.Fatal("the page links no stylesheet")
		}
		day := clock.Now().UTC().AddDate(0, 0, -3).Format("2006-01-02")
		targets := []string{
			"/",
			"/?coins=bitcoin,ethereum&currencies=usd&mode=price&range=1w",
			"/partials/dashboard?coins=bitcoin&currencies=eur",
			"/partials/coins/ethereum/card",
			"/partials/table?page=2",
			"/coins/bitcoin",
			"/api/coins",
			"/api/prices?coinIds=bitcoin,dogecoin&currencyCodes=usd&dateFrom=" + day + "&dateTo=" + day + "&breakdown=coin",
			string(css),
		}
		for _, target := range targets {
			for _, coding := range []string{"br", "gzip", ""} {
				h := http.Header{}
				if coding != "" {
					h.Set("Accept-Encoding", coding)
				}
				cached := untilHit(t, cdn, target, h)
				for _, r := range []*replica{a, b} {
					origin := fetch(t, http.MethodGet, r.url+target, h, nil)
					if origin.status != http.StatusOK {
						t.Fatalf("%s from replica %s: %d", target, r.name, origin.status)
					}
					if !bytes.Equal(cached.body, origin.body) {
						t.Errorf("%s (%q): the edge's copy (%d bytes) differs from replica %s's answer (%d bytes)",
							target, coding, len(cached.body), r.name, len(origin.body))
					}
					for _, k := range []string{"Content-Type", "Content-Encoding", "ETag", "Cache-Control", "Vary"} {
						if cached.header.Get(k) != origin.header.Get(k) {
							t.Errorf("%s (%q): %s %q at the edge, %q from replica %s", target, coding, k,
								cached.header.Get(k), origin.header.Get(k), r.name)
						}
					}
				}
			}
		}
		// A method the cached behaviour does not allow is refused at the edge, as CloudFront's
		// GET/HEAD-only behaviour does.
		if a := fetch(t, http.MethodPost, cdn.url+"/?coins=bitcoin", gzip, nil); a.status != http.StatusForbidden {
			t.Errorf("POST / through the edge answered %d, want 403", a.status)
		}
	})

	step("HTMX swaps through the edge", func(t *testing.T) {
		before := len(cdn.accessLog(t))
		br := newBrowser(t, 1280, 900)
		ctx := br.tab()
		do(t, ctx, "open the dashboard through the edge", chromedp.Navigate(cdn.url+"/"))
		waitFor(t, ctx, "the page is loaded", `document.readyState === 'complete' && !!document.querySelector('[data-testid=page-next]')`, `document.readyState`)
		for i, page := range []string{"2", "1", "2"} {
			sel, param := `[data-testid="page-next"]`, "page="+page
			if page == "1" {
				// The first page is the default, which the canonical URL leaves out.
				sel, param = `[data-testid="page-prev"]`, "page="
			}
			s := swap(t, ctx, fmt.Sprintf("page %s (step %d)", page, i+1), "table-section", []string{param}, click(sel))
			if s.Page != page || s.Rows == 0 {
				t.Fatalf("after moving to page %s the table shows page %q with %d rows", page, s.Page, s.Rows)
			}
		}
		// The second visit to page 2 is the same partial URL as the first, so the edge had it
		// (a 304 when the browser revalidates its own copy).
		var partials []string
		for _, line := range strings.Split(cdn.accessLog(t)[before:], "\n") {
			if strings.HasPrefix(line, "GET /partials/table?") && strings.Contains(line, "page=2") {
				partials = append(partials, line)
			}
		}
		if len(partials) != 2 || !strings.Contains(partials[1], "cache=HIT") {
			t.Errorf("the edge's log for page 2's partial:\n%s", strings.Join(partials, "\n"))
		}
	})

	step("a replica whose lease connection goes silent loses the lease; the other takes over", func(t *testing.T) {
		// Slow answers keep the run busy while its database goes silent.
		sim.SetFaults(simulator.Faults{Slow: 3 * time.Second})
		first, started := startRun(t, a.url)
		if !started {
			t.Fatal("replica a did not start a run")
		}
		before := storedHours(t, dbURL)
		silenced := time.Now()
		a.proxy.Blackhole()
		var second int64
		var claimed time.Time
		testkit.Eventually(t, 60*time.Second, "replica b starts a run of its own", func() (bool, string) {
			id, started := startRun(t, b.url)
			second, claimed = id, time.Now()
			return started, fmt.Sprintf("run %d is running", id)
		})
		freeAfter := claimed.Sub(silenced)
		sim.SetFaults(simulator.Faults{})
		t.Logf("the lease of a replica cut off from the database was free again after %.1f s", freeAfter.Seconds())
		if second == first {
			t.Fatalf("replica b reports run %d, replica a's", second)
		}
		if run, ok := runOf(t, b.url, first); !ok || run.Status == "running" {
			t.Errorf("replica a's run is %+v once replica b claimed the lease", run)
		}
		// Replica a learns nothing from a silent database, so it must stop its run on its
		// own (a statement that times out, or the lease it counts down itself) before the
		// lease can pass to anyone: two runs must never make progress at once.
		var ended time.Time
		testkit.Eventually(t, 45*time.Second, "replica a logs that its run stopped", func() (bool, string) {
			ended = runStopLogged(a.logs.String(), first)
			return !ended.IsZero(), "nothing in its log"
		})
		t.Logf("replica a stopped its run %.1f s after its database went silent", ended.Sub(silenced).Seconds())
		if !ended.Before(claimed) {
			t.Errorf("replica a stopped its run at %s, after replica b claimed the lease at %s", ended.Format(time.RFC3339Nano), claimed.Format(time.RFC3339Nano))
		}
		if run := waitRunEnds(t, b.url, second, 90*time.Second); run.Status != "succeeded" {
			t.Fatalf("replica b's run ended %q: %s", run.Status, run.Error)
		}
		a.proxy.Restore()
		testkit.Eventually(t, 60*time.Second, "replica a answers from the database again", func() (bool, string) {
			r := fetch(t, http.MethodGet, a.url+"/api/health", nil, nil)
			return r.status == http.StatusOK, fmt.Sprintf("status %d", r.status)
		})
		after := storedHours(t, dbURL)
		lost := 0
		for k := range before {
			if !after[k] {
				lost++
			}
		}
		if lost > 0 || len(after) < len(before) {
			t.Errorf("%d of %d stored hours are gone after the fault (%d stored now)", lost, len(before), len(after))
		}
	})

	step("a replica whose database goes silent answers 503 within seconds and recovers", func(t *testing.T) {
		b.proxy.Blackhole()
		start := time.Now()
		// A view replica b has not rendered, so its answer cache cannot serve it without the
		// database.
		r := fetch(t, http.MethodGet, b.url+"/?coins=dogecoin&currencies=eur&range=1w&mode=price", nil, nil)
		took := time.Since(start)
		t.Logf("a page on a silent database answered %d after %.1f s", r.status, took.Seconds())
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
			t.Errorf("a page on a silent database answered %d (Retry-After %q), want 503 with Retry-After", r.status, r.header.Get("Retry-After"))
		}
		if took > 15*time.Second {
			t.Errorf("the 503 took %s, longer than the request deadline allows", took)
		}
		if h := fetch(t, http.MethodGet, b.url+"/api/health", nil, nil); h.status != http.StatusServiceUnavailable {
			t.Errorf("health on a silent database answered %d, want 503", h.status)
		}
		// Replica a still answers through the edge.
		if r := fetch(t, http.MethodGet, a.url+"/?coins=dogecoin&currencies=eur&range=1w&mode=price", nil, nil); r.status != http.StatusOK {
			t.Errorf("replica a answered %d while b's database was silent", r.status)
		}
		b.proxy.Restore()
		testkit.Eventually(t, 60*time.Second, "replica b answers again", func() (bool, string) {
			r := fetch(t, http.MethodGet, b.url+"/?coins=dogecoin&currencies=eur&range=1w&mode=price", nil, nil)
			return r.status == http.StatusOK, fmt.Sprintf("status %d", r.status)
		})
	})

	step("with a login, no private answer is served from the edge's cache", func(t *testing.T) {
		hash, err := bcrypt.GenerateFromPassword([]byte("rehearsal password"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		login := map[string]string{"AUTH_USERNAME": "analyst", "AUTH_PASSWORD_HASH": string(hash)}
		for k, v := range env {
			login[k] = v
		}
		la := startReplica(t, "login-a", dbURL, login)
		lb := startReplica(t, "login-b", dbURL, login)
		lcdn := startEdge(t, la, lb)

		form := url.Values{"username": {"analyst"}, "password": {"rehearsal password"}, "next": {"/"}}
		signIn := fetch(t, http.MethodPost, lcdn.url+"/login", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			strings.NewReader(form.Encode()))
		var session *http.Cookie
		for _, c := range (&http.Response{Header: signIn.header}).Cookies() {
			if c.Name == "cryptodash_session" {
				session = c
			}
		}
		if signIn.status != http.StatusSeeOther || session == nil {
			t.Fatalf("signing in through the edge answered %d without a session cookie", signIn.status)
		}
		signedIn := http.Header{"Cookie": {session.Name + "=" + session.Value}, "Accept-Encoding": {"gzip"}}
		anonymous := http.Header{"Accept-Encoding": {"gzip"}}
		for _, target := range []string{"/", "/partials/table?page=2", "/coins/bitcoin", "/api/coins"} {
			for i := range 3 {
				mine := fetch(t, http.MethodGet, lcdn.url+target, signedIn, nil)
				if mine.status != http.StatusOK || !strings.Contains(mine.header.Get("Cache-Control"), "private") {
					t.Fatalf("%s signed in (%d): %d, Cache-Control %q", target, i, mine.status, mine.header.Get("Cache-Control"))
				}
				theirs := fetch(t, http.MethodGet, lcdn.url+target, anonymous, nil)
				if theirs.status == http.StatusOK {
					t.Fatalf("%s without a session answered 200 (X-Cache %q) right after a signed-in request", target, theirs.cache())
				}
				for _, got := range []reply{mine, theirs} {
					if got.cache() == "HIT" {
						t.Fatalf("%s came from the edge's cache with a login on", target)
					}
				}
			}
		}
		// Static files stay public and cached with a login: they are the same for everyone.
		page := fetch(t, http.MethodGet, la.url+"/login", nil, nil)
		css := regexp.MustCompile(`/static/css/app\.[0-9a-f]+\.css`).Find(page.body)
		if css == nil {
			t.Fatal("the sign-in page links no stylesheet")
		}
		untilHit(t, lcdn, string(css), anonymous)
	})

	step("a replica stops on SIGTERM within ECS's stop timeout while its database is silent", func(t *testing.T) {
		// A run in progress holds connections that the silence leaves hanging.
		sim.SetFaults(simulator.Faults{Slow: 3 * time.Second})
		if _, started := startRun(t, b.url); !started {
			t.Fatal("replica b did not start a run")
		}
		b.proxy.Blackhole()
		// deploy/service.go gives a task 45 s from SIGTERM before SIGKILL; the run's last
		// write waits 10 s for the database, and nothing else should wait on it for long.
		took, stopped := b.stop(20 * time.Second)
		sim.SetFaults(simulator.Faults{})
		t.Logf("replica b stopped %.1f s after SIGTERM with its database silent", took.Seconds())
		if !stopped {
			t.Fatalf("replica b was still running %.0f s after SIGTERM", took.Seconds())
		}
	})
}
